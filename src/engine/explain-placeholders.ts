/**
 * The placeholders of a rule's `explain` template: `{path}`, or `{path|text}` where the text is
 * shown when the path has no value. One pattern for the renderer, the loader's reference check
 * and the fields a rule keeps (retained-fields.ts), so none of them reads a placeholder another
 * misses.
 *
 * Sections (since session 61): `[?name text]` renders `text` (placeholders and all) only when the
 * signal `name` held for the alert, `[?!name text]` only when it did not, `[?a,!b text]` when
 * every one named so does: a rule whose `require` has `any` branches says what the branch that
 * held found, never a failing branch's "0 deposits". Sections do not nest.
 */

/** A placeholder: group 1 the path, group 2 the text for no value (absent without `|`). */
export const PLACEHOLDER = /\{([a-zA-Z0-9_.]+)(?:\|([^{}|]*))?\}/g;

/** A section: group 1 its conditions (`name` or `!name`, comma-separated), group 2 its text. */
export const SECTION = /\[\?(!?[a-zA-Z][a-zA-Z0-9]*(?:,!?[a-zA-Z][a-zA-Z0-9]*)*) ([^[\]]*)\]/g;

/** One condition of a section: the signal and whether it must have held (`name`) or not (`!name`). */
export interface SectionCondition {
  signal: string;
  held: boolean;
}

/** A section's conditions, from its group 1. */
export function sectionConditions(list: string): SectionCondition[] {
  return list.split(',').map((c) => (c.startsWith('!') ? { signal: c.slice(1), held: false } : { signal: c, held: true }));
}

/** The paths an explain template reads, in order (inside sections too). */
export function explainPaths(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
