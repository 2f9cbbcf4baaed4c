/**
 * Scores alerts against a labelled stream's truth.json: recall per planted typology and
 * precision per account, counting alerts of severity medium and above. An alerted account is
 * correct when it was planted and every typology it alerted on is planted or allowed for it.
 */
import type { Alert } from '../contract/schemas.js';
import { inertText } from '../observability/terminal-text.js';

export interface Truth {
  accounts: Record<string, string[]>;
  allowed?: Record<string, string[]>;
  benign?: string[];
  sanctionsDirect?: string[];
}

export interface Score {
  recall: Record<string, { planted: number; found: number; recall: number; missed: string[] }>;
  precision: { alertedAccounts: number; correct: number; precision: number; wrong: { accountId: string; typologies: string[] }[] };
}

const COUNTED = new Set(['medium', 'high', 'critical']);

export function scoreAlerts(alerts: readonly Alert[], truth: Truth): Score {
  const byAccount = new Map<string, Set<string>>();
  for (const a of alerts) {
    if (!COUNTED.has(a.severity)) continue;
    const set = byAccount.get(a.subject.accountId) ?? new Set<string>();
    set.add(a.typology);
    byAccount.set(a.subject.accountId, set);
  }
  const recall: Score['recall'] = {};
  for (const [account, typologies] of Object.entries(truth.accounts)) {
    for (const t of typologies) {
      const r = (recall[t] ??= { planted: 0, found: 0, recall: 0, missed: [] });
      r.planted++;
      if (byAccount.get(account)?.has(t)) r.found++;
      else r.missed.push(account);
    }
  }
  for (const r of Object.values(recall)) r.recall = r.planted ? r.found / r.planted : 1;
  const wrong: Score['precision']['wrong'] = [];
  for (const [account, typologies] of [...byAccount].sort(([a], [b]) => a.localeCompare(b))) {
    const ok = new Set([...(truth.accounts[account] ?? []), ...(truth.allowed?.[account] ?? [])]);
    const bad = [...typologies].filter((t) => !ok.has(t));
    if (!truth.accounts[account] || bad.length > 0) wrong.push({ accountId: account, typologies: [...typologies].sort() });
  }
  const alerted = byAccount.size;
  return { recall, precision: { alertedAccounts: alerted, correct: alerted - wrong.length, precision: alerted ? (alerted - wrong.length) / alerted : 1, wrong } };
}

export function formatScore(s: Score): string {
  const lines = ['recall per typology (severity medium and above):'];
  for (const [t, r] of Object.entries(s.recall).sort()) lines.push(`  ${t.padEnd(22)} ${r.found}/${r.planted}  ${r.recall.toFixed(2)}${r.missed.length ? `  missed: ${r.missed.join(', ')}` : ''}`);
  lines.push(`precision per account: ${s.precision.correct}/${s.precision.alertedAccounts}  ${s.precision.precision.toFixed(2)}`);
  for (const w of s.precision.wrong) lines.push(`  wrong: ${w.accountId} (${w.typologies.join(', ')})`);
  return lines.map(inertText).join('\n'); // account ids are input text
}
