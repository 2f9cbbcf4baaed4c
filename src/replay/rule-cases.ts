/**
 * Rules tested as code: each rule folder's `cases/<name>.jsonl` is replayed with the whole rule
 * set (so rules are tested together, as they run), and `cases/<name>.expect.json` says which
 * accounts must raise the folder's typology at `minSeverity` or above and which must not, and
 * (`maxSeverity`) how high the accounts that must alert may go at most; `sharedIpRanges` replays
 * the case with the operator's SHARED_IP_RANGES set to that text. Since session 61
 * `explanationsInclude` names, per account, texts one of its typology alerts' explanations must
 * contain, and `explanationsExclude` texts none of the case's typology explanations may.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Severity } from '../contract/schemas.js';
import type { SdnLabel } from '../intel/ofac.js';
import { replayFiles } from './replay.js';
import { loadRuleSet } from '../engine/loader.js';
import { filesUnder } from '../config/files-under.js';
import { didYouMean } from '../engine/did-you-mean.js';
import { SharedIpRanges } from '../engine/shared-ip-ranges.js';

const EXPECTATION_KEYS: readonly string[] = ['typology', 'minSeverity', 'maxSeverity', 'description', 'mustAlert', 'mustNotAlert', 'sharedIpRanges', 'explanationsInclude', 'explanationsExclude'];

export interface CaseExpectation {
  typology: string;
  minSeverity?: Severity;
  /** The highest severity of the typology a `mustAlert` account may raise (a case that must stay high, not critical). */
  maxSeverity?: Severity;
  description?: string;
  mustAlert: string[];
  mustNotAlert: string[];
  /** The SHARED_IP_RANGES the case runs with (comma-separated CIDR blocks); none when absent. */
  sharedIpRanges?: string;
  /** Per account, texts that one of its alerts of the typology must each contain in its explanation. */
  explanationsInclude?: Record<string, string[]>;
  /** Texts no explanation of the case's typology alerts may contain. */
  explanationsExclude?: string[];
}

export interface CaseResult {
  file: string;
  typology: string;
  passed: boolean;
  failures: string[];
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function findCases(dir: string): string[] {
  return filesUnder(dir, (_path, name) => name.endsWith('.expect.json'));
}

/** Case streams (`cases/*.jsonl`) that have no expectation file beside them: never run, so never silent. */
export function streamsWithoutExpectation(dir: string): string[] {
  return filesUnder(dir, (path, name, folder) => name.endsWith('.jsonl') && folder.split(/[\\/]/).pop() === 'cases' && !existsSync(path.replace(/\.jsonl$/, '.expect.json')));
}

/**
 * The expectation file read and checked, or the reasons it cannot be used: a case that names a
 * typology no rule has, a severity that is not one, or no accounts at all would pass whatever the
 * rules did.
 */
function readExpectation(file: string, typologies: ReadonlySet<string>): { expectation?: CaseExpectation; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { problems: [`${file}: not a readable JSON expectation (${err instanceof Error ? err.message : String(err)})`] };
  }
  const e = raw as Partial<CaseExpectation> | null;
  const problems: string[] = [];
  const isList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!e || typeof e !== 'object') return { problems: [`${file}: an expectation is a JSON object with typology, mustAlert and mustNotAlert`] };
  if (typeof e.typology !== 'string') problems.push(`${file}: typology is missing`);
  else if (!typologies.has(e.typology)) problems.push(`${file}: typology ${e.typology} is no rule's (known: ${[...typologies].sort().join(', ')})`);
  for (const key of ['minSeverity', 'maxSeverity'] as const) if (e[key] !== undefined && !(e[key] in RANK)) problems.push(`${file}: ${key} ${JSON.stringify(e[key])} is not one of ${Object.keys(RANK).join(', ')}`);
  for (const key of ['mustAlert', 'mustNotAlert'] as const) if (e[key] !== undefined && !isList(e[key])) problems.push(`${file}: ${key} must be a list of account ids`);
  if (e.sharedIpRanges !== undefined) {
    try {
      if (typeof e.sharedIpRanges !== 'string') throw new Error('it must be a comma-separated text of CIDR blocks');
      SharedIpRanges.parse(e.sharedIpRanges);
    } catch (err) {
      problems.push(`${file}: sharedIpRanges: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const inc = e.explanationsInclude;
  if (inc !== undefined && (typeof inc !== 'object' || inc === null || Array.isArray(inc) || !Object.values(inc).every(isList))) problems.push(`${file}: explanationsInclude must map account ids to lists of texts`);
  if (e.explanationsExclude !== undefined && !isList(e.explanationsExclude)) problems.push(`${file}: explanationsExclude must be a list of texts`);
  // A misspelt key (`mustNotAlrt`) would leave its accounts never checked (workflow QA).
  for (const key of Object.keys(e)) if (!EXPECTATION_KEYS.includes(key)) problems.push(`${file}: unknown key ${key}${didYouMean(key, EXPECTATION_KEYS)}`);
  if (problems.length) return { problems };
  return { expectation: { ...(e as CaseExpectation), mustAlert: e.mustAlert ?? [], mustNotAlert: e.mustNotAlert ?? [] }, problems };
}

/** The `mustAlert` accounts whose typology alert is above `maxSeverity`, each with the severity it reached. */
function tooSevere(alerts: readonly { typology: string; severity: Severity; subject: { accountId: string } }[], e: CaseExpectation): string[] {
  if (e.maxSeverity === undefined) return [];
  const max = RANK[e.maxSeverity];
  const over = new Map<string, Severity>();
  for (const a of alerts) if (a.typology === e.typology && RANK[a.severity] > max && e.mustAlert.includes(a.subject.accountId)) over.set(a.subject.accountId, a.severity);
  return [...over].map(([account, severity]) => `${account} raised a ${e.typology} alert at ${severity}, above ${e.maxSeverity}`);
}

/** The texts `explanationsInclude` asks that no typology alert of the account explains, and the `explanationsExclude` texts some explanation contains. */
function explanationFailures(alerts: readonly { typology: string; explanation: string; subject: { accountId: string } }[], e: CaseExpectation): string[] {
  const mine = alerts.filter((a) => a.typology === e.typology);
  const out: string[] = [];
  for (const [account, texts] of Object.entries(e.explanationsInclude ?? {})) {
    const said = mine.filter((a) => a.subject.accountId === account).map((a) => a.explanation);
    for (const text of texts) if (!said.some((x) => x.includes(text))) out.push(`no ${e.typology} explanation of ${account} contains ${JSON.stringify(text)} (it has: ${said.map((x) => JSON.stringify(x)).join('; ') || 'none'})`);
  }
  for (const text of e.explanationsExclude ?? []) for (const a of mine) if (a.explanation.includes(text)) out.push(`${a.subject.accountId}'s ${e.typology} explanation contains ${JSON.stringify(text)}: ${JSON.stringify(a.explanation)}`);
  return out;
}

/** Account ids the case stream's exchange events name. */
function accountsIn(stream: string): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync(stream, 'utf8').split('\n')) {
    const m = /"accountId"\s*:\s*"([^"]+)"/.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

export async function runRuleCases(dir: string, labels: SdnLabel[]): Promise<CaseResult[]> {
  const rules = loadRuleSet(dir);
  const typologies = new Set(rules.map((r) => r.spec.typology));
  const results: CaseResult[] = [];
  for (const stream of streamsWithoutExpectation(dir)) results.push({ file: stream, typology: '?', passed: false, failures: [`no ${stream.replace(/\.jsonl$/, '.expect.json')} beside it: the case is never checked`] });
  for (const expectFile of findCases(dir)) {
    const stream = expectFile.replace(/\.expect\.json$/, '.jsonl');
    const { expectation, problems } = readExpectation(expectFile, typologies);
    if (!expectation) { results.push({ file: stream, typology: '?', passed: false, failures: problems }); continue; }
    const pipeline = expectation.sharedIpRanges === undefined ? {} : { pipeline: { state: { sharedIpRanges: SharedIpRanges.parse(expectation.sharedIpRanges) } } };
    const { alerts, summary } = await replayFiles({ files: [stream], rules, labels, ...pipeline });
    const min = RANK[expectation.minSeverity ?? 'medium'];
    const hit = new Set(alerts.filter((a) => a.typology === expectation.typology && RANK[a.severity] >= min).map((a) => a.subject.accountId));
    const present = accountsIn(stream);
    const failures = [
      ...(summary.rejected > 0 ? [`${summary.rejected} line(s) of the case stream were rejected`] : []),
      ...(summary.internalErrors > 0 ? [`${summary.internalErrors} event(s) failed inside the pipeline (TW_INTERNAL): no rule saw them`] : []),
      ...[...expectation.mustAlert, ...expectation.mustNotAlert].filter((a) => !present.has(a)).map((a) => `${a} is in no event of the case stream`),
      ...expectation.mustAlert.filter((a) => !hit.has(a)).map((a) => `${a} raised no ${expectation.typology} alert at ${expectation.minSeverity ?? 'medium'} or above`),
      ...expectation.mustNotAlert.filter((a) => hit.has(a)).map((a) => `${a} raised a ${expectation.typology} alert it must not`),
      ...tooSevere(alerts, expectation),
      ...explanationFailures(alerts, expectation),
    ];
    if (expectation.mustAlert.length + expectation.mustNotAlert.length === 0) failures.push('the case expects nothing');
    results.push({ file: stream, typology: expectation.typology, passed: failures.length === 0, failures });
  }
  return results;
}
