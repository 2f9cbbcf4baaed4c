/**
 * `replay --compare`: what a changed rule set would have done, in the terms a compliance team
 * decides on. A verdict line first (recall moves, precision moves, alerts that open cases added or
 * dropped, informational ones counted apart), then per typology and rule the alerts added and
 * dropped by severity, then (with --cases) the cases opened and no longer opened, and (with
 * --truth) recall and precision before and after per typology.
 */
import type { Case } from '../cases/case-model.js';
import type { Alert, Severity } from '../contract/schemas.js';
import { diffAlerts, type AlertDiff } from './compare.js';
import { scoreAlerts, type Score, type Truth } from './score.js';
import { inertText } from '../observability/terminal-text.js';

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export interface SeverityCounts { critical: number; high: number; medium: number; low: number }

export interface RuleChange {
  typology: string;
  ruleId: string;
  added: SeverityCounts;
  dropped: SeverityCounts;
}

export interface CaseChange {
  opened: Case[];
  closed: Case[];
  /** Same subject, different severity or typologies. */
  changed: { before: Case; after: Case }[];
}

export interface CompareReport {
  alerts: AlertDiff;
  byRule: RuleChange[];
  cases?: CaseChange;
  score?: { before: Score; after: Score; precisionBefore: ReturnType<typeof precisionByTypology>; precisionAfter: ReturnType<typeof precisionByTypology> };
  verdict: string;
}

const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0 });

/** Added and dropped alerts per (typology, rule), by severity, sorted by typology then rule. */
export function changesByRule(diff: AlertDiff): RuleChange[] {
  const rows = new Map<string, RuleChange>();
  const row = (a: Alert): RuleChange => {
    const key = `${a.typology}\u0000${a.ruleId}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { typology: a.typology, ruleId: a.ruleId, added: zero(), dropped: zero() }));
    return r;
  };
  for (const a of diff.added) row(a).added[a.severity]++;
  for (const a of diff.dropped) row(a).dropped[a.severity]++;
  return [...rows.values()].sort((x, y) => x.typology.localeCompare(y.typology) || x.ruleId.localeCompare(y.ruleId));
}

/** Cases matched by subject: case ids derive from the first alert, which a rule version bump renames. */
export function diffCases(before: readonly Case[], after: readonly Case[]): CaseChange {
  const a = new Map(before.map((c) => [c.subject, c]));
  const b = new Map(after.map((c) => [c.subject, c]));
  const changed: CaseChange['changed'] = [];
  for (const [subject, x] of b) {
    const y = a.get(subject);
    if (y && (y.severity !== x.severity || y.typologies.join() !== x.typologies.join())) changed.push({ before: y, after: x });
  }
  const bySubject = (p: Case, q: Case): number => p.subject.localeCompare(q.subject);
  return { opened: after.filter((c) => !a.has(c.subject)).sort(bySubject), closed: before.filter((c) => !b.has(c.subject)).sort(bySubject), changed: changed.sort((p, q) => bySubject(p.after, q.after)) };
}

const total = (c: SeverityCounts, levels: readonly Severity[]): number => levels.reduce((s, l) => s + c[l], 0);
const CASE_LEVELS: readonly Severity[] = ['critical', 'high', 'medium'];

/** The one line a reviewer reads first. */
export function verdictOf(byRule: readonly RuleChange[], score?: { before: Score; after: Score }, cases?: CaseChange, changed: AlertDiff['changed'] = []): string {
  const parts: string[] = [];
  if (score) {
    const typologies = [...new Set([...Object.keys(score.before.recall), ...Object.keys(score.after.recall)])].sort();
    for (const t of typologies) {
      const x = score.before.recall[t];
      const y = score.after.recall[t];
      if (!x || !y || x.found === y.found) continue;
      parts.push(`${t} recall ${y.found < x.found ? 'falls' : 'rises'} ${x.found}/${x.planted} -> ${y.found}/${y.planted}`);
    }
    const p = score.before.precision;
    const q = score.after.precision;
    if (p.correct !== q.correct || p.alertedAccounts !== q.alertedAccounts) parts.push(`account precision ${p.correct}/${p.alertedAccounts} -> ${q.correct}/${q.alertedAccounts}`);
  }
  const sum = (pick: (r: RuleChange) => SeverityCounts, levels: readonly Severity[]): number => byRule.reduce((s, r) => s + total(pick(r), levels), 0);
  const addedHigh = sum((r) => r.added, CASE_LEVELS);
  const droppedHigh = sum((r) => r.dropped, CASE_LEVELS);
  if (addedHigh) parts.push(`${addedHigh} medium-or-above alert${addedHigh === 1 ? '' : 's'} added`);
  if (droppedHigh) parts.push(`${droppedHigh} medium-or-above alert${droppedHigh === 1 ? '' : 's'} dropped`);
  // The same alert at another severity: crossing between low and medium opens or closes cases.
  const opensCase = (a: Alert): boolean => a.severity !== 'low';
  const raised = changed.filter((c) => !opensCase(c.before) && opensCase(c.after)).length;
  const lowered = changed.filter((c) => opensCase(c.before) && !opensCase(c.after)).length;
  if (raised) parts.push(`${raised} alert${raised === 1 ? '' : 's'} raised from low to medium or above`);
  if (lowered) parts.push(`${lowered} alert${lowered === 1 ? '' : 's'} lowered to low (no case)`);
  const otherSeverity = changed.filter((c) => c.before.severity !== c.after.severity).length - raised - lowered;
  if (otherSeverity) parts.push(`${otherSeverity} alert${otherSeverity === 1 ? '' : 's'} at another case severity`);
  if (cases && (cases.opened.length || cases.closed.length || cases.changed.length)) parts.push(`cases ${cases.opened.length} opened, ${cases.closed.length} no longer opened, ${cases.changed.length} changed`);
  const addedLow = sum((r) => r.added, ['low']);
  const droppedLow = sum((r) => r.dropped, ['low']);
  if (addedLow) parts.push(`${addedLow} low alert${addedLow === 1 ? '' : 's'} added`);
  if (droppedLow) parts.push(`${droppedLow} low alert${droppedLow === 1 ? '' : 's'} dropped`);
  return `verdict: ${parts.length ? parts.join('; ') : 'no change in alerts' + (score ? ', recall or precision' : '')}`;
}

/** Per typology: accounts alerted on it at medium or above, and how many of those the truth plants or allows for it. */
export function precisionByTypology(alerts: readonly Alert[], truth: Truth): Record<string, { alerted: number; correct: number }> {
  const seen = new Map<string, Set<string>>();
  for (const a of alerts) {
    if (a.severity === 'low') continue;
    const set = seen.get(a.typology) ?? new Set<string>();
    set.add(a.subject.accountId);
    seen.set(a.typology, set);
  }
  const out: Record<string, { alerted: number; correct: number }> = {};
  for (const [t, accounts] of [...seen].sort(([x], [y]) => x.localeCompare(y))) {
    const ok = [...accounts].filter((acct) => (truth.accounts[acct] ?? []).includes(t) || (truth.allowed?.[acct] ?? []).includes(t)).length;
    out[t] = { alerted: accounts.size, correct: ok };
  }
  return out;
}

export function compareRuns(before: { alerts: readonly Alert[]; cases?: readonly Case[] }, after: { alerts: readonly Alert[]; cases?: readonly Case[] }, truth?: Truth): CompareReport {
  const alerts = diffAlerts(before.alerts, after.alerts);
  const byRule = changesByRule(alerts);
  const cases = before.cases && after.cases ? diffCases(before.cases, after.cases) : undefined;
  const score = truth ? { before: scoreAlerts(before.alerts, truth), after: scoreAlerts(after.alerts, truth), precisionBefore: precisionByTypology(before.alerts, truth), precisionAfter: precisionByTypology(after.alerts, truth) } : undefined;
  return { alerts, byRule, ...(cases ? { cases } : {}), ...(score ? { score } : {}), verdict: verdictOf(byRule, score, cases, alerts.changed) };
}

const counts = (c: SeverityCounts): string => SEVERITIES.map((l) => `${c[l]}`.padStart(5)).join('');
const SEVERITY_HEADS = ['crit', 'high', 'med', 'low'].map((h) => h.padStart(5)).join('');
/** The columns of the rows below it, laid out by the same widths (newcomer QA, session 43: the heading sat 30 columns left of its numbers). */
const COMPARE_HEADER = `  ${'typology'.padEnd(20)} ${'rule'.padEnd(34)} +${SEVERITY_HEADS}   -${SEVERITY_HEADS}`;

export function formatCompare(r: CompareReport): string {
  const lines = [r.verdict, '', 'alerts by rule, added (+) and dropped (-) by severity', COMPARE_HEADER];
  for (const row of r.byRule) lines.push(`  ${row.typology.padEnd(20)} ${row.ruleId.padEnd(34)} +${counts(row.added)}   -${counts(row.dropped)}`);
  if (r.byRule.length === 0) lines.push('  (none added or dropped)');
  lines.push(`  ${r.alerts.changed.length} alert(s) kept with another severity or score`);
  if (r.cases) {
    lines.push('', `cases: ${r.cases.opened.length} opened, ${r.cases.closed.length} no longer opened, ${r.cases.changed.length} changed`);
    for (const c of r.cases.opened) lines.push(`  + ${c.severity.padEnd(8)} ${c.subject.padEnd(18)} ${c.typologies.join(', ')}`);
    for (const c of r.cases.closed) lines.push(`  - ${c.severity.padEnd(8)} ${c.subject.padEnd(18)} ${c.typologies.join(', ')}`);
    for (const c of r.cases.changed) lines.push(`  ~ ${c.before.severity}->${c.after.severity} ${c.after.subject.padEnd(18)} ${c.before.typologies.join(', ')} -> ${c.after.typologies.join(', ')}`);
  }
  if (r.score) {
    lines.push('', 'per typology (medium and above)    recall before  after   precision before  after');
    const { precisionBefore: pb, precisionAfter: pa } = r.score;
    const typologies = [...new Set([...Object.keys(r.score.before.recall), ...Object.keys(r.score.after.recall), ...Object.keys(pb), ...Object.keys(pa)])].sort();
    const frac = (a: number | undefined, b: number | undefined): string => (b === undefined ? '-' : `${a}/${b}`);
    for (const t of typologies) {
      const x = r.score.before.recall[t];
      const y = r.score.after.recall[t];
      const mark = x && y && x.found !== y.found ? (y.found < x.found ? '  recall down' : '  recall up') : '';
      lines.push(`  ${t.padEnd(38)} ${frac(x?.found, x?.planted).padStart(8)} ${frac(y?.found, y?.planted).padStart(6)}   ${frac(pb[t]?.correct, pb[t]?.alerted).padStart(13)} ${frac(pa[t]?.correct, pa[t]?.alerted).padStart(6)}${mark}`);
    }
    const p = r.score.before.precision;
    const q = r.score.after.precision;
    lines.push(`  ${'precision per account'.padEnd(38)} ${`${p.correct}/${p.alertedAccounts}`.padStart(6)}  ${`${q.correct}/${q.alertedAccounts}`.padStart(5)}`);
  }
  return lines.map(inertText).join('\n'); // subjects are input text
}
