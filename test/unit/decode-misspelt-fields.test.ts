/**
 * A refused message names its fields that look like a misspelling of a field it lacks: the
 * session 62 black-box pass fed a deposit with `amout` for `amount`, and the dead letter said only
 * "amount: Invalid input: expected string, received undefined".
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';

const transfer = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'deposit', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', from: [], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
  session: { ip: '203.0.113.7', ipCountry: 'FR', vpn: false },
};
const login = { schema: 'exchange.login.v1', eventId: 'l-1', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1', ip: '203.0.113.7', ipCountry: 'FR', vpn: false };

/** The reject's reason, with and without the fast path (which must agree). */
function reasonOf(message: object): string {
  const text = JSON.stringify(message);
  const [fast, zod] = [decodeMessage(text), decodeMessage(text, { ...DEFAULT_DECODE_OPTIONS, fastPath: false })];
  if (fast.ok || zod.ok) throw new Error(`accepted: ${text}`);
  expect(fast.reject).toEqual(zod.reject);
  expect(fast.reject.code).toBe('TW_SCHEMA');
  return fast.reject.reason;
}

describe('a refused message with a misspelt field', () => {
  it('names the misspelt top-level field and the field it lacks', () => {
    const { amount: _amount, ...rest } = transfer;
    expect(reasonOf({ ...rest, amout: '2500.00' })).toContain('amout: not a field of exchange.transfer.v1: did you mean amount?');
    const { occurredAt: _at, ...noTime } = login;
    expect(reasonOf({ ...noTime, ocurredAt: '2025-01-16T09:30:00Z' })).toContain('ocurredAt: not a field of exchange.login.v1: did you mean occurredAt?');
  });

  it('names a misspelt field of a transfer\'s session', () => {
    expect(reasonOf({ ...transfer, session: { ip: '203.0.113.7', ipCountyr: 'FR', vpn: false } })).toContain('session.ipCountyr: not a field of exchange.transfer.v1\'s session: did you mean session.ipCountry?');
  });

  it('suggests nothing for an unknown field far from every missing one, nor for a short name two edits away', () => {
    const { amount: _amount, ...rest } = transfer;
    expect(reasonOf({ ...rest, memo: 'x' })).not.toContain('did you mean');
    const { to: _to, ...noTo } = transfer;
    expect(reasonOf({ ...noTo, tag: 'x' })).not.toContain('did you mean');
  });

  it('leaves an accepted message with an unknown field accepted (the contract may add optional fields)', () => {
    expect(decodeMessage(JSON.stringify({ ...transfer, memo: 'x', amout: '1' })).ok).toBe(true);
  });
});

describe('the misspelling hints\' cost on a large refused message (review of session 62)', () => {
  // The hints compared every unknown key with every missing field by a full edit-distance table:
  // a 500,000-character key took 2 s of CPU, and 50,000 unknown keys of
  // 15 characters about 1.5 s, the event loop blocked all the while. Both cases cost milliseconds
  // without the hints. Measured in the process's CPU time, which other work on the machine does
  // not lengthen, with a wide bound.
  const BOUND_MS = 500;
  const { amount: _amount, ...noAmount } = transfer;
  const refusedWithin = (message: object): number => {
    const text = JSON.stringify(message);
    const started = process.cpuUsage();
    const result = decodeMessage(text);
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    expect(result.ok).toBe(false);
    return ms;
  };

  it('refuses a message with one 500,000-character unknown key without comparing it letter by letter with every missing field', () => {
    expect(refusedWithin({ ...noAmount, ['k'.repeat(500_000)]: 1 })).toBeLessThan(BOUND_MS);
  });

  it('refuses a message with 50,000 unknown keys without comparing each with every missing field', () => {
    const many: Record<string, unknown> = { ...noAmount };
    for (let i = 0; i < 50_000; i++) many[`extraField${i}`] = 1;
    expect(refusedWithin(many)).toBeLessThan(BOUND_MS);
  });

  it('still names a misspelt field among a few unknown keys', () => {
    expect(reasonOf({ ...noAmount, note: 'x', tag: 'y', amout: '2500.00' })).toContain('amout: not a field of exchange.transfer.v1: did you mean amount?');
  });
});
