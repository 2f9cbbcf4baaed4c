/**
 * Logins of other accounts on a device, read out of event order: the state keeps no logins in
 * any history unless a rule reads login history, so a login read after later logins of other
 * accounts on its device could not have them judged again (QA, session 25: five logins on one
 * device within 4 s, read shuffled, alerted fewer accounts than in order). Recent logins are
 * kept for that, and across a checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { FIXED_TIME, tempDir } from '../helpers/checkpoint.js';

/** The pipeline as a restart would have it: written to a checkpoint and restored into a fresh one. */
async function restarted(pipeline: Pipeline, line: number): Promise<Pipeline> {
  const dir = tempDir('tw-late-logins-');
  await saveCheckpoint(dir, pipeline, { rules: rules(), positions: { line }, createdAt: FIXED_TIME });
  const restored = await loadNewestValid(dir, { build: () => new Pipeline({ rules: rules(), labels: [] }), rules: rules() });
  return restored!.pipeline;
}

const login = (letter: string, second: number): string => JSON.stringify({
  schema: 'exchange.login.v1', eventId: `farm-l-${letter}`, occurredAt: `2025-03-01T03:00:0${second}.000Z`, accountId: `acct-farm-${letter}`,
  ip: `198.51.100.${second + 1}`, ipCountry: 'US', vpn: false, deviceId: 'dev-farm-shared',
});

/** The shared-device verdicts per account (the highest severity each was given), and the alerts' bytes in a canonical order. */
async function verdicts(order: number[], restoreAfter?: number): Promise<{ best: Record<string, string>; alerts: string[] }> {
  let pipeline = new Pipeline({ rules: rules(), labels: [] });
  const rank = ['low', 'medium', 'high', 'critical'];
  const best: Record<string, string> = {};
  const alerts: string[] = [];
  for (const [line, second] of order.entries()) {
    if (line === restoreAfter) pipeline = await restarted(pipeline, line);
    for (const a of pipeline.process(login('abcde'[second]!, second), { file: 'x', line: line + 1 }).alerts) {
      if (a.ruleId !== 'account-linkage.shared-device') continue;
      alerts.push(JSON.stringify(a));
      const had = best[a.subject.accountId];
      if (had === undefined || rank.indexOf(a.severity) > rank.indexOf(had)) best[a.subject.accountId] = a.severity;
    }
  }
  return { best, alerts: alerts.sort() };
}

describe('logins of other accounts on a device, read out of order', () => {
  it('give the verdicts of event order, whatever the order they are read in', async () => {
    const inOrder = await verdicts([0, 1, 2, 3, 4]);
    expect(Object.keys(inOrder.best).sort()).toEqual(['acct-farm-a', 'acct-farm-b', 'acct-farm-c', 'acct-farm-d', 'acct-farm-e']);
    expect(Object.values(inOrder.best).every((s) => s === 'high')).toBe(true);
    for (const shuffled of [[4, 2, 0, 3, 1], [4, 3, 2, 1, 0], [2, 4, 0, 1, 3]]) expect((await verdicts(shuffled)).best, shuffled.join('')).toEqual(inOrder.best);
  });

  it('keep the logins to judge again across a checkpoint', async () => {
    const inOrder = await verdicts([0, 1, 2, 3, 4]);
    expect((await verdicts([4, 3, 2, 1, 0], 3)).best).toEqual(inOrder.best);
  });
});

describe('logins read hours after later logins of other accounts on their device', () => {
  /** Three accounts on one device a day apart, and other traffic on another device every hour in between. */
  const farmLogin = (letter: string, day: number): string => JSON.stringify({
    schema: 'exchange.login.v1', eventId: `far-${letter}`, occurredAt: `2025-03-0${day}T09:00:00.000Z`, accountId: `acct-far-${letter}`,
    ip: `203.0.113.${day}`, ipCountry: 'US', vpn: false, deviceId: 'dev-far-shared',
  });
  const filler = (hour: number): string => JSON.stringify({
    schema: 'exchange.login.v1', eventId: `fill-${hour}`, occurredAt: new Date(Date.UTC(2025, 2, 1, 9) + hour * 3_600_000).toISOString(), accountId: `acct-fill-${hour % 7}`,
    ip: `192.0.2.${hour % 7}`, ipCountry: 'US', vpn: false, deviceId: `dev-fill-${hour % 7}`,
  });
  const stream = (): { line: string; time: number }[] => [
    ...[1, 2, 3].map((day, i) => ({ line: farmLogin('abc'[i]!, day), time: Date.UTC(2025, 2, day, 9) })),
    ...Array.from({ length: 72 }, (_, h) => ({ line: filler(h), time: Date.UTC(2025, 2, 1, 9) + h * 3_600_000 + 60_000 })),
  ].sort((x, y) => x.time - y.time);

  function alerted(lines: string[]): Record<string, string> {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const best: Record<string, string> = {};
    lines.forEach((l, n) => {
      for (const a of pipeline.process(l, { file: 'x', line: n + 1 }).alerts) if (a.ruleId === 'account-linkage.shared-device') best[a.subject.accountId] = a.severity;
    });
    return best;
  }

  it('alert the device farm as event order does, though the later login is no longer kept to judge again (QA)', () => {
    const ordered = stream().map((s) => s.line);
    const inOrder = alerted(ordered);
    expect(Object.keys(inOrder).sort()).toEqual(['acct-far-a', 'acct-far-b', 'acct-far-c']);
    // The first two farm logins read ten hours after the third (past the ten minutes recent logins are kept).
    const late = new Set([ordered.find((l) => l.includes('far-a'))!, ordered.find((l) => l.includes('far-b'))!]);
    const rest = ordered.filter((l) => !late.has(l));
    const cut = rest.findIndex((l) => l.includes('"fill-58"'));
    expect(cut).toBeGreaterThan(0);
    expect(alerted([...rest.slice(0, cut), ...late, ...rest.slice(cut)])).toEqual(inOrder);
  });
});
