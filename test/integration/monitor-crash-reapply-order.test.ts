/**
 * After a crash, the monitor applies again what it had applied before (up to the slot cursors,
 * without publishing) ahead of anything it had not read, even a message dated earlier: a label
 * read after the crash but observed before the transfers the killed run had applied re-examines
 * them as it would have without the crash, and its alert is published (session 32 QA: the label
 * went first, the deposit's alert was its own, behind the cursor, and never published).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caughtUp, cleanupRun, expectedOf, newRun, produceInOrder, produceSample, readAll, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';

const LOG = '{"schema":"chain.evm.log.v1","chain":"ethereum","txHash":"0x8800e76613c994f4f4d1f9c4156788c330d6f8e0ccbd7f3748cd7d7d2e0fdb4a","logIndex":59,"blockNumber":21769401,"blockTime":"2025-01-18T20:40:17.109Z","address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x000000000000000000000000f70af935b72e161874480ceacf391288c4e5299d","0x000000000000000000000000cea0f1fa5d4524d703f750922a5591a56a1c3c1b"],"data":"0x0000000000000000000000000000000000000000000000000000000ba43b7400"}';
const DEPOSIT = '{"schema":"exchange.transfer.v1","eventId":"ev-xp-000071ef52","kind":"deposit","occurredAt":"2025-01-19T20:40:17.109Z","accountId":"acct-xp-000070698","chain":"ethereum","asset":"USDC","amount":"49900.00","usdValue":49900,"txHash":"0x9be69a18dffb00e312a432cfbd8c70db4b50d957741347469a2d35bc887aefac","from":["0xcea0f1fa5d4524d703f750922a5591a56a1c3c1b"],"to":"0x76861195efbd671ffcc8d7120e3b2ba7e4ec1c9b","customer":{"type":"individual","kycCountry":"US","createdAt":"2024-06-01T00:00:00.000Z"}}';
// Observed a day before the log it explains, read after the crash.
const LABEL = '{"schema":"intel.label.v1","chain":"ethereum","address":"0xf70af935b72e161874480ceacf391288c4e5299d","label":"stolen-funds","entity":"DeFi exploit (operator intel)","source":"operator:stolen-funds","confidence":0.9,"observedAt":"2025-01-17T20:40:17.109Z"}';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

describe('monitor: a crash between messages applied and an older one read after it', () => {
  it('publishes the late label\'s alert after a SIGKILL, as a run without the crash does', async () => {
    const run = newRun();
    runs.push(run);
    // No journal and no periodic checkpoint: the restart re-reads everything, the cursors tell it what was applied.
    const env = { CHECKPOINT_JOURNAL_EVERY_SECONDS: '0', CHECKPOINT_EVERY_SECONDS: '86400', CHECKPOINT_EVERY_MESSAGES: '1000000' };
    await produceSample(run, [LOG, DEPOSIT]);
    const first = startMonitor(run, 'a', env);
    try {
      await waitFor(() => caughtUp(run), 120_000, 'the first run to apply and commit the log and the deposit');
    } finally {
      await stopMonitor(first, 'SIGKILL');
    }
    expect(await readAll(run.alertTopic, 30_000)).toEqual([]);
    await produceInOrder(run, [LABEL]);
    const second = startMonitor(run, 'a', env);
    try {
      await waitFor(() => caughtUp(run), 120_000, 'the restarted run to apply and commit the label');
    } finally {
      expect(await stopMonitor(second, 'SIGTERM')).toBe(0);
    }
    const expected = await expectedOf([LOG, DEPOSIT, LABEL]);
    expect(expected.alerts).toHaveLength(1);
    expect(expected.alerts[0]).toContain('"ruleId":"stolen-funds.proximity"');
    expect((await readAll(run.alertTopic)).sort()).toEqual(expected.alerts);
  }, 300_000);
});
