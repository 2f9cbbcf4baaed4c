/**
 * A rule's `alsoAlert` raises alerts for other accounts than the trigger's (a fan-in's other
 * implicated payers). Each such alert must describe its subject's own transfer: QA found 11 of the
 * sample's 34 fan-in alerts telling an analyst that another customer withdrew another amount to
 * another address.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

describe('alerts for accounts a rule also alerts', () => {
  const pipeline = new Pipeline({ rules: rules(), labels: ofacLabels() });
  const alerts: Alert[] = sampleLines().flatMap((line, i) => pipeline.process(line, { file: 'sample', line: i + 1 }).alerts);
  const fanIn = alerts.filter((a) => a.ruleId === 'dprk-consolidation.fan-in');

  it('name the subject and its own withdrawal in the explanation, with its own USD value', () => {
    expect(fanIn.length).toBeGreaterThan(20);
    for (const alert of fanIn) {
      const own = alert.eventIds.map((id) => pipeline.state.transfer(id)).filter((t) => t?.msg.accountId === alert.subject.accountId);
      expect(own.length, alert.alertId).toBeGreaterThan(0);
      expect(alert.explanation.startsWith(`${alert.subject.accountId} withdrew `), alert.explanation).toBe(true);
      const usd = (alert.evidence.usd as { value: { toString(): string } }).value.toString();
      expect(own.map((t) => t!.usd!.toString()), alert.alertId).toContain(usd);
    }
  });

  it('covers alerts raised for an account other than the trigger (the case QA found)', () => {
    const triggers = new Set(fanIn.map((a) => a.explanation.split(' ')[0]));
    expect(fanIn.filter((a) => triggers.has(a.subject.accountId)).length).toBe(fanIn.length);
    // Several accounts alerted from one trigger's evaluation: same triggeredAt, different subjects.
    const byTime = new Map<string, Set<string>>();
    for (const a of fanIn) byTime.set(a.triggeredAt, (byTime.get(a.triggeredAt) ?? new Set()).add(a.subject.accountId));
    expect([...byTime.values()].some((s) => s.size > 1)).toBe(true);
  });
});
