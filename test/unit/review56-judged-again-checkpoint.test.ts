/**
 * Review (session 56) of e7c15c4: the `judged-again:<eventId>` fingerprint lives in the novelty
 * memory, which a checkpoint carries whole. A replay cut by a checkpoint anywhere between a
 * withdrawal's first judgement and its judgements again behind late events gives the bytes of a
 * straight run; and a stream in event order never takes the `again` path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { registerReplay } from '../../src/cli/replay-command.js';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const T0 = Date.UTC(2025, 8, 1);

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

function at(account: string, tag: number, id: string, kind: 'deposit' | 'withdrawal', hours: number, amount: number, seed: number): string {
  const ends = kind === 'deposit' ? { from: [derivedEvm(tag, hours)], to: derivedEvm(tag, 50) } : { to: derivedEvm(tag, 60 + hours) };
  return transfer({ eventId: id, kind, time: T0 + hours * HOUR, accountId: account, chain: 'ethereum', asset: 'USDT', amount, ...ends }, prng(seed));
}

// As in rejudged-transfer-novelty.test.ts: a deposit 100 + 5,000 taken out by six withdrawals.
const hot = [
  at('acct-rv1', 151, 'rv1-d0', 'deposit', 0, 100, 10),
  at('acct-rv1', 151, 'rv1-d1', 'deposit', 1, 5_000, 11),
  ...Array.from({ length: 6 }, (_, k) => at('acct-rv1', 151, `rv1-w${k + 1}`, 'withdrawal', 2 + k, k === 0 ? 4_700 : 10, 12 + k)),
];
// w2 and then the early deposit read last: w3..w6 judged three times each.
const order = [hot[1]!, hot[2]!, ...hot.slice(4), hot[3]!, hot[0]!];

describe('review 56: the judged-again fingerprint across a checkpoint', () => {
  it('a replay cut by a checkpoint after each line gives the bytes of the straight run', async () => {
    // Read as it comes: with a lateness (src/sources/lateness-buffer.ts) the cut at the end of the first file applies what it holds, and the straight run does not.
    process.env.REPLAY_LATENESS_MINUTES = '0';
    onTestFinished(() => {
      delete process.env.REPLAY_LATENESS_MINUTES;
    });
    const dir = tempDir('tw-review56-again-');
    const whole = join(dir, 'whole.jsonl');
    writeFileSync(whole, order.join('\n') + '\n');
    await tidewatch('replay', whole, '--no-ofac', '--alerts', join(dir, 'whole.alerts.jsonl'), '--quiet');
    const straight = readFileSync(join(dir, 'whole.alerts.jsonl'), 'utf8');
    expect(straight.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(12);
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

  it('an account read in time order, three events of one instant read with their ids descending, never judges a transfer again', () => {
    const rules = loadRuleSet(DEFAULT_RULES_DIR);
    const r = prng(3);
    const same = T0 + 30 * HOUR;
    const lines = [
      ...hot,
      transfer({ eventId: 'rv1-eq-c', kind: 'deposit', time: same, accountId: 'acct-rv1', chain: 'ethereum', asset: 'USDT', amount: 900, from: [derivedEvm(152, 1)], to: derivedEvm(151, 50) }, r),
      transfer({ eventId: 'rv1-eq-b', kind: 'withdrawal', time: same, accountId: 'acct-rv1', chain: 'ethereum', asset: 'USDT', amount: 880, to: derivedEvm(152, 2) }, r),
      transfer({ eventId: 'rv1-eq-a', kind: 'withdrawal', time: same, accountId: 'acct-rv1', chain: 'ethereum', asset: 'USDT', amount: 5, to: derivedEvm(152, 3) }, r),
    ];
    const againCount = (stream: readonly string[]): number => {
      const pipeline = new Pipeline({ rules });
      const engine = pipeline.engine as unknown as { evaluate: (t: { again?: boolean }) => unknown };
      const evaluate = engine.evaluate.bind(engine);
      let again = 0;
      engine.evaluate = (t) => {
        if (t.again) again++;
        return evaluate(t);
      };
      stream.forEach((line, i) => pipeline.process(line, { file: 't', line: i + 1 }));
      return again;
    };
    expect(againCount(lines)).toBe(0);
    // The probe sees the path when it is taken.
    expect(againCount(order)).toBeGreaterThan(0);
  });
});
