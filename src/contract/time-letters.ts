/**
 * The letters of a time in lower case (`2025-01-16t09:30:00z`) are read as upper case. The
 * contract's times are ISO-8601 UTC strings; RFC 3339, the ISO-8601 profile that JSON producers
 * follow (Go's time.RFC3339 parser, Python's `datetime.fromisoformat`, Java's `Instant.parse`
 * accept it), says per ISO 8601 the `T` and `Z` may be lower case. Until session 62 such a time was
 * a dead letter. The letters are raised in the parsed message before either judge (the fast path
 * or zod) reads it, so the accepted event is the one the upper-case text gives, byte for byte
 * downstream; the dead letters and the raw bytes keep what the producer sent. A space for `T`
 * (RFC 3339 lets an application choose it; ISO 8601 does not) stays refused, as do offsets other
 * than `Z`/`+00:00`.
 */
import type { SchemaName } from './schemas.js';

/** The time field each schema carries at its top level. */
const TIME_FIELDS: Readonly<Record<SchemaName, string>> = {
  'exchange.transfer.v1': 'occurredAt', 'exchange.login.v1': 'occurredAt', 'chain.bitcoin.tx.v1': 'blockTime', 'chain.evm.tx.v1': 'blockTime',
  'chain.evm.log.v1': 'blockTime', 'intel.label.v1': 'observedAt', 'market.price.v1': 'observedAt',
};

const LOWER_T = 116;
const LOWER_Z = 122;
/** Where a time's date and time meet: `YYYY-MM-DD` is 10 characters. */
const SEPARATOR_AT = 10;

/** The text with a lower-case `t` separator and `z` zone raised; the same string when it has neither. */
export function upperCaseTimeLetters(text: string): string {
  const lowerT = text.charCodeAt(SEPARATOR_AT) === LOWER_T;
  const lowerZ = text.charCodeAt(text.length - 1) === LOWER_Z;
  if (!lowerT && !lowerZ) return text;
  const middle = text.slice(SEPARATOR_AT + 1, lowerZ ? text.length - 1 : text.length);
  return `${text.slice(0, SEPARATOR_AT)}${lowerT ? 'T' : text[SEPARATOR_AT]}${middle}${lowerZ ? 'Z' : ''}`;
}

function raiseField(record: Record<string, unknown>, key: string): void {
  const value = record[key];
  if (typeof value === 'string' && value.length > SEPARATOR_AT) record[key] = upperCaseTimeLetters(value);
}

/** Raises the time letters of a parsed message of schema `name` in place: its event time and a transfer's `customer.createdAt`. */
export function raiseTimeLetters(name: SchemaName, value: Record<string, unknown>): void {
  raiseField(value, TIME_FIELDS[name]);
  if (name !== 'exchange.transfer.v1') return;
  const customer = value.customer;
  if (typeof customer === 'object' && customer !== null && !Array.isArray(customer)) raiseField(customer as Record<string, unknown>, 'createdAt');
}
