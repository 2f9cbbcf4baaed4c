/**
 * A refused message's fields that look like a misspelling of a field it lacks (`amout` for a
 * missing `amount`, `ocurredAt`, a session's `ipCountyr`). Unknown fields are allowed (the
 * contract may be extended with new optional ones), so without this the reject said only
 * "amount: expected string, received undefined" while the producer's own text held `amout`
 * (session 62 black-box pass). Read only for messages already refused: no cost on the stream.
 */
import { editDistance, nearestName } from '../engine/did-you-mean.js';
import { customerSchema, INPUT_SCHEMAS, sessionSchema, type SchemaName } from '../contract/schemas.js';

export interface MisspeltField { path: string; message: string }

/** The nested objects whose fields are checked too, by schema: the field and its shape. */
const NESTED: Partial<Record<SchemaName, readonly { key: string; fields: readonly string[] }[]>> = {
  'exchange.transfer.v1': [{ key: 'session', fields: Object.keys(sessionSchema.shape) }, { key: 'customer', fields: Object.keys(customerSchema.shape) }],
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Unknown keys of `record` nearest to a field of `fields` that `record` lacks, each as an issue at `prefix`+key. */
function misspeltIn(record: Record<string, unknown>, fields: readonly string[], prefix: string, owner: string): MisspeltField[] {
  const missing = fields.filter((f) => record[f] === undefined);
  if (missing.length === 0) return [];
  const known = new Set(fields);
  const out: MisspeltField[] = [];
  for (const key of Object.keys(record)) {
    if (known.has(key)) continue;
    const near = nearestName(key, missing);
    // A short name is near too many others at two edits (`tag` and `to`): one edit only.
    if (near !== undefined && (near.length >= 5 || editDistance(key.toLowerCase(), near.toLowerCase()) <= 1)) out.push({ path: `${prefix}${key}`, message: `not a field of ${owner}: did you mean ${prefix}${near}?` });
  }
  return out;
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
