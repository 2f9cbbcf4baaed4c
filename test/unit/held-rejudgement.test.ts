/**
 * A transfer judged again behind a late event of its account is judged once more when the
 * stream has read an hour of event time past it (src/pipeline/held-rejudgements.ts), not at each
 * late event: with two or three earlier events read after it one by one, that judgement has them
 * all in its past and gives event order's alert (session 56 gave it only when the last of them
 * was the first to judge the transfer again). The held transfers cross a checkpoint. The
 * `replay` and `monitor` commands hold an hour (REJUDGEMENT_HOLD_MINUTES); a Pipeline built
 * without `rejudgementHoldMs` judges at once (rejudged-transfer-novelty.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { registerReplay } from '../../src/cli/replay-command.js';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import type { Alert } from '../../src/contract/schemas.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { HeldRejudgements } from '../../src/pipeline/held-rejudgements.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 8, 1);
const MINUTE = 60_000;

/** A transfer of `account` `minutes` after T0 (deposits from distinct senders, withdrawals to distinct destinations). */
function at(id: string, kind: 'deposit' | 'withdrawal', minutes: number, amount: number, seed: number, account = 'acct-hold'): string {
  const ends = kind === 'deposit' ? { from: [derivedEvm(161, minutes)], to: derivedEvm(161, 5_000) } : { to: derivedEvm(161, 6_000 + minutes) };
  return transfer({ eventId: id, kind, time: T0 + minutes * MINUTE, accountId: account, chain: 'ethereum', asset: 'USDT', amount, ...ends }, prng(seed));
}

// One inflow of 100 + 5,000 taken out by w1 (4,700) and five small withdrawals after it, each of
// which event order alerts on with its whole past as evidence (as in rejudged-transfer-novelty).
const hot = [
  at('h-d0', 'deposit', 0, 100, 10),
  at('h-d1', 'deposit', 1, 5_000, 11),
  ...Array.from({ length: 6 }, (_, k) => at(`h-w${k + 1}`, 'withdrawal', 2 + k, k === 0 ? 4_700 : 10, 12 + k)),
];
const [d0, d1, w1, w2, w3, w4, w5, w6] = hot as [string, string, string, string, string, string, string, string];

function quickOut(alerts: readonly Alert[]): string[] {
  return alerts.filter((a) => a.ruleId === 'pass-through.quick-out').map((a) => JSON.stringify(a));
}

/** The quick-out alerts of a run in process holding re-judged verdicts an hour (as the replay and monitor commands do), with those still held at the end taken as a replay does. */
function run(lines: readonly string[]): string[] {
  const pipeline = new Pipeline({ rules, rejudgementHoldMs: HOUR });
  const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts);
  alerts.push(...pipeline.releaseHeld());
  return quickOut(alerts);
}

const onTransfer = (given: readonly string[], id: string): number => given.filter((a) => (JSON.parse(a) as { eventIds: string[] }).eventIds.at(-1) === id).length;

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

describe('a transfer judged again behind late events of its account, its verdict held', () => {
  const inOrder = run(hot);

  it('gives every alert of event order when two earlier events arrive late one by one', () => {
    expect(inOrder).toHaveLength(6);
    // w2 read after w3 and w4, the early deposit after w5: w3..w5 judged without either first.
    const given = run([d1, w1, w3, w4, w2, w5, d0, w6]);
    expect(given).toEqual(expect.arrayContaining(inOrder));
    // Each transfer read ahead of an earlier event: its first verdict and event order's, no more.
    for (const w of ['h-w3', 'h-w4', 'h-w5']) expect(onTransfer(given, w)).toBe(2);
    expect(given.length).toBeLessThanOrEqual(12);
    // w2, then the early deposit, read last (rejudged-transfer-novelty.test.ts reads them so hours late).
    expect(run([d1, w1, w3, w4, w5, w6, w2, d0])).toEqual(expect.arrayContaining(inOrder));
  });

  it('gives every alert of event order when three earlier events arrive late one by one', () => {
    const given = run([d1, w3, w4, w1, w5, w2, w6, d0]);
    expect(given).toEqual(expect.arrayContaining(inOrder));
    expect(given.length).toBeLessThanOrEqual(12);
  });

  it('gives the held verdict with the message that takes the stream an hour past the transfer', () => {
    const pipeline = new Pipeline({ rules, rejudgementHoldMs: HOUR });
    const lines = [d1, w1, w3, w2, d0];
    for (const [i, line] of lines.entries()) pipeline.process(line, { file: 't', line: i + 1 });
    // Held: nothing read yet is an hour past w1 or w3.
    const later = at('h-x', 'deposit', 7 + 61, 1, 30, 'acct-other');
    const released = quickOut(pipeline.process(later, { file: 't', line: 6 }).alerts);
    const expected = run([d0, d1, w1, w2, w3]);
    expect(released.length).toBeGreaterThan(0);
    expect(expected).toEqual(expect.arrayContaining(released));
    expect(quickOut(pipeline.releaseHeld())).toEqual([]);
  });

  it('a replay cut by a checkpoint between the late events gives the bytes of the straight run', async () => {
    // Read as it comes (no lateness: src/sources/lateness-buffer.ts would put these minutes-late lines in order, and nothing would be held).
    process.env.REPLAY_LATENESS_MINUTES = '0';
    onTestFinished(() => {
      delete process.env.REPLAY_LATENESS_MINUTES;
    });
    // Another account's transfer read after the last late event: a cut before it leaves the
    // verdicts held in the checkpoint alone, with nothing after the cut to judge them again.
    const order = [d1, w3, w4, w1, w5, w2, w6, d0, at('h-y', 'deposit', 9, 1, 31, 'acct-other')];
    const dir = tempDir('tw-held-rejudgement-');
    const whole = join(dir, 'whole.jsonl');
    writeFileSync(whole, order.join('\n') + '\n');
    await tidewatch('replay', whole, '--no-ofac', '--alerts', join(dir, 'whole.alerts.jsonl'), '--quiet');
    const straight = readFileSync(join(dir, 'whole.alerts.jsonl'), 'utf8');
    const straightIds = straight.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Alert).alertId);
    expect(straightIds).toEqual(expect.arrayContaining(inOrder.map((a) => (JSON.parse(a) as Alert).alertId)));
    for (let k = 1; k < order.length; k++) {
      const [early, late, store] = [join(dir, `early-${k}.jsonl`), join(dir, `late-${k}.jsonl`), join(dir, `store-${k}`)];
      writeFileSync(early, order.slice(0, k).join('\n') + '\n');
      writeFileSync(late, order.slice(k).join('\n') + '\n');
      await tidewatch('replay', early, '--no-ofac', '--alerts', join(dir, `early-${k}.alerts.jsonl`), '--checkpoint-out', store, '--quiet');
      await tidewatch('replay', late, '--no-ofac', '--alerts', join(dir, `late-${k}.alerts.jsonl`), '--checkpoint-from', store, '--quiet');
      const cut = readFileSync(join(dir, `early-${k}.alerts.jsonl`), 'utf8') + readFileSync(join(dir, `late-${k}.alerts.jsonl`), 'utf8');
      expect(cut, `cut after line ${k}`).toBe(straight);
    }
  });
});

describe('the held transfers', () => {
  const key = (eventId: string, time: number): { accountId: string; eventId: string; time: number } => ({ accountId: 'a', eventId, time });

  it('are taken in event order once the clock is past the hold, each held once', () => {
    const held = new HeldRejudgements(10, 8);
    for (const k of [key('c', 5), key('b', 3), key('a', 5), key('b', 3)]) held.hold(k);
    expect(held.size).toBe(3);
    expect(held.takeDue(13)).toEqual([]);
    expect(held.takeDue(15.5).map((k) => k.eventId)).toEqual(['b', 'a', 'c']);
    expect(held.size).toBe(0);
  });

  it('are bounded: past the bound the earliest is handed back to judge at once', () => {
    const held = new HeldRejudgements(10, 2);
    expect(held.hold(key('x', 7))).toBeUndefined();
    expect(held.hold(key('y', 9))).toBeUndefined();
    expect(held.hold(key('z', 1))?.eventId).toBe('z');
    expect(held.hold(key('w', 8))?.eventId).toBe('x');
    expect(held.entries().map((k) => k.eventId)).toEqual(['w', 'y']);
  });
});
