/**
 * fast-check generators for contract fields, valid and invalid, shared by the fast-path and time
 * parser property tests. Each field generator is mostly valid and sometimes not, so that a whole
 * message is valid about half the time and every check gets both verdicts.
 */
import fc from 'fast-check';

/** Mostly `valid`, one time in `1 + validWeight` `invalid`. */
export const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>, validWeight = 30): fc.Arbitrary<T | U> =>
  fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: invalid, weight: 1 });

/** JSON values of every kind, for a field that should hold something else. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', ' ', 'null', [], {}, [''], { a: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A string of exactly `length` UTF-16 code units built from `unit` (zod counts code points, so an astral unit counts once there). */
function ofLength(length: number, unit: string): string {
  const whole = Math.floor(length / unit.length);
  return unit.repeat(whole) + 'a'.repeat(length - whole * unit.length);
}

/**
 * Strings whose length sits around [min, max]: mostly inside, sometimes exactly at a bound or one
 * past it, built from units that zod and UTF-16 count differently (astral characters, lone surrogates).
 */
export function sizedText(min: number, max: number): fc.Arbitrary<string> {
  const length = fc.oneof(
    { arbitrary: fc.constantFrom(min, max, max + 1, Math.max(0, min - 1)), weight: 1 },
    { arbitrary: fc.integer({ min, max: Math.min(max, min + 24) }), weight: 10 },
  );
  const unit = fc.constantFrom('a', 'Z', '7', ' ', 'é', '😀', '\u0000', '"', '\ud800', '\udc00', '\udc00\ud800');
  return fc.oneof(
    { arbitrary: fc.tuple(length, unit).map(([n, u]) => ofLength(n, u)), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: Math.min(max, min + 16) }), weight: 1 },
  );
}

/** Text of about [min, max] code points (see sizedText), else now and then junk of another type. */
export const textField = (min: number, max: number): fc.Arbitrary<unknown> => mostly(sizedText(min, max), junk, 25);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * ISO times from components, each mostly in range and sometimes one step out (month 13, day 0,
 * 2025-02-29, hour 24, second 60), with fractions of 0 to 10 digits and a few zones.
 */
export const isoTimeText: fc.Arbitrary<string> = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1970, max: 2100 }), fc.constantFrom(0, 1, 4, 99, 100, 400, 1900, 2000, 9999)),
    month: mostly(fc.integer({ min: 1, max: 12 }), fc.constantFrom(0, 13, 99), 20),
    day: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 28 }), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: 32 }), weight: 2 }),
    hour: mostly(fc.integer({ min: 0, max: 23 }), fc.constantFrom(24, 25, 99), 20),
    minute: mostly(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60, 99), 30),
    second: mostly(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60, 61, 99), 30),
    fraction: fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, { arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 10 }).map((d) => `.${d}`), weight: 3 }),
    zone: mostly(fc.constantFrom('Z', '+00:00'), fc.constantFrom('', 'z', '-00:00', '+01:00', '+0000', 'Z ', ' Z', 'UTC')),
  })
  .map((t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.zone}`);

/** One character of a string replaced, deleted or inserted (near-misses of a valid form). */
export function nearMiss(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const char = fc.oneof(fc.constantFrom('0', '9', '-', ':', 'T', 't', 'Z', '.', '+', ' ', '١'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }));
  return fc.tuple(valid, fc.nat(), char, fc.constantFrom('replace', 'delete', 'insert')).map(([s, i, c, how]) => {
    const at = s.length === 0 ? 0 : i % s.length;
    if (how === 'delete') return s.slice(0, at) + s.slice(at + 1);
    if (how === 'insert') return s.slice(0, at) + c + s.slice(at);
    return s.slice(0, at) + c + s.slice(at + 1);
  });
}

const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Decimal strings around the contract's limits: 30 whole digits, 18 fraction digits, zero, leading zeros, signs, exponents. */
export const decimalText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: 9 }), digits(0, 6), fc.option(digits(1, 6), { nil: undefined })).map(([h, w, f]) => `${h}${w}${f === undefined ? '' : `.${f}`}`), weight: 8 },
  { arbitrary: fc.tuple(digits(0, 31), fc.option(digits(0, 19), { nil: undefined })).map(([w, f]) => `${w}${f === undefined ? '' : `.${f}`}`), weight: 3 },
  { arbitrary: fc.constantFrom('0', '0.0', '0.000000000000000001', '0.0000000000000000001', '1' + '0'.repeat(29), '1' + '0'.repeat(30), '9'.repeat(30) + '.' + '9'.repeat(18), '00.1', '01', '1.', '.5', '-5', '+5', '1e3', '1_000', ' 1', '1 ', '١', '0x10', 'Infinity', '2500.00'), weight: 2 },
);

/** IPv4 octets around the limits: 0 to 255, and past them, with leading zeros, empty, signed. */
const octetText: fc.Arbitrary<string> = mostly(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('256', '999', '1000', '00', '01', '001', '', '-1', '+1', ' 1', '0x1', '١'), 8);

/**
 * IP address text: mostly valid IPv4 and IPv6 literals (the session logs' forms: compressed,
 * full, mixed case, an IPv4 tail, a zone index), sometimes near-misses (an octet past 255, three or
 * five octets, a leading zero, two `::`, a stray character).
 */
export const ipText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.ipV4(), weight: 6 },
  { arbitrary: fc.ipV6(), weight: 3 },
  { arbitrary: fc.constantFrom('::', '::1', '::ffff:203.0.113.7', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '0.0.0.0', '255.255.255.255', '100.64.0.1'), weight: 1 },
  { arbitrary: fc.array(octetText, { minLength: 3, maxLength: 5 }).map((o) => o.join('.')), weight: 3 },
  { arbitrary: nearMiss(fc.oneof(fc.ipV4(), fc.ipV6())), weight: 2 },
  { arbitrary: fc.constantFrom('999.1.1.1', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%', 'fe80::1%eth0', 'localhost', 'unknown', '203.0.113.7 ', '203.0.113.7/32', '[2001:db8::1]'), weight: 1 },
);
