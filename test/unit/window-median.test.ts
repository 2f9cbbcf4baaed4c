/**
 * The `window` op's `median` aggregate and `excludeTrigger` (session 49): T9's "10 times the
 * account's 90-day median withdrawal" reads the median of the account's other withdrawals, exact,
 * the mean of the two middle values for an even count.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { compileSignal, type Env } from '../../src/engine/signals.js';
import { signalSchema } from '../../src/engine/rule-schema.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { DAY, evmAddress, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 3);

/** Withdrawals of 100, 400, 900 and 5,000 USDT over ten days, then one of 30,000 (the trigger). */
function pipelineWithWithdrawals(): Pipeline {
  const rand = prng(7);
  const pipeline = new Pipeline({ rules: rules() });
  const amounts = [100, 400, 900, 5_000, 30_000];
  amounts.forEach((amount, i) => {
    const line = transfer({ eventId: `wd-${i}`, kind: 'withdrawal', time: T0 + i * 2 * DAY, accountId: 'acct-m', chain: 'ethereum', asset: 'USDT', amount, to: evmAddress(rand) }, rand);
    pipeline.process(line, { line: i + 1 });
  });
  return pipeline;
}

const medianSpec = (excludeTrigger: boolean) => signalSchema.parse({ op: 'window', of: { kinds: ['withdrawal'] }, key: 'account', within: '90d', agg: 'median', field: 'usd', excludeTrigger, pass: { gte: 0 } });

describe('window median', () => {
  const pipeline = pipelineWithWithdrawals();
  const trigger = pipeline.state.transfer('wd-4') as TransferEvent;
  const env = { trigger, ctx: {}, graph: pipeline.graph, state: pipeline.state, asOf: trigger.time } as unknown as Env;

  it('is the mean of the two middle values of the other withdrawals when the trigger is left out', () => {
    const result = compileSignal(medianSpec(true))(env);
    expect(result.ok).toBe(true);
    expect(String(result.value)).toBe('650');
    expect(result.eventIds).not.toContain('wd-4');
  });

  it('counts the trigger when it is not left out (the middle of five values)', () => {
    const result = compileSignal(medianSpec(false))(env);
    expect(String(result.value)).toBe('900');
  });

  it('does not hold for an account with no other withdrawal in the window', () => {
    const first = pipeline.state.transfer('wd-0') as TransferEvent;
    const result = compileSignal(medianSpec(true))({ ...env, trigger: first, asOf: first.time } as unknown as Env);
    expect(result.ok).toBe(false);
  });
});

describe('window median of a busy account', () => {
  it('reads the newest WINDOW_READ_LIMIT items of the window, as other scanning signals do', () => {
    const rand = prng(8);
    const pipeline = new Pipeline({ rules: rules() });
    // 200 older withdrawals of 1,000, then 150 newer of 10, all within 90 days: the whole window's
    // median is 1,000, the newest 256 items' (106 of 1,000 and 150 of 10) is 10.
    const amounts = [...Array<number>(200).fill(1_000), ...Array<number>(150).fill(10)];
    amounts.forEach((amount, i) => {
      pipeline.process(transfer({ eventId: `busy-${i}`, kind: 'withdrawal', time: T0 + i * 3 * 3_600_000, accountId: 'acct-busy', chain: 'ethereum', asset: 'USDT', amount, to: evmAddress(rand) }, rand), { line: i + 1 });
    });
    const trigger = pipeline.state.transfer('busy-349') as TransferEvent;
    const env = { trigger, ctx: {}, graph: pipeline.graph, state: pipeline.state, asOf: trigger.time } as unknown as Env;
    const result = compileSignal(medianSpec(true))(env);
    expect(String(result.value)).toBe('10');
    expect(result.eventIds).toHaveLength(255);
  });
});
