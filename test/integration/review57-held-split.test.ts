/**
 * Review 57: a backtest over Kafka cut in two at one time, `--until S` then `--since S`, writes
 * between the two runs what one run writes, also when verdicts are held (transfers judged again
 * behind a late event, REJUDGEMENT_HOLD_MINUTES, as the CLI passes it). The `--until` run may not
 * write at its end the verdicts a message after S takes in the whole run (the `--since` run
 * writes them), and a `--since` run whose input ends before S writes none of those the whole run
 * takes at its end (the `--until` run writes them).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { replayFromKafka } from '../../src/replay/kafka-replay.js';
import { HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { deleteRun, kafka, newRun, produceSample, type Run } from '../helpers/kafka.js';

const T0 = Date.UTC(2025, 8, 1);
const MINUTE = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'tw-review57-split-'));
const rules = loadRuleSet(DEFAULT_RULES_DIR);

function at(id: string, kind: 'deposit' | 'withdrawal', minutes: number, amount: number, seed: number, account = 'acct-r57'): string {
  const ends = kind === 'deposit' ? { from: [derivedEvm(171, minutes)], to: derivedEvm(171, 5_000) } : { to: derivedEvm(171, 6_000 + minutes) };
  return transfer({ eventId: id, kind, time: T0 + minutes * MINUTE, accountId: account, chain: 'ethereum', asset: 'USDT', amount, ...ends }, prng(seed));
}

// A deposit of 100 + 5,000 taken out by w1 and small withdrawals after it; w2 and w3 read after
// w4 and w5 on the withdrawals' partition: w4..w6 are judged again behind them, and held.
const [d0, d1, w1, w2, w3, w4, w5, w6] = [
  at('r57-d0', 'deposit', 0, 100, 10),
  at('r57-d1', 'deposit', 1, 5_000, 11),
  ...Array.from({ length: 6 }, (_, k) => at(`r57-w${k + 1}`, 'withdrawal', 2 + k, k === 0 ? 4_700 : 10, 12 + k)),
] as [string, string, string, string, string, string, string, string];
const lateOrder = [d0, d1, w1, w4, w5, w2, w3, w6];
/** Another account's deposit three hours on: the message that takes the held verdicts. */
const release = at('r57-x', 'deposit', 180, 1, 30, 'acct-r57-other');
const CUT = T0 + 2 * HOUR;

const withRelease: Run = newRun();
const endsHeld: Run = newRun();

beforeAll(async () => {
  await produceSample(withRelease, [...lateOrder, release]);
  await produceSample(endsHeld, lateOrder);
});

afterAll(async () => {
  await deleteRun(withRelease);
  await deleteRun(endsHeld);
});

const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const lines = (name: string): number => read(name).split('\n').filter(Boolean).length;

async function split(run: Run, name: string): Promise<void> {
  const common = { kafka, topics: run.topics, rules, labels: [], pipeline: { rejudgementHoldMs: HOUR } };
  await replayFromKafka({ ...common, alertsPath: join(dir, `${name}-whole.jsonl`) });
  await replayFromKafka({ ...common, until: CUT, alertsPath: join(dir, `${name}-until.jsonl`) });
  await replayFromKafka({ ...common, since: CUT, alertsPath: join(dir, `${name}-since.jsonl`) });
}

describe('review 57: replay --from-kafka cut in two with verdicts held', () => {
  it('the verdicts a message after the cut takes are written by the --since run alone', async () => {
    await split(withRelease, 'release');
    expect(lines('release-since.jsonl')).toBeGreaterThan(0); // the held verdicts, taken by the deposit after the cut
    expect(read('release-until.jsonl') + read('release-since.jsonl')).toBe(read('release-whole.jsonl'));
  });

  it('the verdicts held at the end of an input that ends before the cut are written by the --until run alone', async () => {
    await split(endsHeld, 'ends');
    expect(read('ends-until.jsonl')).toBe(read('ends-whole.jsonl'));
    expect(read('ends-since.jsonl')).toBe('');
  });
});
