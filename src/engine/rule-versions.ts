/**
 * A rule's `version` must change when what it decides or says changes. An alert's id derives from
 * the rule's id and version (with the events it names), so a rule edited under the same version
 * raised alerts with the ids of the old rule's: a consumer that keeps the first alert of an id
 * would never see the new text, and two meanings would share one id. Whitespace, comments and key
 * order are not changes: the parsed rule is compared, not its file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RuleSetError, type LoadedRule, type RuleFileError } from './loader.js';

/** Sorted keys all the way down: the same rule written in another key order gives the same text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}

/** A digest of what the rule means (its parsed spec), blind to comments, layout and key order. */
export function specDigest(rule: LoadedRule): string {
  return createHash('sha256').update(JSON.stringify(canonical(rule.spec))).digest('hex').slice(0, 16);
}

/** The line of the rule file's top-level `version:` key (1 when it cannot be read). */
function versionLine(file: string): number {
  try {
    const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => /^version\s*:/.test(l));
    return index < 0 ? 1 : index + 1;
  } catch {
    return 1;
  }
}

/**
 * Rules of `next` that changed from `inForce` and kept their id and version, or went back to a
 * lower version with other content (a version the rule in force may have passed through with
 * other content: its ids would be reused for another meaning), as load errors. Going back to a
 * lower version unchanged from the rule in force is a roll-back of the version number alone and
 * is refused too: the version only rises.
 */
export function unbumpedChanges(inForce: readonly LoadedRule[], next: readonly LoadedRule[]): RuleFileError[] {
  const before = new Map(inForce.map((r) => [r.spec.id, { version: r.spec.version, digest: specDigest(r) }]));
  const errors: RuleFileError[] = [];
  for (const rule of next) {
    const was = before.get(rule.spec.id);
    if (was === undefined) continue;
    const v = rule.spec.version;
    if (v === was.version && was.digest !== specDigest(rule)) {
      errors.push({ file: rule.file, line: versionLine(rule.file), reason: `version: ${rule.spec.id} changed but its version is still ${v}: raise it, so that the changed rule's alerts get ids of their own (those of version ${v} said what the old rule decided)` });
    } else if (v < was.version) {
      errors.push({ file: rule.file, line: versionLine(rule.file), reason: `version: ${rule.spec.id} went back from version ${was.version} to ${v}: a version only rises (an earlier version's alert ids may mean another rule); give the rule you want in force version ${was.version + 1}` });
    }
  }
  return errors;
}

/** Throws a RuleSetError naming every rule that changed without a new version. */
export function refuseUnbumpedChanges(inForce: readonly LoadedRule[], next: readonly LoadedRule[]): void {
  const errors = unbumpedChanges(inForce, next);
  if (errors.length > 0) throw new RuleSetError(errors);
}
