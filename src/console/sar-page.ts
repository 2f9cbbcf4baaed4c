/** The SAR/STR draft as a printable HTML page (every value escaped; no script). */
import type { SarDraft } from './sar-draft.js';

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const table = (head: string[], rows: unknown[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

export function sarPage(d: SarDraft): string {
  const n = d.narrative;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SAR/STR draft ${esc(d.caseId)}</title>
<style>body{font:13px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#111}h1{font-size:1.4rem}h2{font-size:1.05rem;border-bottom:1px solid #999;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;font-size:12px}td,th{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top;word-break:break-all}dt{font-weight:600}dd{margin:0 0 .5rem 0}.draft{color:#a00;font-weight:600}@media print{.noprint{display:none}}</style></head><body>
<p class="draft">DRAFT: not filed. Generated ${esc(d.generatedAt)} by ${esc(d.generatedBy)} from case ${esc(d.caseId)} (${esc(d.status)}).</p>
<h1>Suspicious activity report: draft</h1>
<p class="noprint">Print this page (Ctrl+P) for the file copy.</p>
<h2>Part I: Subject</h2><dl><dt>Account</dt><dd>${esc(d.subject.accountId)}</dd><dt>Customer type</dt><dd>${esc(d.subject.customerType ?? 'unknown')}</dd>
<dt>KYC country</dt><dd>${esc(d.subject.kycCountry ?? 'unknown')}</dd><dt>Customer since</dt><dd>${esc(d.subject.customerSince ?? 'unknown')}</dd>
<dt>Session countries</dt><dd>${esc(d.subject.ipCountries.join(', '))}</dd><dt>Clusters</dt><dd>${esc(d.subject.clusters.join(', '))}</dd></dl>
<h2>Part II: Suspicious activity</h2><dl><dt>Date range</dt><dd>${esc(d.activity.from)} to ${esc(d.activity.to)}</dd><dt>Total (USD)</dt><dd>${esc(d.activity.totalUsd)} (in ${esc(d.activity.inboundUsd)}, out ${esc(d.activity.outboundUsd)})</dd>
<dt>Amounts by asset</dt><dd>${esc(Object.entries(d.activity.amountsByAsset).map(([a, v]) => `${v} ${a}`).join(', '))}</dd><dt>Typologies</dt><dd>${esc(d.activity.typologies.join(', '))}</dd>
<dt>Suggested categories</dt><dd>${esc(d.activity.suggestedCategories.join('; '))}</dd></dl>
<h2>Transactions</h2>${table(['event', 'time', 'kind', 'chain', 'amount', 'USD', 'tx', 'to'], d.transactions.map((t) => [t.eventId, t.at, t.kind, t.chain, `${t.amount} ${t.asset}`, t.usdValue, t.txHash, t.to]))}
<h2>Addresses</h2>${table(['address', 'role', 'party'], d.addresses.map((a) => [a.address, a.role, a.party]))}
<h2>On-chain references</h2><p>${esc(d.onChainReferences.join(', ') || 'none')}</p>
<h2>Alerts</h2>${table(['alert', 'rule', 'severity', 'score', 'time', 'explanation'], d.alerts.map((a) => [a.alertId, a.ruleId, a.severity, a.score, a.triggeredAt, a.explanation]))}
<h2>Part V: Narrative</h2><dl><dt>Who</dt><dd>${esc(n.who)}</dd><dt>What</dt><dd>${esc(n.what)}</dd><dt>When</dt><dd>${esc(n.when)}</dd><dt>Where</dt><dd>${esc(n.where)}</dd>
<dt>Why</dt><dd>${esc(n.why)}</dd><dt>How</dt><dd>${esc(n.how)}</dd><dt>Action taken</dt><dd>${esc(n.actionTaken)}</dd></dl>
<h2>Review notes</h2>${table(['time', 'by', 'note'], d.review.notes.map((x) => [x.at, x.by, x.text]))}
</body></html>`;
}
