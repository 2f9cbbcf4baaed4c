/**
 * Loads every rule file under a folder (`**\/*.yaml`, skipping `cases/`), validates each with zod
 * and refuses the whole set if any file is broken, naming file, line and reason. The caller keeps
 * its old rules in force when this throws.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { ruleSchema, type RuleSpec } from './rule-schema.js';
import { checkReferences, type RuleIssue } from './rule-references.js';
import { checkReachability } from './rule-reachability.js';
import { didYouMean } from './did-you-mean.js';
import { filesUnder } from '../config/files-under.js';

export interface LoadedRule {
  spec: RuleSpec;
  file: string;
  /** sha256 of the file's bytes: alerts say exactly which text produced them. */
  hash: string;
  /** The line of its `id:` (a duplicate id is refused there). */
  idLine?: number;
}

export interface RuleFileError {
  file: string;
  line: number;
  reason: string;
}

export class RuleSetError extends Error {
  readonly code = 'TW_RULES_INVALID';
  constructor(readonly errors: RuleFileError[]) {
    super(`rule set refused, ${errors.length} error(s):\n${errors.map((e) => `  ${e.file}:${e.line}: ${e.reason}`).join('\n')}`);
  }
}

export function listRuleFiles(dir: string): string[] {
  // A folder that is missing or a file is a usage mistake named as such, not a raw scandir error.
  if (!existsSync(dir)) throw new Error(`rules folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new Error(`rules folder ${dir} is a file, not a folder of rule files`);
  return filesUnder(dir, (_path, name) => /\.ya?ml$/.test(name) && name !== 'cases.yaml', (name) => name !== 'cases');
}

function lineOf(node: YamlNode | undefined, counter: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

/** The YAML node at a zod issue path, or the deepest ancestor that exists. */
function nodeAt(root: YamlNode | null, path: PropertyKey[]): YamlNode | undefined {
  let node: YamlNode | undefined = root ?? undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) return node;
      node = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as YamlNode | undefined;
      if (!item) return node;
      node = item;
    } else return node;
  }
  return node;
}

/** A zod issue's path; an unknown key points at the key itself, not at the object holding it. */
function issuePath(issue: { path: PropertyKey[]; code: string; keys?: string[] }): PropertyKey[] {
  return issue.code === 'unrecognized_keys' && issue.keys?.[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
}

interface SchemaIssue { path: PropertyKey[]; code: string; message: string; keys?: string[]; errors?: SchemaIssue[][]; expected?: string }

/**
 * A "did you mean" for a misspelt name: an unknown key is compared with the top-level keys (at
 * the root) and with the required keys missing beside it (`severty` where `severity` is missing);
 * a value that is not one of a list (an `op`) with the names the message lists.
 */
function suggestionFor(issue: SchemaIssue, all: readonly SchemaIssue[], raw: unknown): string {
  if (issue.code === 'unrecognized_keys' && issue.keys?.[0] !== undefined) {
    const parent = issue.path.join('.');
    const missing = all.filter((o) => o !== issue && o.path.length === issue.path.length + 1 && o.path.slice(0, -1).join('.') === parent && isMissing(o, raw)).map((o) => String(o.path[o.path.length - 1]));
    return didYouMean(issue.keys[0], issue.path.length === 0 ? [...Object.keys(ruleSchema.shape), ...missing] : missing);
  }
  const listed = /Expected ('[^']+'(?: \| '[^']+')+)/.exec(issue.message);
  if (!listed) return '';
  const value = valueAt(raw, issue.path);
  return typeof value === 'string' ? didYouMean(value, listed[1]!.split(' | ').map((n) => n.slice(1, -1))) : '';
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
}

/** A required key left out: zod says "received undefined", or only "Invalid input" for a union (a percent or a number). */
function isMissing(issue: SchemaIssue, raw: unknown): boolean {
  return issue.code !== 'unrecognized_keys' && issue.path.length > 0 && valueAt(raw, issue.path) === undefined;
}

/**
 * zod's message, or, where a union (a percent or a number, an amount or a number) says only
 * "Invalid input": "required key missing" when the key is absent, else the message of the branch
 * of the value's own type ("not a ratio like 80%" for `ninety`).
 */
function messageOf(issue: SchemaIssue, raw: unknown): string {
  if (issue.message !== 'Invalid input') return issue.message;
  if (isMissing(issue, raw)) return 'required key missing';
  const branches = (issue.errors ?? []).flat();
  const value = valueAt(raw, issue.path);
  if (value !== null && typeof value === 'object') return issue.message + misspeltKeyIn(branches);
  const ofItsType = branches.filter((e) => !(e.code === 'invalid_type' && e.path.length === 0)).map((e) => e.message);
  if (ofItsType.length > 0) return [...new Set(ofItsType)].join('; ');
  const expected = [...new Set(branches.map((e) => e.expected).filter((e) => e !== undefined))];
  return expected.length > 0 ? `Invalid input: expected ${expected.join(' or ')}, received ${value === null ? 'null' : typeof value}` : issue.message;
}

/** For an object no branch of a union takes: an unknown key near a key some branch requires (`fild` for `field`). */
function misspeltKeyIn(branches: readonly SchemaIssue[]): string {
  const unknown = [...new Set(branches.flatMap((e) => (e.code === 'unrecognized_keys' && e.path.length === 0 ? e.keys ?? [] : [])))];
  const required = branches.filter((e) => e.code === 'invalid_type' && e.path.length === 1 && /received undefined/.test(e.message)).map((e) => String(e.path[0]));
  for (const key of unknown) {
    const suggestion = didYouMean(key, required);
    if (suggestion !== '') return `: unknown key "${key}"${suggestion}`;
  }
  return '';
}

/**
 * Where an unclosed flow collection or quoted string opens, for a YAML error the parser reports
 * where it noticed it (the next line, or the end of the file): the nearest `[` or `{` before
 * `pos` that nothing after it closes, or the nearest quote character. Any other error is where
 * the parser says.
 */
export function openerOf(text: string, message: string, pos: number): number {
  const unclosed = /end with an? ([\]}])|Missing closing ([\]}])/.exec(message);
  if (unclosed) {
    const close = (unclosed[1] ?? unclosed[2])!;
    const open = close === ']' ? '[' : '{';
    let depth = 0;
    for (let i = Math.min(pos, text.length) - 1; i >= 0; i--) {
      const c = text[i];
      if (c === close) depth++;
      else if (c === open && depth-- === 0) return i;
    }
    return pos;
  }
  const quote = /Missing closing ("|')?quote/.exec(message);
  if (quote) {
    const found = Math.max(text.lastIndexOf('"', pos - 1), text.lastIndexOf("'", pos - 1));
    return found >= 0 ? found : pos;
  }
  return pos;
}

/**
 * Parses and checks one rule file: YAML syntax, the zod schema, every name it references, the
 * order of its severity thresholds, and whether it can fire at all. Any finding refuses the file,
 * each with the line it points at.
 */
export function parseRuleText(text: string, file: string): { rule?: LoadedRule; errors: RuleFileError[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return { errors: doc.errors.map((e) => ({ file, line: counter.linePos(openerOf(text, e.message, e.pos[0])).line, reason: `YAML: ${e.message.split('\n')[0]}` })) };
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // An alias bomb (aliases of aliases expanding without bound) throws here: refused as its file.
    return { errors: [{ file, line: 1, reason: `YAML: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const at = (path: PropertyKey[]): number => lineOf(nodeAt(doc.contents as YamlNode | null, path), counter);
  const parsed = ruleSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    return {
      errors: issues.map((i) => {
        const path = issuePath(i as { path: PropertyKey[]; code: string; keys?: string[] });
        return { file, line: at(path), reason: `${i.path.join('.') || '(root)'}: ${messageOf(i as SchemaIssue, raw)}${suggestionFor(i as SchemaIssue, issues as SchemaIssue[], raw)}` };
      }),
    };
  }
  const issues: RuleIssue[] = checkReferences(parsed.data, raw as Record<string, unknown>);
  // A rule that names something absent cannot be judged for reachability: its reads are unknown.
  if (issues.length === 0) issues.push(...checkReachability(parsed.data));
  if (issues.length > 0) return { errors: issues.map((i) => ({ file, line: at(i.at), reason: `${i.at.join('.')}: ${i.message}` })) };
  return { rule: { spec: parsed.data, file, hash: createHash('sha256').update(text).digest('hex').slice(0, 16), idLine: at(['id']) }, errors: [] };
}

/** Loads and validates a whole rule folder; throws RuleSetError if any file is broken. */
/** The enabled rules of a folder (with `disabled: true`, the turned-off ones too), each checked whole. */
export function loadRuleSet(dir: string, options: { disabled?: boolean } = {}): LoadedRule[] {
  const rules: LoadedRule[] = [];
  const errors: RuleFileError[] = [];
  const files = listRuleFiles(dir);
  if (files.length === 0) errors.push({ file: dir, line: 1, reason: 'no rule files (*.yaml) found' });
  for (const path of files) {
    const file = relative(process.cwd(), path) || path;
    const { rule, errors: fileErrors } = parseRuleText(readFileSync(path, 'utf8'), file);
    errors.push(...fileErrors);
    if (rule) rules.push(rule);
  }
  const seen = new Map<string, LoadedRule>();
  for (const r of rules) {
    const other = seen.get(r.spec.id);
    if (other) errors.push({ file: r.file, line: r.idLine ?? 1, reason: `duplicate rule id ${r.spec.id} (also in ${other.file}:${other.idLine ?? 1})` });
    else seen.set(r.spec.id, r);
  }
  if (errors.length > 0) throw new RuleSetError(errors);
  return options.disabled ? rules : rules.filter((r) => r.spec.enabled);
}
