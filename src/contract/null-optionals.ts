/**
 * An optional field given as JSON `null` is read as absent. The contract marks fields optional
 * (`usdValue`, `txHash`, `session`, `vpnProvider`, `entity`, `confidence`, `blockHeight`, …) without
 * saying how a producer leaves one out, and many serialise an unset field as `null` (Jackson's
 * and Go's defaults, Python's `asdict`, a database row's NULL): `"txHash": null` on a requested
 * withdrawal was a dead letter (session 61 contract audit). A required field that may be null
 * (an EVM transaction's `to`) keeps its null, and a required field given as null is still refused.
 * Which fields are optional is read from the schemas themselves, so the two cannot drift apart.
 */
import type { z } from 'zod';
import { INPUT_SCHEMAS, sessionSchema, type SchemaName } from './schemas.js';

/** An object schema's fields, as far as this module reads them. */
interface ObjectSchema { shape: Record<string, z.ZodType> }

/** The keys of an object schema whose field may be absent (optional or defaulted) but may not be null. */
function absentOnlyKeys(schema: ObjectSchema): string[] {
  return Object.entries(schema.shape).filter(([, field]) => field.safeParse(undefined).success && !field.safeParse(null).success).map(([key]) => key);
}

export interface NullableShape {
  keys: readonly string[];
  /** Optional object fields and their own absent-only keys (a transfer's `session`). */
  nested: readonly { key: string; keys: readonly string[] }[];
}

const shapeOf = (name: SchemaName): NullableShape => ({
  keys: absentOnlyKeys(INPUT_SCHEMAS[name] as unknown as ObjectSchema),
  nested: name === 'exchange.transfer.v1' ? [{ key: 'session', keys: absentOnlyKeys(sessionSchema as unknown as ObjectSchema) }] : [],
});

const SHAPES = Object.fromEntries((Object.keys(INPUT_SCHEMAS) as SchemaName[]).map((name) => [name, shapeOf(name)])) as unknown as Readonly<Record<SchemaName, NullableShape>>;

/** Deletes each key of `keys` whose value in `record` is null. */
function deleteNulls(record: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) if (record[key] === null) delete record[key];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Removes, in place, every optional field of `schema` that `message` (parsed JSON) gives as null,
 * so that the fast path and zod both read it as absent. Run before either judges the message.
 */
export function dropNullOptionals(schema: SchemaName, message: Record<string, unknown>): void {
  const shape = SHAPES[schema];
  deleteNulls(message, shape.keys);
  for (const { key, keys } of shape.nested) {
    const inner = message[key];
    if (isRecord(inner)) deleteNulls(inner, keys);
  }
}

/** The optional keys read as absent when null, per schema (for tests and docs). */
export function nullAsAbsentKeys(schema: SchemaName): NullableShape {
  return SHAPES[schema];
}
