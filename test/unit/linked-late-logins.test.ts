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
