/** The rules' thresholds and settings the case page shows beside an alert's figures (src/console/rule-parameters.ts). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parametersOf, RuleBook } from '../../src/console/rule-parameters.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { rulesDir } from '../helpers/sample.js';

describe('rule parameters', () => {
  const book = RuleBook.read(rulesDir);
  const fanIn = book.of(['dprk-consolidation.fan-in'])['dprk-consolidation.fan-in']!;

  it('names each threshold by the evidence key that carries its field, as the file writes it, with what it does', () => {
    expect(fanIn.thresholds).toContainEqual({ field: 'signals.payers.individualMedianPaymentUsd', evidenceKey: 'individualMedianPaymentUsd', test: '>= $2,500', role: 'one way to fire' });
    expect(fanIn.thresholds).toContainEqual({ field: 'signals.payers.share', test: '>= 20%', role: 'one way to fire' });
    expect(fanIn.thresholds).toContainEqual({ field: 'signals.payers.implicated', test: '>= 1', role: 'required' });
    expect(fanIn.thresholds).toContainEqual({ field: 'signals.fanIn.accounts', evidenceKey: 'accounts', test: '>= 5', role: 'adds 15 to the score: five or more distinct accounts' });
    expect(fanIn.thresholds).toContainEqual({ field: 'counterparty.labels', test: 'contains any of dprk-linked, sanctioned', role: 'adds 20 to the score: the cluster carries a DPRK-linked or sanctioned label' });
    expect(fanIn.signals).toContainEqual({ name: 'fanIn', settings: 'fan-in; within 30d; kinds withdrawal; excludeLabels exchange, payroll-platform, otc-desk, bridge, gambling, service, any-untraced; pass >= 3, <= 50' });
  });

  it('carries the hash alerts carry, for every rule the monitor loads', () => {
    const loaded = loadRuleSet(rulesDir, { disabled: true });
    expect(book.size).toBe(loaded.length);
    for (const r of loaded) expect(book.of([r.spec.id])[r.spec.id]).toMatchObject({ version: r.spec.version, hash: r.hash });
  });

  it('reads a comparison under not, with another field, and scaled', () => {
    const p = parametersOf({
      id: 'x', version: 2, evidence: { pay: 'signals.salary.meanUsd' },
      require: [{ not: { field: 'event.usd', lt: 100 } }, { field: 'event.usd', gteField: 'signals.salary.meanUsd', times: 5 }, 'salary'],
      score: { base: 50, modifiers: [{ when: { field: 'signals.salary.meanUsd', gte: 12500.5 }, add: -10, note: 'a high salary' }] },
    }, 'abc');
    expect(p.thresholds).toEqual([
      { field: 'event.usd', test: 'not < $100', role: 'required' },
      { field: 'event.usd', test: '>= 5 × signals.salary.meanUsd', role: 'required' },
      { field: 'signals.salary.meanUsd', evidenceKey: 'pay', test: '>= $12,500.5', role: 'takes 10 from the score: a high salary' },
    ]);
  });

  it('reads all and any under not as their negations: not (a and b) offers ways to fire, not (a or b) requires each', () => {
    const p = parametersOf({
      id: 'y', version: 1,
      require: [
        { not: { all: [{ field: 'signals.salary.gapPeriods', gte: 1.5 }, { field: 'signals.salary.lastPaidDaysBefore', lte: 120 }] } },
        { not: { any: [{ field: 'event.usd', lt: 100 }, { field: 'account.ageDays', lte: 30 }] } },
        { not: { not: { any: [{ field: 'signals.x.count', gte: 2 }] } } },
      ],
    }, 'abc');
    // Before this fix the first two were "required" and the next two "one way to fire": the other way round.
    expect(p.thresholds.map((t) => [t.field, t.test, t.role])).toEqual([
      ['signals.salary.gapPeriods', 'not >= 1.5', 'one way to fire'],
      ['signals.salary.lastPaidDaysBefore', 'not <= 120', 'one way to fire'],
      ['event.usd', 'not < $100', 'required'],
      ['account.ageDays', 'not <= 30', 'required'],
      ['signals.x.count', '>= 2', 'one way to fire'],
    ]);
  });

  it('leaves a broken file out and names it, keeping the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-rule-params-'));
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\nversion: one\n');
    const read = RuleBook.read(dir);
    expect([read.size, read.skipped]).toEqual([0, [join(dir, 'broken.yaml')]]);
  });
});

describe('a rules folder where two files carry one rule id', () => {
  it('shows the thresholds of neither file, and warns naming both (the monitor refuses such a folder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-rule-params-dup-'));
    const fanIn = readFileSync(join(rulesDir, 'dprk-consolidation', 'fan-in.yaml'), 'utf8');
    writeFileSync(join(dir, 'a.yaml'), fanIn);
    writeFileSync(join(dir, 'b.yaml'), fanIn.replace(/^version: \d+/m, 'version: 99'));
    expect(() => loadRuleSet(dir)).toThrow(/duplicate rule id dprk-consolidation.fan-in/);
    const read = RuleBook.read(dir);
    expect(read.of(['dprk-consolidation.fan-in'])).toEqual({});
    expect(read.duplicates).toEqual([{ ruleId: 'dprk-consolidation.fan-in', files: [join(dir, 'a.yaml'), join(dir, 'b.yaml')] }]);
    expect(read.warnings()).toEqual([`--rules: rule id dprk-consolidation.fan-in is in 2 files (${join(dir, 'a.yaml')}, ${join(dir, 'b.yaml')}); the monitor refuses such a folder, and the case page shows the thresholds of neither`]);
  });
});
