/**
 * A deposit sent with `from: []` (the contract allows it when the sender is unknown) whose chain
 * record is read after it, as when the chain indexer lags the exchange: the record's arrival
 * names the deposit's sender, and the deposit is judged again as it would have been had the
 * record come first (issue #9; session 59's out-of-sample pass lost a sanctioned sender this way:
 * `sanctions-exposure` 13/14 with chain data last). Before, only a record already in the graph
 * named the sender (deposit-sender-recovery.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { restoreCheckpoint, saveCheckpoint } from '../../src/checkpoint/index.js';
import type { Alert } from '../../src/contract/schemas.js';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { loadSdnFile, sdnLabels } from '../../src/intel/ofac.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { SenderlessDeposits } from '../../src/pipeline/senderless-deposits.js';
import { HOUR, prng, tokenLog, USDT_ETH } from '../../src/simulate/builders.js';

const MINUTE = 60_000;
import { derivedEvm } from '../../src/simulate/derived.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const labels = sdnLabels(loadSdnFile());
/** On the OFAC SDN list (KIM, Sang Man, DPRK4), as the sanctions-exposure cases use it. */
const SDN = '0x97b1043abd9e6fc31681635166d430a458d14f9c';
const depositAddress = derivedEvm(91, 2);
const elsewhere = derivedEvm(91, 3);
const T0 = Date.UTC(2025, 4, 1, 12);

/** An exchange deposit with an empty `from`, transaction `txHash`, at `time`. */
const deposit = (txHash: string, time = T0, eventId = 'dep-late-sender'): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId, kind: 'deposit', occurredAt: new Date(time).toISOString(), accountId: 'acct-late-sender',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', usdValue: 2500, txHash, from: [], to: depositAddress,
  customer: { type: 'individual', kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' },
});

/** The USDT log of a transaction paying `to`, at `time`, under `txHash` (a log's own hash replaced). */
const chainLog = (txHash: string, to: string, time: number, logIndex = 7): string =>
  JSON.stringify({ ...(JSON.parse(tokenLog('ethereum', USDT_ETH, SDN, to, 2_500, time, prng(1))) as Record<string, unknown>), txHash, logIndex });
const HASH = `0x${'5e'.repeat(32)}`;

function run(lines: string[], options: { hold?: number } = {}): { pipeline: Pipeline; alerts: Alert[] } {
  const pipeline = new Pipeline({ rules, labels, rejudgementHoldMs: options.hold ?? 0 });
  const alerts = lines.flatMap((l, i) => {
    const r = pipeline.process(l, { file: 't', line: i + 1 });
    expect(r.deadLetter, `line ${i + 1} dead-lettered`).toBeUndefined();
    return r.alerts;
  });
  alerts.push(...pipeline.releaseHeld());
  return { pipeline, alerts };
}

const sanctions = (alerts: Alert[]): Alert[] => alerts.filter((a) => a.typology === 'sanctions-exposure');

describe('a deposit with an empty from whose chain record comes after it', () => {
  it('learns its sender from the record and raises the sanctions alert naming it', () => {
    // The record two minutes after the deposit, in event time and as read (an indexer's lag).
    const { pipeline, alerts } = run([deposit(HASH), chainLog(HASH, depositAddress, T0 + 2 * MINUTE)]);
    const hits = sanctions(alerts);
    expect(hits.map((a) => `${a.ruleId} ${a.severity}`)).toEqual(['sanctions-exposure.direct critical']);
    expect(String(hits[0]!.evidence.address).toLowerCase()).toBe(SDN);
    expect(hits[0]!.eventIds).toEqual(['dep-late-sender']);
    // The deposit holds its sender, the sender its touch by the account, as when the record came first.
    expect(pipeline.state.transfer('dep-late-sender')!.from).toEqual([`evm:${SDN}`]);
    const sender = pipeline.graph.index.lookup(`evm:${SDN}`)!;
    expect(pipeline.graph.touches(sender).map((t) => t.eventId)).toEqual(['dep-late-sender']);
    expect(pipeline.stats.lateSenders).toBe(1);
  });

  it('gives the alert the record read first gives, whichever of the two is dated first', () => {
    for (const logTime of [T0 - 2 * MINUTE, T0 + 2 * MINUTE]) {
      const log = chainLog(HASH, depositAddress, logTime);
      const first = sanctions(run([log, deposit(HASH)]).alerts);
      const second = sanctions(run([deposit(HASH), log]).alerts);
      expect(first).toHaveLength(1);
      expect(second).toEqual(first);
    }
  });

  it('waits for the stream to read the hold past the deposit when the caller holds, then alerts once', () => {
    const log = chainLog(HASH, depositAddress, T0 + 2 * MINUTE);
    const pipeline = new Pipeline({ rules, labels, rejudgementHoldMs: HOUR });
    expect(sanctions([deposit(HASH), log].flatMap((l, i) => pipeline.process(l, { file: 't', line: i + 1 }).alerts))).toEqual([]);
    // Another deposit of the account 61 minutes on moves the clock past the hold.
    const later = sanctions(pipeline.process(deposit(`0x${'77'.repeat(32)}`, T0 + 61 * MINUTE, 'dep-later'), { file: 't', line: 3 }).alerts);
    expect(later.map((a) => a.eventIds)).toEqual([['dep-late-sender']]);
    expect(sanctions(pipeline.releaseHeld())).toEqual([]);
  });

  it('does not take the sender from a record of the transaction that pays another address', () => {
    const { pipeline, alerts } = run([deposit(HASH), chainLog(HASH, elsewhere, T0 + MINUTE)]);
    expect(sanctions(alerts)).toEqual([]);
    expect(pipeline.state.transfer('dep-late-sender')!.from).toEqual([]);
    expect(pipeline.stats.lateSenders).toBe(0);
    // Still waiting: the transaction's log paying the deposit address, read next, names it.
    const paid = sanctions(pipeline.process(chainLog(HASH, depositAddress, T0 + MINUTE, 8), { file: 't', line: 3 }).alerts);
    expect(paid.map((a) => a.ruleId)).toEqual(['sanctions-exposure.direct']);
  });

  it('is not matched by a record of another transaction to the same address', () => {
    const { alerts } = run([deposit(HASH), chainLog(`0x${'6f'.repeat(32)}`, depositAddress, T0 + MINUTE)]);
    expect(sanctions(alerts)).toEqual([]);
  });
});

describe('a deposit with an empty from, across a checkpoint', () => {
  afterAll(removeTempDirs);

  /** The pipeline restored from a checkpoint of `lines` applied. */
  async function restoredAfter(lines: string[]): Promise<Pipeline> {
    const { pipeline } = run(lines);
    const dir = tempDir('tw-late-sender-');
    const saved = await saveCheckpoint(dir, pipeline, { rules, positions: { line: lines.length }, createdAt: FIXED_TIME });
    const restored = new Pipeline({ rules });
    await restoreCheckpoint(dir, saved.name, restored);
    return restored;
  }

  it('still waits for its chain record after a restore, and learns its sender when it comes', async () => {
    const restored = await restoredAfter([deposit(HASH)]);
    expect(restored.state.transfer('dep-late-sender')!.from).toEqual([]);
    const alerts = sanctions(restored.process(chainLog(HASH, depositAddress, T0 + 2 * MINUTE), { file: 't', line: 2 }).alerts);
    expect(alerts.map((a) => a.eventIds)).toEqual([['dep-late-sender']]);
  });

  it('keeps the sender its chain record named before the checkpoint, read before or after it', async () => {
    for (const lines of [[chainLog(HASH, depositAddress, T0 - MINUTE), deposit(HASH)], [deposit(HASH), chainLog(HASH, depositAddress, T0 + MINUTE)]]) {
      const restored = await restoredAfter(lines);
      expect(restored.state.transfer('dep-late-sender')!.from).toEqual([`evm:${SDN}`]);
      const sender = restored.graph.index.lookup(`evm:${SDN}`)!;
      expect(restored.graph.touches(sender).map((t) => t.eventId)).toEqual(['dep-late-sender']);
    }
  });
});

describe('SenderlessDeposits', () => {
  it('forgets a deposit past the retention and past the cap, the first noted first', () => {
    const index = new SenderlessDeposits(HOUR, 2);
    index.note('0xAA', 'd1', T0);
    index.note('aa', 'd2', T0 + 1); // the same transaction in another spelling
    expect(index.waitingOn('0xaa')!.deposits.map((d) => d.eventId)).toEqual(['d1', 'd2']);
    index.note('0xbb', 'd3', T0 + 2);
    index.note('0xcc', 'd4', T0 + 3); // the cap of 2 transactions: the first noted goes
    expect(index.waitingOn('0xaa')).toBeUndefined();
    expect(index.size).toBe(2);
    index.advance(T0 + 2 + HOUR + 1);
    expect(index.waitingOn('0xbb')).toBeUndefined();
    expect(index.waitingOn('0xcc')).toBeDefined();
    index.settle('0xcc', 'd4');
    expect(index.size).toBe(0);
  });
});
