/**
 * The placeholders of a rule's `explain` template: `{path}`, or `{path|text}` where the text is
 * shown when the path has no value. One pattern for the renderer, the loader's reference check
 * and the fields a rule keeps (retained-fields.ts), so none of them reads a placeholder another
 * misses.
 */

/** A placeholder: group 1 the path, group 2 the text for no value (absent without `|`). */
export const PLACEHOLDER = /\{([a-zA-Z0-9_.]+)(?:\|([^{}|]*))?\}/g;

/** The paths an explain template reads, in order. */
export function explainPaths(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
