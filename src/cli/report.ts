/** Human-readable summaries for the terminal. */
import type { Case } from '../cases/case-model.js';
import type { ReplaySummary } from '../replay/replay.js';
import { inertText } from '../observability/terminal-text.js';

export function printSummary(s: ReplaySummary, rules: number): void {
  const lines = [
    // An accepted message that tripped a defect is dead-lettered too (TW_INTERNAL): shown, never hidden among the accepted.
    `read ${s.read}  accepted ${s.accepted}  rejected ${s.rejected}  duplicates ${s.duplicates}  ignored ${s.ignored}` + (s.internalErrors ? `  internal errors ${s.internalErrors} (dead-lettered as TW_INTERNAL)` : ''),
    `rules ${rules}  merges ${s.merges}  held merges ${s.heldMerges}  late re-evaluations ${s.reevaluations}`,
    `alerts ${s.alerts}` + (s.alerts ? `  by severity: ${Object.entries(s.bySeverity).sort().map(([k, v]) => `${k} ${v}`).join(', ')}` : ''),
  ];
  for (const [t, n] of Object.entries(s.byTypology).sort()) lines.push(`  ${t.padEnd(22)} ${n}`);
  const untraced = s.untracedLabels;
  if (untraced.names.length > 0) {
    const names = untraced.names.map(([name, n]) => `${name} (${n})`).join(', ') + (untraced.others ? `, ${untraced.others} of other names` : '');
    lines.push(`labels no exposure rule traces: ${names}: they raise no exposure alert, and excludeLabels: [any-untraced] reads them as service categories; name them in an exposure signal's labels to alert on them`);
  }
  if (s.suspectFields.length > 0) {
    const fields = s.suspectFields.map((f) => `${f.topic} ${f.field} (did you mean ${f.nearest}?) ${f.count}`).join(', ');
    lines.push(`fields that look misspelt, in messages applied without the optional field they resemble: ${fields}`);
  }
  console.log(lines.map(inertText).join('\n'));
}

export function printCases(cases: Case[], limit: number): void {
  console.log(`\ncases ${cases.length} (most severe first${cases.length > limit ? `, top ${limit}` : ''})`);
  console.log(`  ${'case'.padEnd(26)} ${'subject'.padEnd(18)} ${'sev'.padEnd(8)} score  alerts  typologies`);
  for (const c of cases.slice(0, limit)) {
    console.log(inertText(`  ${c.caseId.padEnd(26)} ${c.subject.padEnd(18)} ${c.severity.padEnd(8)} ${String(c.score).padStart(5)}  ${String(c.alertCount).padStart(6)}  ${c.typologies.join(', ')}`));
  }
}
