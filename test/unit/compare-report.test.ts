import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/cases/case-model.js';
import type { Alert, Severity } from '../../src/contract/schemas.js';
import { compareRuns, formatCompare } from '../../src/replay/compare-report.js';
import type { Truth } from '../../src/replay/score.js';

const alert = (ruleId: string, typology: string, accountId: string, severity: Severity, ev: string): Alert => ({
  alertId: `al-${ruleId}-${accountId}-${ev}`, ruleId, ruleVersion: 1, typology, severity, score: 50, subject: { accountId }, eventIds: [ev], triggeredAt: '2025-01-01T00:00:00.000Z', evidence: {}, explanation: 'x',
});
const kase = (subject: string, severity: Severity, typologies: string[]): Case => ({ caseId: `case-${subject}`, subject, status: 'open', score: 60, severity, typologies, alertIds: [], alertCount: 1, openedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' });

const truth: Truth = { accounts: { a1: ['dprk-consolidation'], a2: ['dprk-consolidation'], a3: ['dprk-consolidation'], s1: ['sanctions-exposure'] } };
const before = [
  alert('c.fan-in', 'dprk-consolidation', 'a1', 'medium', 'e1'),
  alert('c.fan-in', 'dprk-consolidation', 'a2', 'medium', 'e2'),
  alert('c.fan-in', 'dprk-consolidation', 'a3', 'medium', 'e3'),
  alert('c.fan-in', 'dprk-consolidation', 'b9', 'medium', 'e9'),
  alert('s.direct', 'sanctions-exposure', 's1', 'critical', 'e4'),
  alert('p.quick-out', 'pass-through', 'a1', 'low', 'e5'),
  alert('p.quick-out', 'pass-through', 'a2', 'low', 'e6'),
];
const after = [
  alert('c.fan-in', 'dprk-consolidation', 'a1', 'medium', 'e1'),
  alert('s.direct', 'sanctions-exposure', 's1', 'critical', 'e4'),
  alert('s.indirect', 'sanctions-exposure', 's1', 'high', 'e7'),
];

describe('replay --compare report', () => {
  it('leads with a verdict naming the recall and precision moves and the alerts added and dropped', () => {
    const r = compareRuns({ alerts: before }, { alerts: after }, truth);
    expect(r.verdict).toBe('verdict: dprk-consolidation recall falls 3/3 -> 1/3; account precision 4/5 -> 2/2; 1 medium-or-above alert added; 3 medium-or-above alerts dropped; 2 low alerts dropped');
    expect(formatCompare(r).split('\n')[0]).toBe(r.verdict);
  });

  it('lays the per-rule heading over its numbers: each severity heading ends where its column of counts ends', () => {
    const text = formatCompare(compareRuns({ alerts: before }, { alerts: after }, truth)).split('\n');
    const header = text.find((l) => l.includes('typology') && l.includes('crit'))!;
    const row = text.find((l) => l.includes('s.indirect'))!;
    expect(row).toBeDefined();
    const ends = (line: string, pattern: RegExp): number[] => [...line.matchAll(pattern)].map((m) => m.index! + m[0].length);
    expect(ends(row, /\d+/g)).toEqual(ends(header, /crit|high|med|low/g));
  });

  it('says in the verdict when the same alerts change severity across the case line (low and medium), and when cases change', () => {
    const same = [alert('t.thr', 'structuring', 'x1', 'medium', 'e1'), alert('t.thr', 'structuring', 'x2', 'low', 'e2'), alert('t.thr', 'structuring', 'x3', 'high', 'e3')];
    const moved = [alert('t.thr', 'structuring', 'x1', 'low', 'e1'), alert('t.thr', 'structuring', 'x2', 'medium', 'e2'), alert('t.thr', 'structuring', 'x3', 'critical', 'e3')];
    const r = compareRuns({ alerts: same, cases: [kase('x1', 'medium', ['structuring'])] }, { alerts: moved, cases: [kase('x2', 'medium', ['structuring'])] });
    expect(r.verdict).toBe('verdict: 1 alert raised from low to medium or above; 1 alert lowered to low (no case); 1 alert at another case severity; cases 1 opened, 1 no longer opened, 0 changed');
    expect(compareRuns({ alerts: same }, { alerts: same }).verdict).toBe('verdict: no change in alerts');
  });

  it('counts alerts added and dropped per typology and rule, by severity', () => {
    const r = compareRuns({ alerts: before }, { alerts: after });
    expect(r.byRule).toEqual([
      { typology: 'dprk-consolidation', ruleId: 'c.fan-in', added: { critical: 0, high: 0, medium: 0, low: 0 }, dropped: { critical: 0, high: 0, medium: 3, low: 0 } },
      { typology: 'pass-through', ruleId: 'p.quick-out', added: { critical: 0, high: 0, medium: 0, low: 0 }, dropped: { critical: 0, high: 0, medium: 0, low: 2 } },
      { typology: 'sanctions-exposure', ruleId: 's.indirect', added: { critical: 0, high: 1, medium: 0, low: 0 }, dropped: { critical: 0, high: 0, medium: 0, low: 0 } },
    ]);
    expect(r.score).toBeUndefined();
  });

  it('reports precision per typology with --truth', () => {
    const r = compareRuns({ alerts: before }, { alerts: after }, truth);
    expect(r.score!.precisionBefore['dprk-consolidation']).toEqual({ alerted: 4, correct: 3 });
    expect(r.score!.precisionAfter['dprk-consolidation']).toEqual({ alerted: 1, correct: 1 });
    expect(formatCompare(r)).toMatch(/dprk-consolidation +3\/3 +1\/3 +3\/4 +1\/1 +recall down/);
  });

  it('matches cases by subject and reports those opened, no longer opened and changed', () => {
    const r = compareRuns(
      { alerts: before, cases: [kase('a1', 'medium', ['dprk-consolidation']), kase('a2', 'medium', ['dprk-consolidation']), kase('s1', 'critical', ['sanctions-exposure'])] },
      { alerts: after, cases: [kase('a1', 'high', ['dprk-consolidation']), kase('s1', 'critical', ['sanctions-exposure']), kase('n1', 'medium', ['structuring'])] },
    );
    expect(r.cases!.opened.map((c) => c.subject)).toEqual(['n1']);
    expect(r.cases!.closed.map((c) => c.subject)).toEqual(['a2']);
    expect(r.cases!.changed.map((c) => `${c.after.subject} ${c.before.severity}->${c.after.severity}`)).toEqual(['a1 medium->high']);
    expect(r.verdict).toContain('cases 1 opened, 1 no longer opened');
  });

  it('says so when nothing changes', () => {
    expect(compareRuns({ alerts: before }, { alerts: before }, truth).verdict).toBe('verdict: no change in alerts, recall or precision');
  });
});
