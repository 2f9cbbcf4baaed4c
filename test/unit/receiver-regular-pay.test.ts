/**
 * extortion-payment.receiver-side v13 (session 51 QA): another payer's regular pay is no part of
 * the inflow. A salary that lands the day of a ransom paid in parts was summed into it (v4 to v12:
 * "received 99,000 USD" of a 90,000 ransom); the inflow is now the ransom's parts alone, and the
 * salary, which left with them, still counts toward the 105% ceiling on what was forwarded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const lines = readFileSync(join(DEFAULT_RULES_DIR, 'extortion-payment/cases/receiver-split-with-salary-positive.jsonl'), 'utf8').split('\n').filter(Boolean);

interface Deposit { eventId: string; accountId: string; occurredAt: string; usdValue: number; kind: string }
const deposits = lines.map((l) => JSON.parse(l) as Deposit).filter((m) => m.kind === 'deposit' && m.occurredAt.startsWith('2025-06-15'));

describe('receiver-side reads the ransom, not the salary that landed the same day', () => {
  it('names the ransom parts alone as the inflow, for a salary before the parts and between them', () => {
    const pipeline = new Pipeline({ rules });
    const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 'case', line: i + 1 }).alerts).filter((a) => a.ruleId === 'extortion-payment.receiver-side');
    expect(alerts.map((a) => a.subject.accountId).sort()).toEqual(['acct-ransom-salary-between', 'acct-ransom-salary-first']);
    for (const alert of alerts) {
      const ofAccount = deposits.filter((d) => d.accountId === alert.subject.accountId);
      const salary = ofAccount.filter((d) => d.usdValue === 9000).map((d) => d.eventId);
      const parts = ofAccount.filter((d) => d.usdValue !== 9000).map((d) => d.eventId);
      expect(salary).toHaveLength(1);
      expect(parts).toHaveLength(3);
      const evidence = alert.evidence as Record<string, unknown>;
      expect(String(evidence.inflowUsd)).toBe('90000');
      expect(evidence.forwardedPercent).toBe(108); // 97,000 of 90,000: the salary left with the ransom
      expect(alert.eventIds).toEqual(expect.arrayContaining(parts));
      expect(alert.eventIds).not.toContain(salary[0]);
      expect(alert.explanation).toContain('received 90,000 USD and forwarded 108%');
    }
  });
});
