import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAINS, type Chain } from '../../src/contract/primitives.js';
import { LIMITS, loginSchema, transferSchema } from '../../src/contract/schemas.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS, type DecodeResult } from '../../src/decode/decode.js';
import { fastParseLogin, fastParseTransfer } from '../../src/decode/fast-path.js';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from '../../src/decode/identifier-text.js';
import { decimalText, ipText, isoTimeText, junk, mostly, nearMiss, sizedText, textField } from '../helpers/arbitraries.js';
import { agreesWithZod, expectSameValue, newTally } from '../helpers/fast-path-agreement.js';
import { sampleLines } from '../helpers/sample.js';

/**
 * The fast path must be zod, only quicker: on every message it accepts exactly what zod accepts,
 * with the same value (keys, key order, defaults, stripped extras), and decodeMessage gives the
 * same accept or the same reject, byte for byte, with and without it.
 */

/** Valid addresses of each family (and junk), so that generated messages also get through decoding. */
const ADDRESSES: Record<'btc' | 'evm' | 'tron', string[]> = {
  evm: ['0x52908400098527886e0f7030069857d2e4169ee7', '0x52908400098527886E0F7030069857D2E4169EE7', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', '0xDe0B295669a9FD93d5F28D9Ec85E40f4cb697BAe'],
  btc: ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'],
  tron: ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u'],
};
const familyOf = (chain: Chain): keyof typeof ADDRESSES => (chain === 'bitcoin' ? 'btc' : chain === 'tron' ? 'tron' : 'evm');
const address = (chain: Chain): fc.Arbitrary<unknown> => mostly(fc.constantFrom(...ADDRESSES[familyOf(chain)]), textField(1, LIMITS.address), 6);

/**
 * An identifier field (an id, a device, a provider, an asset, a hash): mostly well-formed text
 * without the control or formatting characters identifiers refuse (identifier-text.ts), else any
 * text (lone surrogates, NULs), so that enough messages are still accepted to compare both paths
 * on them, and the refusals still occur.
 */
/** UTF-16 without a lone surrogate. */
const WELL_FORMED = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const identifierField = (min: number, max: number): fc.Arbitrary<unknown> =>
  mostly(textField(min, max).filter((v) => typeof v !== 'string' || (!hasControlCharacter(v) && WELL_FORMED.test(v))), textField(min, max), 8);

/** An optional field: absent most of the time (undefined is dropped by JSON.stringify), now and then null, which decoding reads as absent (src/contract/null-optionals.ts). */
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> => fc.oneof({ arbitrary: fc.option(arb, { nil: undefined, freq: 2 }), weight: 6 }, { arbitrary: fc.constant(null), weight: 1 });

/** Times on either side of the genesis-block bound (TW_TIME_PAST), beside the generated ones (years 0 to 9999). */
const nearGenesis = fc.constantFrom('2009-01-03T18:15:05Z', '2009-01-03T18:15:04.999Z', '2009-01-03T18:15:05.000+00:00', '2008-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z');
/** Mostly possible years (after the bound), so that enough messages are accepted to compare both paths on them. */
const sinceGenesis = isoTimeText.filter((t) => t >= '2009-01-04');
const time = mostly(fc.oneof({ arbitrary: sinceGenesis, weight: 8 }, { arbitrary: isoTimeText, weight: 2 }, { arbitrary: nearGenesis, weight: 1 }), fc.oneof(nearMiss(isoTimeText), junk), 8);
/** IP literals and near-misses, and now and then any text or junk (the length limit is checked too). */
const ip = mostly(ipText, textField(1, LIMITS.ip), 8);
const country = mostly(fc.constantFrom('US', 'KP', 'DE', 'CN'), fc.constantFrom('us', 'USA', 'U', '', 'ÜS', 'U1', 'US\n', null, 1));
const usdValue = optional(mostly(
  fc.oneof(fc.double({ min: 0, max: LIMITS.usdValue, noNaN: true }), fc.constantFrom(0, LIMITS.usdValue, 2500, 0.01)),
  fc.constantFrom(-1, -1e-300, 1.0000000000001e13, 1e20, '5', null, 'INFINITY'),
));

const fromList = (chain: Chain): fc.Arbitrary<unknown> => fc.oneof(
  { arbitrary: fc.array(address(chain), { maxLength: 3 }), weight: 20 },
  { arbitrary: fc.constantFrom(LIMITS.fromAddresses, LIMITS.fromAddresses + 1).map((n) => Array<string>(n).fill(ADDRESSES[familyOf(chain)][0]!)), weight: 1 },
  { arbitrary: junk, weight: 1 },
);

const session = mostly(
  fc.record(
    { ip, ipCountry: country, vpn: mostly(fc.boolean(), junk), vpnProvider: optional(identifierField(0, LIMITS.vpnProvider)), deviceId: optional(identifierField(0, LIMITS.deviceId)) },
    { requiredKeys: ['ip', 'ipCountry', 'vpn'] },
  ),
  junk,
);

const customer = mostly(
  fc.record({ type: mostly(fc.constantFrom('individual', 'business'), junk), kycCountry: country, createdAt: time }),
  junk,
);

const transferOn = (chain: Chain): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      schema: mostly(fc.constant('exchange.transfer.v1'), fc.constantFrom('exchange.login.v1', 'exchange.transfer.v2', null)),
      eventId: identifierField(1, 128),
      kind: mostly(fc.constantFrom('deposit', 'withdrawal'), fc.constantFrom('Deposit', '', null, 1)),
      status: optional(mostly(fc.constantFrom('requested', 'completed'), fc.constantFrom('pending', 'Completed', null, true))),
      occurredAt: time,
      accountId: identifierField(1, LIMITS.accountId),
      chain: mostly(fc.constant(chain), fc.constantFrom('dogechain', 'Ethereum', '', null, 1)),
      asset: identifierField(1, LIMITS.asset),
      amount: mostly(decimalText, junk, 20),
      usdValue,
      txHash: optional(identifierField(1, LIMITS.txHash)),
      from: fromList(chain),
      to: address(chain),
      session: optional(session),
      customer: optional(customer),
    },
    { requiredKeys: ['schema', 'eventId', 'kind', 'occurredAt', 'accountId', 'chain', 'asset', 'amount', 'from', 'to'] },
  );

const login: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    schema: mostly(fc.constant('exchange.login.v1'), fc.constantFrom('exchange.transfer.v1', null)),
    eventId: identifierField(1, 128),
    occurredAt: time,
    accountId: identifierField(1, LIMITS.accountId),
    ip,
    ipCountry: country,
    vpn: mostly(fc.boolean(), junk),
    vpnProvider: optional(identifierField(0, LIMITS.vpnProvider)),
    deviceId: optional(identifierField(0, LIMITS.deviceId)),
  },
  { requiredKeys: ['schema', 'eventId', 'occurredAt', 'accountId', 'ip', 'ipCountry', 'vpn'] },
);

/** Structural damage: a field removed or replaced (at the top or inside session/customer), an unknown key added. */
type Mutation = { op: 'delete' | 'replace' | 'add'; path: string[]; value: unknown };
const FIELDS = ['schema', 'eventId', 'kind', 'status', 'occurredAt', 'accountId', 'chain', 'asset', 'amount', 'usdValue', 'txHash', 'from', 'to', 'session', 'customer', 'ip', 'ipCountry', 'vpn', 'vpnProvider', 'deviceId'];
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'replace', 'add'),
  path: fc.oneof(
    fc.constantFrom(...FIELDS).map((f) => [f]),
    fc.tuple(fc.constantFrom('session', 'customer'), fc.constantFrom('ip', 'ipCountry', 'vpn', 'vpnProvider', 'deviceId', 'type', 'kycCountry', 'createdAt')),
  ),
  value: junk,
});
const EXTRA_KEYS = ['extra', 'constructor', 'toString', 'hasOwnProperty', 'Schema', 'event_id', '', 'valueOf'];

function applyMutation(message: Record<string, unknown>, m: Mutation): void {
  let target: unknown = message;
  for (const key of m.path.slice(0, -1)) target = (target as Record<string, unknown>)[key];
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return;
  const record = target as Record<string, unknown>;
  const key = m.path[m.path.length - 1]!;
  if (m.op === 'delete') delete record[key];
  else if (m.op === 'replace') record[key] = m.value;
  else record[EXTRA_KEYS[key.length % EXTRA_KEYS.length]!] = m.value;
}

/**
 * JSON text of a message after its mutations. Some damage only exists as text: a number too large
 * for a double (parsed as Infinity), an own `__proto__` key, a duplicated key.
 */
function toText(message: Record<string, unknown>, mutations: readonly Mutation[], textual: number): string {
  const copy = structuredClone(message);
  for (const m of mutations) applyMutation(copy, m);
  let text = JSON.stringify(copy).replaceAll('"INFINITY"', '1e999');
  if (textual === 1) text = text.replace('{', '{"__proto__":{"eventId":"x","status":"requested"},');
  if (textual === 2) text = text.replace(/}$/, ',"eventId":"duplicate"}');
  return text;
}

const messageText = (message: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> =>
  fc.tuple(message, fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }), weight: 1 }), fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2))
    .map(([m, mutations, textual]) => toText(m, mutations, textual));

const transferText = fc.constantFrom(...CHAINS).chain((chain) => messageText(transferOn(chain)));
const loginText = messageText(login);

const ipOf = (text: string): unknown => { const v = JSON.parse(text) as Record<string, unknown>; return typeof v.session === 'object' && v.session !== null ? (v.session as Record<string, unknown>).ip : v.ip; };

const RUNS = 5000;

describe('decode fast path', () => {
  it(`accepts and rejects exactly the transfers zod does, with the identical parsed value (${RUNS} generated messages)`, () => {
    const tally = newTally();
    fc.assert(fc.property(transferText, (text) => agreesWithZod(text, transferSchema, fastParseTransfer, tally)), { numRuns: RUNS, seed: 20261130 });
    // Both verdicts must be well exercised, or the agreement proves little.
    expect(tally.accepted).toBeGreaterThan(RUNS * 0.2);
    expect(tally.rejected).toBeGreaterThan(RUNS * 0.2);
  });

  it(`accepts and rejects exactly the logins zod does, with the identical parsed value (${RUNS} generated messages)`, () => {
    const tally = newTally();
    fc.assert(fc.property(loginText, (text) => agreesWithZod(text, loginSchema, fastParseLogin, tally)), { numRuns: RUNS, seed: 20261131 });
    expect(tally.accepted).toBeGreaterThan(RUNS * 0.2);
    expect(tally.rejected).toBeGreaterThan(RUNS * 0.2);
  });

  it('fills the status default, strips unknown keys and keeps absent optional keys absent, in zod key order', () => {
    const value = { to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', from: [], amount: '1', asset: 'USDT', chain: 'ethereum', accountId: 'a', occurredAt: '2025-01-16T09:30:00Z', kind: 'deposit', eventId: 'e', schema: 'exchange.transfer.v1', extra: 1, session: { vpn: false, ipCountry: 'US', ip: '10.0.0.1', other: 2 } };
    const parsed = fastParseTransfer(JSON.parse(JSON.stringify(value)));
    expect(Object.keys(parsed!)).toEqual(['schema', 'eventId', 'kind', 'status', 'occurredAt', 'accountId', 'chain', 'asset', 'amount', 'from', 'to', 'session']);
    expect(parsed!.status).toBe('completed');
    expect(Object.keys(parsed!.session!)).toEqual(['ip', 'ipCountry', 'vpn']);
  });
});

// Generated times reach far past today: the clock bound (decode.test.ts) is left out of this comparison.
const FAST = { ...DEFAULT_DECODE_OPTIONS, maxAheadMs: undefined };
const ZOD_ONLY = { ...FAST, fastPath: false };

function sameDecode(text: string): DecodeResult {
  const fast = decodeMessage(text, FAST);
  expectSameValue(fast, decodeMessage(text, ZOD_ONLY));
  return fast;
}

describe('decodeMessage with and without the fast path', () => {
  it(`gives the same event or the same reject (code, reason, issues) for ${RUNS} generated transfers and logins`, () => {
    const codes = new Map<string, number>();
    fc.assert(fc.property(fc.oneof(transferText, loginText), (text) => {
      const r = sameDecode(text);
      // The session IP check (an address unless SESSION_IP_FORMAT=any) follows either path: counted apart, both ways.
      const ipRefused = !r.ok && r.reject.issues?.length === 1 && /^(session\.)?ip$/.test(r.reject.issues[0]!.path) && r.reject.reason.includes('not an IPv4 or IPv6 address');
      // So does the control-character check of identifiers (session 47).
      const controlRefused = !r.ok && r.reject.reason.endsWith(CONTROL_CHARACTER_MESSAGE);
      for (const code of [r.ok ? 'ok' : r.reject.code, ...(r.ok && String(ipOf(text)).includes(':') ? ['ok-ipv6'] : []), ...(ipRefused ? ['ip-refused'] : []), ...(controlRefused ? ['control-refused'] : [])]) codes.set(code, (codes.get(code) ?? 0) + 1);
    }), { numRuns: RUNS, seed: 20261132 });
    // Accepts, schema rejects and address rejects all occur, so each branch was compared. Text
    // with a lone surrogate (a third of the generated messages hold one: the generators use them
    // to tell code points from UTF-16 units) is refused as TW_ENCODING before either path.
    expect(codes.get('ok')).toBeGreaterThan(RUNS * 0.1);
    expect(codes.get('control-refused')).toBeGreaterThan(RUNS * 0.002);
    expect(codes.get('ok-ipv6')).toBeGreaterThan(RUNS * 0.01);
    expect(codes.get('ip-refused')).toBeGreaterThan(RUNS * 0.01);
    expect(codes.get('TW_ENCODING')).toBeGreaterThan(RUNS * 0.01);
    expect(codes.get('TW_SCHEMA')).toBeGreaterThan(RUNS * 0.2);
    expect(codes.get('TW_ADDRESS')).toBeGreaterThan(RUNS * 0.01);
    // Event times before the genesis block (session 63), judged after either path.
    expect(codes.get('TW_TIME_PAST')).toBeGreaterThan(RUNS * 0.01);
  });

  it('gives the same result for every line of the bundled sample', () => {
    for (const line of sampleLines()) sameDecode(line);
  });

  it('rejects schema names inherited from Object.prototype instead of throwing', () => {
    for (const schema of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const r = decodeMessage(JSON.stringify({ schema }));
      expect(r.ok ? undefined : r.reject.code).toBe('TW_UNKNOWN_SCHEMA');
    }
  });
});
