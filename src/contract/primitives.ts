import { isIPv6 } from 'node:net';
import { z } from 'zod';

/**
 * Chains the contract names, and further EVM chains (the contract allows "another EVM chain
 * name"; its six are examples): the widely used L1s and L2s where stablecoins move. Every name but
 * bitcoin and tron is an EVM chain; any other name is refused as an unknown chain.
 */
export const EVM_CHAINS = ['ethereum', 'polygon', 'arbitrum', 'base', 'bsc', 'optimism', 'avalanche', 'linea', 'zksync', 'scroll', 'fantom', 'gnosis', 'mantle', 'blast', 'celo'] as const;
export const CHAINS = ['bitcoin', 'tron', ...EVM_CHAINS] as const;
export type Chain = (typeof CHAINS)[number];
export type ChainFamily = 'btc' | 'evm' | 'tron';

export function chainFamily(chain: Chain): ChainFamily {
  if (chain === 'bitcoin') return 'btc';
  if (chain === 'tron') return 'tron';
  return 'evm';
}

export const chainSchema = z.enum(CHAINS, { error: (issue) => `unknown chain ${JSON.stringify(issue.input)}` });

let lastText = '';
let lastMs: number | undefined;

/**
 * Parses a strict ISO-8601 UTC time to epoch milliseconds, or returns undefined:
 * `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits (truncated to milliseconds, as
 * Date.parse does), then `Z` or `+00:00`. The date must exist (no 2025-02-30, no hour 24, no leap
 * second), so every accepted text names exactly one instant.
 */
export function parseIsoUtc(text: string): number | undefined {
  // Validation and decoding both ask for the same string in a row: a one-entry memo halves the work.
  if (text === lastText) return lastMs;
  lastText = text;
  lastMs = parseUncached(text);
  return lastMs;
}

/**
 * Epoch milliseconds of a time the contract has already validated (`isoTime`): what Date.parse
 * gives for it, by the strict parser above (a few dozen character reads, where Date.parse's
 * general grammar costs many times that on every rule evaluation that ages an account).
 */
export function validatedTimeMs(text: string): number {
  return parseIsoUtc(text) ?? Date.parse(text);
}

const DIGIT_0 = 48;
const HYPHEN = 45;
const LETTER_T = 84;
const COLON = 58;
const DOT = 46;
const DAY_MS = 86_400_000;

/** The value of the two ASCII digits at `at`, or -1 if either is not a digit. Reads chars, builds no strings. */
function twoDigitsAt(text: string, at: number): number {
  const high = text.charCodeAt(at) - DIGIT_0;
  const low = text.charCodeAt(at + 1) - DIGIT_0;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/** The value of the four ASCII digits at `at`, or -1 if any is not a digit. */
function fourDigitsAt(text: string, at: number): number {
  const high = twoDigitsAt(text, at);
  const low = twoDigitsAt(text, at + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}

const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, m: number): number => (m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]!);

/** Days from 1970-01-01 to a proleptic Gregorian date (year 0 to 9999), by whole 400-year eras. */
function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Where the fraction ends (the index after its last digit), or -1 if it has none or more than 9 digits. */
function fractionEnd(text: string, dot: number): number {
  let i = dot + 1;
  while (i < text.length && i - dot <= 10) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) break;
    i++;
  }
  const count = i - dot - 1;
  return count >= 1 && count <= 9 ? i : -1;
}

/** Milliseconds of a fraction: its first three digits, right-padded (".5" is 500), the rest truncated. */
function fractionMs(text: string, dot: number, end: number): number {
  let ms = 0;
  for (let i = dot + 1; i < dot + 4; i++) ms = ms * 10 + (i < end ? text.charCodeAt(i) - DIGIT_0 : 0);
  return ms;
}

function isUtcZone(text: string, at: number): boolean {
  const rest = text.length - at;
  if (rest === 1) return text.charCodeAt(at) === 90; // Z
  return rest === 6 && text.startsWith('+00:00', at);
}

function parseUncached(text: string): number | undefined {
  // Separators by char code: `text[4]` reads a one-character string for each comparison.
  if (text.length < 20 || text.charCodeAt(4) !== HYPHEN || text.charCodeAt(7) !== HYPHEN || text.charCodeAt(10) !== LETTER_T || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return undefined;
  const year = fourDigitsAt(text, 0);
  const month = twoDigitsAt(text, 5);
  const day = twoDigitsAt(text, 8);
  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);
  const second = twoDigitsAt(text, 17);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let ms = 0;
  let zone = 19;
  if (text.charCodeAt(19) === DOT) {
    zone = fractionEnd(text, 19);
    if (zone < 0) return undefined;
    ms = fractionMs(text, 19, zone);
  }
  if (!isUtcZone(text, zone)) return undefined;
  return daysFromEpoch(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

export const isoTime = z.string().refine((s) => parseIsoUtc(s) !== undefined, {
  message: 'not a strict ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.fff]Z)',
});

/** Largest whole part we accept: 10^30 units is far beyond any real supply, so larger is an input error. */
export const DECIMAL_PATTERN = /^(0|[1-9]\d{0,29})(\.\d{1,18})?$/;
const NONZERO_DIGIT = /[1-9]/;

/** What positiveDecimal accepts, for the hand-written fast path (src/decode/fast-path.ts). */
export const isPositiveDecimal = (s: string): boolean => DECIMAL_PATTERN.test(s) && NONZERO_DIGIT.test(s);

export const decimalString = z.string().regex(DECIMAL_PATTERN, {
  message: 'not a decimal string (at most 30 whole digits, an optional fraction of at most 18 places, no sign or exponent)',
});

export const positiveDecimal = decimalString.refine((s) => NONZERO_DIGIT.test(s), { message: 'amount must be positive' });

/** A count of base units as decimal digits (up to 78: a uint256 has 78). */
export const UNITS_PATTERN = /^(0|[1-9]\d{0,77})$/;
/** A JSON-RPC quantity as a node serves it (`eth_getLogs`, `eth_getTransactionByHash`): 0x and up to 64 hex digits. */
export const HEX_UNITS_PATTERN = /^0x[0-9a-fA-F]{1,64}$/;
/** A JSON-RPC quantity small enough to be a safe integer (13 hex digits: 52 bits), for block numbers and log indexes. */
export const HEX_COUNT_PATTERN = /^0x[0-9a-fA-F]{1,13}$/;

/**
 * An integer count of base units (satoshis, wei) as a decimal string, or as the 0x quantity a
 * node serves, which becomes the decimal string.
 */
export const unitString = z.string().transform((s, ctx) => {
  if (UNITS_PATTERN.test(s)) return s;
  if (HEX_UNITS_PATTERN.test(s)) return BigInt(s).toString();
  ctx.addIssue({ code: 'custom', message: 'not a non-negative integer string (decimal digits, or 0x and hex digits as a node serves it)' });
  return z.NEVER;
});

/** A block number or log index: a non-negative safe integer, or the 0x quantity a node serves (`"0x1ac9f3"`). */
export const blockCount = z.union([z.number().int().nonnegative(), z.string().regex(HEX_COUNT_PATTERN).transform((h) => Number.parseInt(h.slice(2), 16))], {
  error: 'not a non-negative integer, or a 0x hex quantity of at most 13 digits',
});

/** Longest eventId, in code points (zod's measure of a string's length). */
export const EVENT_ID_MAX = 128;
export const eventIdSchema = z.string().min(1).max(EVENT_ID_MAX);

/** Chain names as a Set, for the fast path's membership test. */
export const CHAIN_NAMES: ReadonlySet<string> = new Set(CHAINS);

/**
 * Whether `text` is four dotted decimal octets, each 0 to 255 without a leading zero: exactly what
 * node's net.isIPv4 accepts (test/unit/ip-literal.test.ts compares them), by char codes, with no
 * regex and no allocation (it runs on every login and every transfer's session).
 */
export function isIpv4Literal(text: string): boolean {
  const end = text.length;
  if (end < 7 || end > 15) return false;
  let octets = 0;
  let i = 0;
  while (i < end) {
    const start = i;
    let value = 0;
    while (i < end && i - start < 4) {
      const d = text.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(start) === DIGIT_0)) return false;
    octets++;
    if (i === end) break;
    if (text.charCodeAt(i) !== DOT || octets === 4) return false;
    i++;
    if (i === end) return false; // a trailing dot
  }
  return octets === 4;
}

/**
 * An IP address as a session log writes it: an IPv4 dotted quad, or an IPv6 literal (any RFC 4291
 * spelling, an embedded IPv4 tail included), as node's net.isIP accepts them. `999.1.1.1`,
 * `1.2.3`, a host name or free text are refused (QA: they were accepted, and linked accounts by
 * whatever text two sessions shared). So is a zone index (`fe80::1%eth0`): it names an interface
 * of the host that wrote it, never a customer's address, and net.isIP takes any text after the
 * `%` (`fe80::1%acct-7`), which would let free text through again (session 46 review).
 */
export function isIpLiteral(text: string): boolean {
  // IPv4 first, by char codes: every address of the sample and of the simulator is one.
  return text.indexOf(':') < 0 ? isIpv4Literal(text) : text.indexOf('%') < 0 && isIPv6(text);
}

export const IP_LITERAL_MESSAGE = 'not an IPv4 or IPv6 address (dotted quad such as 203.0.113.7, or an IPv6 literal such as 2001:db8::1, without a zone index)';

