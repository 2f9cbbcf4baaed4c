/**
 * A refused message's fields that look like a misspelling of a field it lacks (`amout` for a
 * missing `amount`, `ocurredAt`, a session's `ipCountyr`). Unknown fields are allowed (the
 * contract may be extended with new optional ones), so without this the reject said only
 * "amount: expected string, received undefined" while the producer's own text held `amout`
 * (session 62 black-box pass). Read only for messages already refused: no cost on the stream.
 * Bounded, as a refused message may be as large as any: a key is compared only with the missing
 * fields near its length (an edit distance is at least the difference of the lengths), and only the
 * first MAX_UNKNOWN_KEYS unknown keys of each object are read (review of session 62: one
 * 100,000-character key, or 50,000 short ones, held the event loop for seconds).
 */
import { editDistance, nearestName } from '../engine/did-you-mean.js';
import { customerSchema, INPUT_SCHEMAS, sessionSchema, type SchemaName } from '../contract/schemas.js';

export interface MisspeltField { path: string; message: string }

/** Unknown keys of one object compared with its missing fields at most; the rest are not read. */
export const MAX_UNKNOWN_KEYS = 32;

/** The nested objects whose fields are checked too, by schema: the field and its shape. */
const NESTED: Partial<Record<SchemaName, readonly { key: string; fields: readonly string[] }[]>> = {
  'exchange.transfer.v1': [{ key: 'session', fields: Object.keys(sessionSchema.shape) }, { key: 'customer', fields: Object.keys(customerSchema.shape) }],
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields nearestName could suggest for `key`: those whose length is within its edit limit of the key's (the same limit as nearestName's). */
export function nearInLength(key: string, fields: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(key.length / 3));
  return fields.filter((f) => Math.abs(f.length - key.length) <= limit);
}

/** One unknown key of a record and the field it looks like a misspelling of. */
export interface NearMiss { key: string; near: string }

/**
 * Unknown keys of `record` (not in `known`) that look like a misspelling of one of `candidates`,
 * among its first MAX_UNKNOWN_KEYS unknown keys, each compared only with candidates near its length.
 */
export function nearMisses(record: Record<string, unknown>, known: ReadonlySet<string>, candidates: readonly string[]): NearMiss[] {
  const out: NearMiss[] = [];
  let unknown = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key) || known.has(key)) continue;
    if (++unknown > MAX_UNKNOWN_KEYS) break;
    const near = nearestName(key, nearInLength(key, candidates));
    // A short name is near too many others at two edits (`tag` and `to`): one edit only.
    if (near !== undefined && (near.length >= 5 || editDistance(key.toLowerCase(), near.toLowerCase()) <= 1)) out.push({ key, near });
  }
  return out;
}

/** Unknown keys of `record` nearest to a field of `fields` that `record` lacks, each as an issue at `prefix`+key. */
function misspeltIn(record: Record<string, unknown>, fields: readonly string[], prefix: string, owner: string): MisspeltField[] {
  const missing = fields.filter((f) => record[f] === undefined);
  if (missing.length === 0) return [];
  return nearMisses(record, new Set(fields), missing).map(({ key, near }) => ({ path: `${prefix}${key}`, message: `not a field of ${owner}: did you mean ${prefix}${near}?` }));
}

/** Issues naming each field of a refused message of schema `name` that looks like a misspelt missing one. */
export function misspeltFields(name: SchemaName, value: Record<string, unknown>): MisspeltField[] {
  const out = misspeltIn(value, Object.keys(INPUT_SCHEMAS[name].shape), '', name);
  for (const { key, fields } of NESTED[name] ?? []) {
    const nested = value[key];
    if (isRecord(nested)) out.push(...misspeltIn(nested, fields, `${key}.`, `${name}'s ${key}`));
  }
  return out;
}
