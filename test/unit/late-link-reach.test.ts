/**
 * Device and IP links, and login signs, are kept for the longest window that reads them plus the
 * reach of a trigger judged late (the touch retention, 90 days). Kept only for the window behind
 * the newest event, a trigger read weeks behind newer events found the links an in-order run had
 * already let go of, and its verdict hung on the order of arrival.
 */
import { describe, expect, it } from 'vitest';
import { linkRetention, loginSignsRetention } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1, 9);

const login = (id: string, account: string, day: number, deviceId: string): { line: string; time: number } => ({
  time: START + day * DAY,
  line: JSON.stringify({
    schema: 'exchange.login.v1', eventId: id, occurredAt: new Date(START + day * DAY).toISOString(), accountId: account,
    ip: `198.51.100.${Math.floor(day) % 200}`, ipCountry: 'US', vpn: false, deviceId,
  }),
});

/** Two accounts on a device on day 0, a third on day 80 (within the 90-day linkage window), and another customer's login on day 100. */
const farm = [
  login('ll-a', 'acct-ll-a', 0, 'dev-ll-farm'),
  login('ll-b', 'acct-ll-b', 0.01, 'dev-ll-farm'),
  login('ll-c', 'acct-ll-c', 80, 'dev-ll-farm'),
  login('ll-other', 'acct-ll-other', 100, 'dev-ll-own'),
];

function sharedDeviceVerdicts(lines: string[]): Record<string, string> {
  const pipeline = new Pipeline({ rules: rules(), labels: [] });
  const best: Record<string, string> = {};
  lines.forEach((line, n) => {
    for (const a of pipeline.process(line, { file: 'x', line: n + 1 }).alerts) if (a.ruleId === 'account-linkage.shared-device') best[a.subject.accountId] = a.severity;
  });
  return best;
}

describe('device links for a trigger read behind newer events', () => {
  it('give the verdict of event order when the trigger arrives 20 days after a later event', () => {
    const inOrder = sharedDeviceVerdicts(farm.map((e) => e.line));
    expect(inOrder['acct-ll-c']).toBe('medium');
    // The day-100 login is read first: the third account's login is then 20 days behind the newest event.
    const late = sharedDeviceVerdicts([farm[0]!, farm[1]!, farm[3]!, farm[2]!].map((e) => e.line));
    expect(late).toEqual(inOrder);
  });
});

describe('link and login-sign retention', () => {
  it('is each key\'s longest reading window plus the late reach, with the shipped rules', () => {
    const reach = 90 * DAY;
    // Devices: account-linkage.shared-device's 90 days, persona-rotation's 30 + 60; IPs: shared-ip's 24 hours.
    expect(linkRetention(rules(), reach)).toEqual({ device: 180 * DAY, ip: 91 * DAY });
    // persona-rotation's payer-risk window of 120 days reads VPN and country signs.
    expect(loginSignsRetention(rules(), reach)).toBe(210 * DAY);
  });

  it('is only the floor for a key no rule reads', () => {
    const withoutLinks = rules().filter((r) => !Object.values(r.spec.signals).some((s) => s.op === 'linkage' || s.op === 'predecessor' || s.op === 'payer-risk' || (s.op === 'window' && (s.key === 'device' || s.key === 'ip'))));
    expect(linkRetention(withoutLinks, 90 * DAY)).toEqual({ device: DAY, ip: DAY });
    expect(loginSignsRetention(withoutLinks, 90 * DAY)).toBe(0);
  });
});
