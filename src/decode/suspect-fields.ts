/**
 * An accepted message's unknown fields that look like a misspelling of an optional field it lacks
 * (`sesion` for an absent `session`, a login's `deviceID` for `deviceId`). The contract allows
 * unknown fields, so the message is applied; but the signals that read the optional field lose it
 * without anyone knowing (session 62 QA). These are told to the operator: counted by topic and
 * field (tidewatch_suspect_fields_total, replay's report) and logged once (monitor).
 * Read on every accepted message, so cheap first: nothing is compared unless an optional field is
 * absent and the object has more keys than its fields present account for; then bounded as
 * misspelt-fields.ts bounds a refused message's (the first 32 unknown keys, near-length fields only).
 */
import { INPUT_SCHEMAS, sessionSchema, type SchemaName } from '../contract/schemas.js';
import { nearMisses } from './misspelt-fields.js';

/** A field as sent (`sesion`, `session.deviceID`) and the optional field it resembles (`session`, `session.deviceId`). */
export interface SuspectField { field: string; nearest: string }

interface Shape {
  known: ReadonlySet<string>;
  optional: readonly string[];
  required: number;
}

type Fields = Record<string, unknown>;

/** A zod object's fields, its optional ones (absent is valid: `.optional()` and `.default()`) and how many must be there. */
function shapeOf(shape: Record<string, { safeParse(v: unknown): { success: boolean } }>): Shape {
  const fields = Object.keys(shape);
  const optional = fields.filter((f) => shape[f]!.safeParse(undefined).success);
  return { known: new Set(fields), optional, required: fields.length - optional.length };
}

const SHAPES = Object.fromEntries(Object.entries(INPUT_SCHEMAS).map(([name, schema]) => [name, shapeOf(schema.shape as Parameters<typeof shapeOf>[0])])) as Record<SchemaName, Shape>;

/** The nested objects with optional fields of their own, by schema (a customer has none). */
const NESTED_SHAPES: Partial<Record<SchemaName, readonly { key: string; shape: Shape }[]>> = {
  'exchange.transfer.v1': [{ key: 'session', shape: shapeOf(sessionSchema.shape) }],
};

const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Misspellings of `record`'s absent optional fields among its unknown keys, appended to `out` with `prefix`. */
function suspectsIn(record: Fields, shape: Shape, prefix: string, out: SuspectField[] | undefined): SuspectField[] | undefined {
  // An accepted object holds every required field: the optional ones present make up the rest.
  let present = shape.required;
  const optional = shape.optional;
  for (let i = 0; i < optional.length; i++) if (record[optional[i]!] !== undefined) present++;
  if (present === shape.required + optional.length) return out;
  let keys = 0;
  for (const key in record) if (Object.hasOwn(record, key)) keys++;
  if (keys <= present) return out;
  const absent = optional.filter((f) => record[f] === undefined);
  for (const { key, near } of nearMisses(record, shape.known, absent)) (out ??= []).push({ field: `${prefix}${key}`, nearest: `${prefix}${near}` });
  return out;
}

/** The suspect fields of an accepted message of schema `name` (its parsed JSON), or undefined when there are none. */
export function suspectFields(name: SchemaName, value: Fields): SuspectField[] | undefined {
  let out = suspectsIn(value, SHAPES[name], '', undefined);
  const nested = NESTED_SHAPES[name];
  if (nested === undefined) return out;
  for (let i = 0; i < nested.length; i++) {
    const inner = value[nested[i]!.key];
    if (isRecord(inner)) out = suspectsIn(inner, nested[i]!.shape, `${nested[i]!.key}.`, out);
  }
  return out;
}
