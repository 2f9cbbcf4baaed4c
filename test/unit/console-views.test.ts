import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/cases/case-model.js';
import { buildDashboard } from '../../src/console/dashboard.js';
import { staleAlertDays } from '../../src/cases/dashboard-figures.js';
import { buildPathGraph } from '../../src/console/path-graph.js';
import { parseSla, queueView } from '../../src/console/queue-view.js';
import { alert } from '../conformance/case-store-suite.js';

const HOUR = 3_600_000;
const opened = Date.parse('2025-01-01T00:00:00.000Z');
const aCase = (caseId: string, severity: Case['severity'], status: Case['status'], analyst?: string): Case => ({
  caseId, subject: `acct-${caseId}`, status, score: 80, severity, typologies: ['sanctions-exposure'], alertIds: [], alertCount: 1,
  openedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', ...(analyst ? { analyst } : {}),
});

describe('queue view', () => {
  it('marks a breach past the severity\'s SLA hours, and never on a resolved case', () => {
    const sla = parseSla('critical=4,high=24');
    const rows = queueView([aCase('c', 'critical', 'open'), aCase('h', 'high', 'open'), aCase('m', 'medium', 'open'), aCase('r', 'critical', 'resolved')], { status: ['open', 'resolved'] }, sla, opened + 5 * HOUR);
    expect(rows.map((r) => [r.caseId, r.ageHours, r.slaHours, r.slaBreached])).toEqual([['c', 5, 4, true], ['h', 5, 24, false], ['m', 5, null, false], ['r', 5, 4, false]]);
  });

  it('filters by assignee (or unassigned), age and breach; unresolved by default', () => {
    const sla = parseSla('critical=4');
    const cases = [aCase('a', 'critical', 'claimed', 'ana'), aCase('b', 'critical', 'open'), aCase('z', 'critical', 'resolved')];
    expect(queueView(cases, {}, sla, opened + HOUR).map((r) => r.caseId)).toEqual(['a', 'b']);
    expect(queueView(cases, { assignee: 'ana' }, sla, opened + HOUR).map((r) => r.caseId)).toEqual(['a']);
    expect(queueView(cases, { assignee: '-' }, sla, opened + HOUR).map((r) => r.caseId)).toEqual(['b']);
    expect(queueView(cases, { minAgeHours: 2 }, sla, opened + HOUR)).toEqual([]);
    expect(queueView(cases, { breachedOnly: true }, sla, opened + 5 * HOUR).map((r) => r.caseId)).toEqual(['a', 'b']);
  });

  it('names CONSOLE_SLA_HOURS when a part is not severity=hours', () => {
    expect(() => parseSla('critical=4,urgent=1')).toThrow('CONSOLE_SLA_HOURS: "urgent=1" is not severity=hours');
    expect(() => parseSla('high=0')).toThrow(/CONSOLE_SLA_HOURS/);
  });
});

describe('path graph', () => {
  it('draws the hop path upstream to the labelled address, the clusters, and a merge with its heuristic and transaction', () => {
    const indirect = { ...alert('p1', 'acct-p', 80), evidence: {
      direction: 'upstream', labelledAddress: '0xLISTED', party: 'VALERIAN LABS',
      path: [{ address: '0xCOUNTER', cluster: 'cl-a' }, { address: '0xLISTED', cluster: 'cl-b', via: { ref: 'tx-hop', asset: 'ETH', amount: 12.5, usd: 41250, time: '2025-02-24T21:46:41.279Z' } }],
      graphChange: { kind: 'merge', cluster: 'cl-b', absorbed: 'cl-old', cause: { heuristic: 'forwarding', ref: 'tx-merge' }, at: '2025-02-24T22:00:00.000Z' },
    } };
    const g = buildPathGraph([indirect]);
    expect(g.nodes.find((n) => n.id === 'addr:0xlisted')).toMatchObject({ tag: 'sanctioned: VALERIAN LABS', cluster: 'cl-b' });
    expect(g.edges.find((e) => e.kind === 'hop')).toMatchObject({ source: 'addr:0xlisted', target: 'addr:0xcounter', label: '12.5 ETH (41250 USD) · 2025-02-24 21:46 · tx tx-hop' });
    expect(g.edges.find((e) => e.kind === 'transfer')).toMatchObject({ source: 'addr:0xcounter', target: 'acct:acct-p' });
    expect(g.edges.find((e) => e.kind === 'merge')).toMatchObject({ source: 'cl:cl-old', target: 'cl:cl-b', label: 'merged by forwarding · tx tx-merge · 2025-02-24 22:00' });
    expect(buildPathGraph([indirect])).toEqual(g);
  });
});

describe('dashboard', () => {
  it('turns the store\'s counters into dispositions per rule with the false-positive rate, alerts per typology per day, and ageing of the unresolved', () => {
    const d = buildDashboard({
      alertsPerDay: { '2025-01-01|dprk-it-payroll': 2, '2025-01-01|dprk-consolidation': 1 },
      resolutions: { 'r|false-positive': 1, 'r|sar-filed': 1, 'q|escalated': 0 },
      statusCounts: { open: 1, resolved: 2 },
      unresolved: [aCase('open', 'high', 'open')],
    }, parseSla('high=24'), opened + 30 * HOUR);
    expect(d.dispositionsPerRule).toEqual([{ ruleId: 'r', escalated: 0, 'sar-filed': 1, 'false-positive': 1, resolved: 2, falsePositiveRate: 0.5 }]);
    expect(d.alertsPerDay).toEqual([{ day: '2025-01-01', typology: 'dprk-consolidation', alerts: 1 }, { day: '2025-01-01', typology: 'dprk-it-payroll', alerts: 2 }]);
    expect(d.queue).toEqual([{ status: 'open', cases: 1 }, { status: 'resolved', cases: 2 }]);
    expect(d.ageing.find((a) => a.bucket === '1–3 d')!.cases).toBe(1);
    expect(d.slaBreaches.map((b) => b.caseId)).toEqual(['open']);
  });

  it('shows the newest 90 days with alerts, and a store drops counts past 400 days behind its newest day', () => {
    const counters: Record<string, number> = {};
    for (let i = 0; i < 500; i++) counters[`${new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)}|t`] = 1;
    const days = buildDashboard({ alertsPerDay: counters, resolutions: {}, statusCounts: {}, unresolved: [] }, parseSla('high=24'), opened).alertsPerDay.map((r) => r.day);
    expect(days).toHaveLength(90);
    expect(days.at(-1)).toBe('2025-05-14');
    const stale = staleAlertDays(Object.keys(counters));
    expect(stale).toHaveLength(99);
    expect(stale.every((f) => f < '2024-04-09')).toBe(true);
  });
});
