/**
 * What the decode fast-path tests hold a hand-written parser to: it accepts exactly the messages
 * its zod schema accepts, with the identical value.
 */
import { expect } from 'vitest';
import type { z } from 'zod';
import { dropNullOptionals } from '../../src/contract/null-optionals.js';
import { INPUT_SCHEMAS, type SchemaName } from '../../src/contract/schemas.js';

/** The same value: deep equality, undefined-valued keys included, and the same keys in the same order. */
export function expectSameValue(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  const text = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  expect(text(actual)).toBe(text(expected));
}

/** How many generated messages zod accepted and rejected: both verdicts must be well exercised. */
export interface Tally { accepted: number; rejected: number }

export const newTally = (): Tally => ({ accepted: 0, rejected: 0 });

/**
 * The fast path `fast` gives what `schema` does for the message `text`: its value, or nothing where
 * zod refuses. Both judge it as decodeMessage hands it to them, optional fields given as null removed.
 */
export function agreesWithZod(text: string, schema: z.ZodType, fast: (v: Record<string, unknown>) => unknown, tally: Tally): void {
  const value = JSON.parse(text) as Record<string, unknown>;
  if (typeof value.schema === 'string' && Object.hasOwn(INPUT_SCHEMAS, value.schema)) dropNullOptionals(value.schema as SchemaName, value);
  const quick = fast(value);
  const zod = schema.safeParse(value);
  if (zod.success) {
    tally.accepted++;
    expect(quick, `fast path rejected what zod accepts: ${text}`).toBeDefined();
    expectSameValue(quick, zod.data);
  } else {
    tally.rejected++;
    expect(quick, `fast path accepted what zod rejects (${zod.error.issues[0]?.message}): ${text}`).toBeUndefined();
  }
}
