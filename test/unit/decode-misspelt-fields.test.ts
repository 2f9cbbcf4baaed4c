/**
 * A refused message names its fields that look like a misspelling of a field it lacks: the
 * session 62 black-box pass fed a deposit with `amout` for `amount`, and the dead letter said only
 * "amount: Invalid input: expected string, received undefined".
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { MAX_UNKNOWN_KEYS, nearInLength } from '../../src/decode/misspelt-fields.js';

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

describe('the misspelling hints\' work on a large refused message is bounded (review of session 62)', () => {
  // The hints compared every unknown key with every missing field by a full edit-distance table:
  // a 500,000-character key took 2 s of CPU, and 50,000 unknown keys of 15 characters about
  // 1.5 s, the event loop blocked all the while. The bounds are asserted as what is compared,
  // not as time (tests assert no timings).
  const { amount: _amount, ...noAmount } = transfer;

  it('compares a 500,000-character unknown key with no missing field (none is near its length)', () => {
    const fields = Object.keys(noAmount).concat('amount');
    expect(nearInLength('k'.repeat(500_000), fields)).toEqual([]);
    expect(nearInLength('amout', fields)).toContain('amount');
    expect(reasonOf({ ...noAmount, ['k'.repeat(500_000)]: 1 })).not.toContain('did you mean');
  });

  it(`reads at most ${MAX_UNKNOWN_KEYS} unknown keys of an object: a misspelling after them is not named`, () => {
    const many: Record<string, unknown> = { ...noAmount };
    for (let i = 0; i < 50_000; i++) many[`extraField${i}`] = 1;
    expect(reasonOf({ ...many, amout: '2500.00' })).not.toContain('did you mean amount?');
    const few: Record<string, unknown> = { ...noAmount };
    for (let i = 0; i < MAX_UNKNOWN_KEYS - 1; i++) few[`extraField${i}`] = 1;
    expect(reasonOf({ ...few, amout: '2500.00' })).toContain('amout: not a field of exchange.transfer.v1: did you mean amount?');
  });

  it('still names a misspelt field among a few unknown keys', () => {
    expect(reasonOf({ ...noAmount, note: 'x', tag: 'y', amout: '2500.00' })).toContain('amout: not a field of exchange.transfer.v1: did you mean amount?');
  });
});
