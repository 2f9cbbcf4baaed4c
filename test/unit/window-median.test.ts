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
  it('reads the newest WINDOW_READ_LIMIT other withdrawals of the window', () => {
    const rand = prng(8);
    const pipeline = new Pipeline({ rules: rules() });
    // 200 older withdrawals of 1,000, then 150 newer of 10, all within 90 days: the whole window's
    // median is 1,000, the newest 256 other withdrawals' (107 of 1,000 and 149 of 10) is 10.
    const amounts = [...Array<number>(200).fill(1_000), ...Array<number>(150).fill(10)];
    amounts.forEach((amount, i) => {
      pipeline.process(transfer({ eventId: `busy-${i}`, kind: 'withdrawal', time: T0 + i * 3 * 3_600_000, accountId: 'acct-busy', chain: 'ethereum', asset: 'USDT', amount, to: evmAddress(rand) }, rand), { line: i + 1 });
    });
    const trigger = pipeline.state.transfer('busy-349') as TransferEvent;
    const env = { trigger, ctx: {}, graph: pipeline.graph, state: pipeline.state, asOf: trigger.time } as unknown as Env;
    const result = compileSignal(medianSpec(true))(env);
    expect(String(result.value)).toBe('10');
    expect(result.eventIds).toHaveLength(256);
    expect(result.eventIds).not.toContain('busy-349');
  });

  it('counts withdrawals toward the read limit, not the deposits between them', () => {
    // Five withdrawals of 1,000 over five days, then 300 deposits of 50, a withdrawal of 100 among
    // them, then the trigger: the newest 256 items hold the 100 alone (median 100, so 5,000 was 50
    // times it); the 90 days' other withdrawals have a median of 1,000.
    const rand = prng(9);
    const pipeline = new Pipeline({ rules: rules() });
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) lines.push(transfer({ eventId: `w-${i}`, kind: 'withdrawal', time: T0 + i * DAY, accountId: 'acct-shop', chain: 'ethereum', asset: 'USDT', amount: 1_000, to: evmAddress(rand) }, rand));
    for (let i = 0; i < 300; i++) {
      const time = T0 + 10 * DAY + i * 600_000;
      lines.push(transfer({ eventId: `d-${i}`, kind: 'deposit', time, accountId: 'acct-shop', chain: 'ethereum', asset: 'USDT', amount: 50, from: [evmAddress(rand)], to: evmAddress(rand) }, rand));
      if (i === 250) lines.push(transfer({ eventId: 'w-small', kind: 'withdrawal', time: time + 1, accountId: 'acct-shop', chain: 'ethereum', asset: 'USDT', amount: 100, to: evmAddress(rand) }, rand));
    }
    lines.push(transfer({ eventId: 'w-trigger', kind: 'withdrawal', time: T0 + 20 * DAY, accountId: 'acct-shop', chain: 'ethereum', asset: 'USDT', amount: 5_000, to: evmAddress(rand) }, rand));
    lines.forEach((line, i) => pipeline.process(line, { line: i + 1 }));
    const trigger = pipeline.state.transfer('w-trigger') as TransferEvent;
    const result = compileSignal(medianSpec(true))({ trigger, ctx: {}, graph: pipeline.graph, state: pipeline.state, asOf: trigger.time } as unknown as Env);
    expect(String(result.value)).toBe('1000');
    expect(result.eventIds).toHaveLength(6);
  });
});

describe('window median of unpriced withdrawals', () => {
  it('does not hold when no other withdrawal has a USD value (no median of 0)', () => {
    const rand = prng(10);
    const pipeline = new Pipeline({ rules: rules() });
    const lines = [
      transfer({ eventId: 'u-0', kind: 'withdrawal', time: T0, accountId: 'acct-u', chain: 'ethereum', asset: 'NOPRICE', amount: 5_000, usd: false, to: evmAddress(rand) }, rand),
      transfer({ eventId: 'u-1', kind: 'withdrawal', time: T0 + DAY, accountId: 'acct-u', chain: 'ethereum', asset: 'NOPRICE', amount: 7_000, usd: false, to: evmAddress(rand) }, rand),
      transfer({ eventId: 'u-2', kind: 'withdrawal', time: T0 + 2 * DAY, accountId: 'acct-u', chain: 'ethereum', asset: 'USDT', amount: 300, to: evmAddress(rand) }, rand),
    ];
    lines.forEach((line, i) => pipeline.process(line, { line: i + 1 }));
    const trigger = pipeline.state.transfer('u-2') as TransferEvent;
    const result = compileSignal(medianSpec(true))({ trigger, ctx: {}, graph: pipeline.graph, state: pipeline.state, asOf: trigger.time } as unknown as Env);
    expect(result.ok).toBe(false);
  });
});
