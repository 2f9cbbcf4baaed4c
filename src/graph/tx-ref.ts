/**
 * Transaction references as the graph keeps them (FlowEdge.ref, a cluster's merge causes).
 *
 * Most refs are a chain's transaction id: 64 lower-case hex digits, bare (the graph's chain
 * hashes, Bitcoin and Tron ids) or after `0x` (an exchange record's hash as sent). Kept as text
 * such a ref costs 80 or 88 bytes, and often a sliced string pinning its parent besides; the
 * flow edges hold tens of thousands of them. A stored ref packs it into 33 one-byte code units
 * instead (56 bytes, a string of its own): a marker for the form (STORED_BARE or STORED_0X),
 * then each pair of hex digits as one code unit. Any other ref (an event id, a hash in upper
 * case) is kept as it came, behind an ESCAPE unit when its first unit could pass for a marker.
 *
 * - The mapping is one to one, so two stored refs are equal exactly when their texts are.
 * - Among packed refs of one form, code-unit order is the texts' order (equal lengths, digit
 *   pairs big-endian, hex digits ordered as their values); compareStoredRefs reads any other
 *   pair as text, so no order by ref changes.
 * - shownRef gives back the exact text: every ref that leaves the graph (evidence, checkpoints)
 *   goes through it.
 */

import { Buffer } from 'node:buffer';

declare const storedRefBrand: unique symbol;
/** A ref as the graph keeps it (see the header); read it with shownRef, never as text. */
export type StoredRef = string & { readonly [storedRefBrand]: true };

/** Marks a kept-as-text ref whose first code unit is a marker's or this. */
const ESCAPE = 0;
/** Marks a packed bare id (64 hex digits). */
const STORED_BARE = 1;
/** Marks a packed `0x` id. */
const STORED_0X = 2;
const HEX_DIGITS = 64;

/** Hex digit value by char code, -1 for anything but 0-9 and a-f. */
const DIGIT = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) DIGIT['0123456789abcdef'.charCodeAt(c)] = c;
/** Two hex digits by byte value. */
const PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The one ref stored last: the edges, links and merge causes of one event share its string. */
let lastText: string | undefined;
let lastStored: StoredRef | undefined;

/** The ref as the graph keeps it. */
export function storeRef(text: string): StoredRef {
  if (text === lastText) return lastStored!;
  const stored = packed(text, 0) ?? (text.length >= 2 && text.charCodeAt(0) === 0x30 && text.charCodeAt(1) === 0x78 ? packed(text, 2) : undefined) ?? escaped(text);
  lastText = text;
  lastStored = stored;
  return stored;
}

/**
 * The packed units are written here and read out as one Latin-1 string (every unit is below 256,
 * so the string is the units): a new ref costs its string only, no array of units and no spread
 * call's arguments (session 57).
 */
const PACKED_UNITS = Buffer.alloc(HEX_DIGITS / 2 + 1);

/** The 64 lower-case hex digits from `at` to the end of `text`, packed; undefined when they are not that. */
function packed(text: string, at: number): StoredRef | undefined {
  if (text.length !== at + HEX_DIGITS) return undefined;
  const units = PACKED_UNITS;
  units[0] = at === 0 ? STORED_BARE : STORED_0X;
  for (let i = 0; i < HEX_DIGITS; i += 2) {
    const hi = text.charCodeAt(at + i);
    const lo = text.charCodeAt(at + i + 1);
    const h = hi < 128 ? DIGIT[hi]! : -1;
    const l = lo < 128 ? DIGIT[lo]! : -1;
    if (h < 0 || l < 0) return undefined;
    units[1 + i / 2] = (h << 4) | l;
  }
  return units.toString('latin1') as StoredRef;
}

/** A ref kept as text: as it came, or behind ESCAPE when its first unit could pass for a marker. */
function escaped(text: string): StoredRef {
  if (text.length === 0 || text.charCodeAt(0) > STORED_0X) return text as StoredRef;
  // Flattened at once: a concatenation kept for long costs its own node on top of its parts.
  return flat(String.fromCharCode(ESCAPE) + text) as StoredRef;
}

/** A flat copy of `s` (a concatenation read whole once is kept as one string). */
function flat(s: string): string {
  return s.length > 0 ? JSON.parse(JSON.stringify(s)) as string : s;
}

/** Whether the stored ref is a packed id (either form). */
function isPacked(ref: StoredRef): boolean {
  const c = ref.charCodeAt(0);
  return c === STORED_BARE || c === STORED_0X;
}

/** The exact text of a stored ref. */
export function shownRef(ref: StoredRef): string {
  const marker = ref.charCodeAt(0);
  if (ref.length === 0 || marker > STORED_0X) return ref;
  if (marker === ESCAPE) return ref.slice(1);
  const digits = new Array<string>(HEX_DIGITS / 2 + 1);
  digits[0] = marker === STORED_0X ? '0x' : '';
  for (let i = 1; i < ref.length; i++) digits[i] = PAIRS[ref.charCodeAt(i)]!;
  return digits.join('');
}

/** The order of the two refs' texts (-1, 0, 1), read without unpacking when both are packed ids of one form. */
export function compareStoredRefs(a: StoredRef, b: StoredRef): number {
  if (a === b) return 0;
  if (isPacked(a) && isPacked(b) && a.charCodeAt(0) === b.charCodeAt(0)) return a < b ? -1 : 1;
  const x = shownRef(a);
  const y = shownRef(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether two stored refs name one transaction: a chain event's hash is kept bare and
 * lower-case, an exchange record's as sent (with `0x`, maybe in upper case).
 */
export function sameTransactionRef(a: StoredRef, b: StoredRef): boolean {
  if (a === b) return true;
  if (isPacked(a) && isPacked(b)) return samePackedDigits(a, b);
  return bareLowerCase(shownRef(a)) === bareLowerCase(shownRef(b));
}

/**
 * Whether two stored refs are certainly two transactions: both are chain hashes (packed ids) and
 * their digits differ. An event id, or a hash in upper case, proves nothing either way.
 */
export function distinctTransactions(a: StoredRef, b: StoredRef): boolean {
  return a !== b && isPacked(a) && isPacked(b) && !samePackedDigits(a, b);
}

/** Whether two packed ids hold the same digits (either form). */
function samePackedDigits(a: StoredRef, b: StoredRef): boolean {
  for (let i = 1; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

function bareLowerCase(ref: string): string {
  return (ref.startsWith('0x') || ref.startsWith('0X') ? ref.slice(2) : ref).toLowerCase();
}
