/**
 * Why an alert fired, in words and tables an analyst can copy into a SAR narrative: the rule and
 * its version, every signal the rule recorded with its value and the bounds the rule holds it
 * against (session 49: `rule: >= $2,500` beside the figure), the label and its source, and each
 * hop of a path with its address, cluster, transaction, amount and time (UTC). Before session 48
 * the hops and signals were only in the graph's small rotated labels and a collapsed JSON dump.
 */
import type { Alert } from '../../src/contract/schemas.js';
import type { RuleParameters, RuleThreshold } from '../../src/console/rule-parameters.js';
import { el, fmtTime } from './dom.js';

interface Hop { address: string; cluster?: unknown; via?: Record<string, unknown> }

/** What each kind of path an alert carries is, by its evidence key; any other list of hops is shown under its key. */
const PATH_TITLES: Record<string, string> = {
  path: 'Path from the account\'s counterparty to the labelled address',
  onwardPath: 'Onward path from the cluster to the labelled one',
};

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

function isHopList(v: unknown): v is Hop[] {
  return Array.isArray(v) && v.length > 0 && v.every((h) => h !== null && typeof h === 'object' && typeof (h as Hop).address === 'string');
}

function hopTable(key: string, hops: Hop[]): HTMLElement {
  const head = ['hop', 'address', 'cluster', 'transaction with the previous hop', 'amount', 'USD', 'time (UTC)'];
  return el('div', {},
    el('h3', {}, PATH_TITLES[key] ?? key),
    el('table', { class: 'hops', 'data-testid': 'hops' }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
      el('tbody', {}, ...hops.map((h, i) => el('tr', {},
        el('td', {}, String(i)), el('td', {}, el('code', {}, h.address)), el('td', {}, text(h.cluster)),
        el('td', {}, h.via ? el('code', {}, text(h.via.ref)) : '(start)'),
        el('td', {}, h.via ? `${text(h.via.amount)} ${text(h.via.asset)}` : ''), el('td', {}, h.via ? text(h.via.usd) : ''),
        el('td', {}, h.via && typeof h.via.time === 'string' ? fmtTime(h.via.time) : ''))))));
}

/**
 * The epoch milliseconds of years 0000 to 9999, the years an ISO time writes in four digits. Past
 * Date's own range (±8.64e15) `toISOString` throws; between the two it writes an extended year
 * (`+010000-01-01T…`).
 */
const FIRST_FOUR_DIGIT_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_FOUR_DIGIT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A time field of a nested record (a merge's cause carries epoch milliseconds) as the page shows
 * times; a number outside the years 0000 to 9999 as the number itself. Before session 49 one
 * outside Date's range threw a RangeError, and the case page was never drawn; before session 50
 * one past 9999 was shown as a cut extended ISO time (`+010000-01-01 00:00 UTC`).
 */
function timeText(key: string, v: unknown): string | undefined {
  if ((key === 'time' || key === 'at') && typeof v === 'number' && v >= FIRST_FOUR_DIGIT_MS && v <= LAST_FOUR_DIGIT_MS) return fmtTime(new Date(v).toISOString());
  if ((key === 'time' || key === 'at') && typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return fmtTime(v);
  return undefined;
}

/** A signal's value as text: lists joined, a USD value with its source, other records as `key: value` pairs, times in UTC. */
function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(valueText).join(', ');
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.value === 'string' && typeof o.source === 'string' && Object.keys(o).length === 2) return `${o.value} (${o.source})`;
    return `{ ${Object.entries(o).map(([k, x]) => `${k}: ${timeText(k, x) ?? valueText(x)}`).join(', ')} }`;
  }
  return text(v);
}

/**
 * Whether the rule file the console read is another than the one that raised the alert: another
 * hash, or (an alert without one) another version.
 */
function otherRuleFile(a: Alert, rule: RuleParameters): boolean {
  const raisedBy = (a.evidence.rule as { hash?: unknown } | undefined)?.hash;
  return typeof raisedBy === 'string' ? raisedBy !== rule.hash : a.ruleVersion !== rule.version;
}

/**
 * The bounds the rule holds a figure against, beside the figure: `rule: >= $2,500 (one way to
 * fire)`; from another file than the one that raised the alert, named as that file's version
 * (`rule version 11 now: …`), not as the bound the alert was judged by.
 */
function boundsOf(key: string, a: Alert, rule: RuleParameters | undefined): HTMLElement[] {
  if (!rule) return [];
  const said = otherRuleFile(a, rule) ? `rule version ${rule.version} now` : 'rule';
  return rule.thresholds.filter((t) => t.evidenceKey === key).map((t) => el('span', { class: 'threshold muted', 'data-testid': 'threshold' }, ` · ${said}: ${t.test} (${t.role})`));
}

const thresholdName = (t: RuleThreshold): string => t.evidenceKey ?? t.field;

/**
 * Every threshold and signal setting of the rule, as its file writes them, and whether the file
 * the console read is the one that raised the alert (the hash the alert carries).
 */
function ruleThresholds(a: Alert, rule: RuleParameters | undefined): HTMLElement {
  if (!rule) return el('p', { class: 'muted', 'data-testid': 'rule-thresholds' }, `The console has not read ${a.ruleId}'s file (console serve --rules): its thresholds are not shown.`);
  const raisedBy = (a.evidence.rule as { hash?: unknown } | undefined)?.hash;
  const other = otherRuleFile(a, rule);
  return el('details', { 'data-testid': 'rule-thresholds' },
    el('summary', {}, `every threshold and setting of ${rule.ruleId} version ${rule.version}${other ? ' (not the file that raised this alert)' : ''}`),
    other ? el('p', { class: 'error', 'data-testid': 'rule-changed' }, `The rules folder the console read holds ${rule.ruleId} version ${rule.version} (hash ${rule.hash}); this alert was raised by version ${a.ruleVersion}${typeof raisedBy === 'string' ? ` (hash ${raisedBy})` : ''}: the thresholds it used may differ from these.`) : null,
    el('table', { class: 'thresholds' }, el('thead', {}, el('tr', {}, ...['field', 'test', 'what it does'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rule.thresholds.map((t) => el('tr', {}, el('td', {}, el('code', {}, thresholdName(t))), el('td', {}, t.test), el('td', {}, t.role))))),
    el('dl', { class: 'kv' }, ...rule.signals.flatMap((g) => [el('dt', {}, `signal ${g.name}`), el('dd', {}, g.settings)])));
}

export function alertWhy(a: Alert, rule?: RuleParameters): HTMLElement {
  const signals = Object.entries(a.evidence).filter(([key, v]) => key !== 'rule' && !isHopList(v));
  const paths = Object.entries(a.evidence).filter((e): e is [string, Hop[]] => isHopList(e[1]));
  return el('div', { class: 'why', 'data-testid': 'why' },
    el('dl', { class: 'kv', 'data-testid': 'signals' },
      el('dt', {}, 'rule'), el('dd', {}, `${a.ruleId} version ${a.ruleVersion}`),
      el('dt', {}, 'event time'), el('dd', {}, fmtTime(a.triggeredAt)),
      el('dt', {}, 'evidence events'), el('dd', {}, a.eventIds.join(', ')),
      ...signals.flatMap(([key, v]) => [el('dt', {}, key), el('dd', { 'data-evidence': key }, valueText(v), ...boundsOf(key, a, rule))])),
    ruleThresholds(a, rule),
    ...paths.map(([key, hops]) => hopTable(key, hops)));
}
