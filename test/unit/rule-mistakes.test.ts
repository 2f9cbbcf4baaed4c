/**
 * Every kind of rule mistake that would otherwise let a rule silently never fire is refused at
 * load, whole, with the real file:line and a message that names the fix.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet, RuleSetError, type LoadedRule } from '../../src/engine/loader.js';
import { RuleReloader } from '../../src/engine/rule-reloader.js';
import { nearestName } from '../../src/engine/did-you-mean.js';

/** A valid rule; each test changes one line of it. Line numbers below refer to this text. */
const BASE = [
  'id: test.just-under', //                                  1
  'version: 1', //                                           2
  'typology: structuring', //                                3
  'title: Repeated transfers just under 10,000 USD', //      4
  'on: [deposit, withdrawal]', //                            5
  'where:', //                                               6
  '  - { field: event.usd, gte: 9000 USD }', //              7
  '  - { field: event.usd, lt: 10000 USD }', //              8
  'signals:', //                                             9
  '  nearThreshold:', //                                    10
  '    op: window', //                                      11
  '    of:', //                                             12
  '      kinds: [deposit, withdrawal]', //                  13
  '      where:', //                                        14
  '        - { field: event.usd, gte: 9000 }', //           15
  '    key: account', //                                    16
  '    within: 7d', //                                      17
  '    agg: count', //                                      18
  '    pass: { gte: 3 }', //                                19
  'require: [nearThreshold]', //                            20
  'score:', //                                              21
  '  base: 55', //                                          22
  '  modifiers:', //                                        23
  '    - { when: nearThreshold, add: 5, note: "n" }', //   24
  '    - { when: { field: event.session.vpn, eq: true }, add: 5, note: "vpn" }', // 25
  'severity: { critical: 95, high: 75, medium: 50 }', //    26
  'evidence:', //                                           27
  '  transfers: signals.nearThreshold.count', //            28
  'explain: "{event.accountId} made {signals.nearThreshold.count} transfers."', // 29
  '',
].join('\n');

function ruleDir(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-mistake-'));
  mkdirSync(join(dir, 'structuring'));
  const path = join(dir, 'structuring', 'rule.yaml');
  writeFileSync(path, text);
  return { dir, file: relative(process.cwd(), path) || path };
}

/** BASE with line `n` (1-based) replaced. */
const withLine = (n: number, line: string): string => BASE.split('\n').map((l, i) => (i === n - 1 ? line : l)).join('\n');

function refusal(text: string): { file: string; errors: { line: number; reason: string }[] } {
  const { dir, file } = ruleDir(text);
  try {
    loadRuleSet(dir);
  } catch (err) {
    if (!(err instanceof RuleSetError)) throw err;
    expect(err.errors.every((e) => e.file === file)).toBe(true);
    expect(err.message).toContain(`${file}:${err.errors[0]!.line}: ${err.errors[0]!.reason}`);
    return { file, errors: err.errors.map(({ line, reason }) => ({ line, reason })) };
  }
  throw new Error('the rule was accepted');
}

describe('rule load: the base rule of these tests', () => {
  it('loads', () => {
    expect(loadRuleSet(ruleDir(BASE).dir).map((r) => r.spec.id)).toEqual(['test.just-under']);
  });
});

describe('rule load refuses, at the real line', () => {
  it('a YAML syntax error on line 17, not line 1', () => {
    const { errors } = refusal(withLine(17, '    within: 7d: 3'));
    expect(errors[0]!.line).toBe(17);
    expect(errors[0]!.reason).toBe('YAML: Nested mappings are not allowed in compact mappings');
  });

  it('an unclosed flow sequence on the line that opens it, not the line after', () => {
    const { errors } = refusal(withLine(20, 'require: [nearThreshold'));
    expect(errors[0]!.line).toBe(20);
    expect(errors[0]!.reason).toMatch(/^YAML: Flow sequence .* end with a \]$/);
  });

  it('an unterminated quote on the last line on that line, not past the end of the file', () => {
    const { errors } = refusal(BASE.replace('explain: "{event.accountId} made {signals.nearThreshold.count} transfers."', 'explain: "{event.accountId} made'));
    expect(errors[0]!.line).toBe(29);
    expect(errors[0]!.reason).toBe('YAML: Missing closing "quote');
  });

  it('a misspelt op, suggesting the nearest', () => {
    const { errors } = refusal(withLine(11, '    op: windw'));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(11);
    expect(errors[0]!.reason).toMatch(/^signals\.nearThreshold\.op: .*; did you mean window\?$/);
  });

  it('a misspelt typology, suggesting the known one; an operator\'s own typology loads', () => {
    expect(refusal(withLine(3, 'typology: structurng')).errors).toEqual([{ line: 3, reason: 'typology: typology structurng is no known typology; did you mean structuring? (an operator\'s own typology must differ from a known one by more than a few letters)' }]);
    expect(loadRuleSet(ruleDir(withLine(3, 'typology: romance-scam-payout')).dir).map((r) => r.spec.typology)).toEqual(['romance-scam-payout']);
  });

  it('a brace in explain that opens or closes no placeholder', () => {
    expect(refusal(withLine(29, 'explain: "{event.accountId} made {signals.nearThreshold.count transfers."')).errors).toEqual([{ line: 29, reason: 'explain: explain has a { that opens or closes no {path}: write a placeholder as {signals.name.fact}, with no spaces, or {signals.name.fact|text when it has no value}' }]);
  });

  it('signals that nothing requires: the rule would fire on every event its where passes', () => {
    const { errors } = refusal(withLine(20, 'require: []'));
    expect(errors).toEqual([{ line: 20, reason: 'require: require is empty: the rule defines signals (nearThreshold) but requires none, so it would fire on every event its where passes; require what must hold' }]);
  });

  it('a misspelt label in a condition on counterparty.labels, suggesting the known label', () => {
    expect(refusal(withLine(8, '  - { field: counterparty.labels, notContains: exchnge }')).errors).toEqual([{ line: 8, reason: 'where.1.notContains: label exchnge is no known label and would match nothing; did you mean exchange? (an operator\'s own label must differ from a known one by more than two letters)' }]);
    expect(refusal(withLine(25, '    - { when: { field: counterparty.labels, containsAny: [dprk-linked, sanctiond] }, add: 5, note: "x" }')).errors[0]).toMatchObject({ line: 25, reason: expect.stringMatching(/^score\.modifiers\.1\.when\.containsAny\.1: label sanctiond .*did you mean sanctioned\?/) });
  });

  it('a label in a condition on a signal\'s label: misspelt, or one the signal never looks for (session 33 QA: both loaded, and the modifier never applied)', () => {
    const shipped = readFileSync('rules/high-risk-service/exposure.yaml', 'utf8');
    expect(shipped).toContain('{ field: signals.service.label, eq: gambling }');
    const line = shipped.split('\n').findIndex((l) => l.includes('signals.service.label, eq: gambling')) + 1;
    expect(refusal(shipped.replace('signals.service.label, eq: gambling', 'signals.service.label, eq: gamblng')).errors).toEqual([{ line, reason: expect.stringMatching(/when\.eq: label gamblng is no known label .*did you mean gambling\?/) }]);
    expect(refusal(shipped.replace('signals.service.label, eq: gambling', 'signals.service.label, in: [gambling, mixer]')).errors).toEqual([{ line, reason: expect.stringMatching(/when\.in\.1: signals\.service\.label is one of the labels signal service looks for \(no-kyc-swap, scam, otc-desk, gambling\), never mixer: this condition could never hold$/) }]);
  });

  it('accepts an operator\'s own label that is far from every known one', () => {
    expect(loadRuleSet(ruleDir(withLine(8, '  - { field: counterparty.labels, notContains: our-vip-desk }')).dir)).toHaveLength(1);
  });

  it('a misspelt top-level key, suggesting the key it means', () => {
    const { errors } = refusal(withLine(26, 'severty: { critical: 95, high: 75, medium: 50 }'));
    expect(errors.find((e) => e.line === 26)?.reason).toBe('(root): Unrecognized key: "severty"; did you mean severity?');
  });

  it('a literal that is no number on a numeric comparison (thousands separator, another currency, shorthand), which would fail every event at run time', () => {
    for (const literal of ['"10,000 USD"', '10000 EUR', '10k', '"$10000"']) {
      const { errors } = refusal(withLine(8, `  - { field: event.usd, lt: ${literal} }`));
      expect(errors).toHaveLength(1);
      expect(errors[0]!.line).toBe(8);
      expect(errors[0]!.reason).toMatch(/^where\.1\.lt: lt: .* is not a number or a quantity such as 2000 USD/);
    }
  });

  it('a literal in another unit than its fact (hours against a duration, a percentage against 80%, an asset amount against USD), which compared milliseconds with hours', () => {
    const QUICK_OUT = [
      'id: test.quick-out', 'version: 1', 'typology: pass-through', 'title: t', 'on: [withdrawal]',
      'signals:', '  flow: { op: sequence, first: { kinds: [deposit] }, then: { kinds: [withdrawal] }, within: 24h, minRatio: 90% }',
      'require: [flow]', 'score:', '  base: 30', '  modifiers:',
      '    - { when: { field: signals.flow.ratio, gte: 95% }, add: 1, note: "a fraction takes a percentage" }',
      '    - { when: { field: signals.flow.hours, lte: 6 }, add: 1, note: "hours as a number" }',
      'severity: { critical: 95, high: 75, medium: 50 }', 'explain: "x"', '',
    ].join('\n');
    expect(() => loadRuleSet(ruleDir(QUICK_OUT).dir)).not.toThrow();
    const modifier = (condition: string): string => QUICK_OUT.replace('{ field: signals.flow.hours, lte: 6 }', condition);
    expect(refusal(modifier('{ field: signals.flow.hours, lte: 6h }')).errors).toEqual([{ line: 13, reason: 'score.modifiers.1.when.lte: lte: "6h" is a duration (in milliseconds), but signals.flow.hours is a number of hours: write 6' }]);
    expect(refusal(modifier('{ field: signals.flow.percent, gte: 80% }')).errors[0]!.reason).toBe('score.modifiers.1.when.gte: gte: "80%" is a fraction (80% is 0.8), but signals.flow.percent is a percentage from 0 to 100: write 80');
    expect(refusal(modifier('{ field: signals.flow.movedUsd, gte: 2d }')).errors[0]!.reason).toMatch(/is a duration \(in milliseconds\), but signals.flow.movedUsd is a USD value$/);
    expect(refusal(modifier('{ field: signals.flow.ratio, gte: 90 }')).errors).toEqual([{ line: 13, reason: 'score.modifiers.1.when.gte: gte: 90 is out of reach: signals.flow.ratio is a fraction (0.8 or 80%): write 90%' }]);
    expect(() => loadRuleSet(ruleDir(modifier('{ field: signals.flow.ratio, lte: 90 }')).dir)).not.toThrow();
    expect(refusal(modifier('{ field: signals.flow.hours, ltField: signals.flow.movedUsd }')).errors[0]!.reason).toBe('score.modifiers.1.when.ltField: ltField: signals.flow.hours is a number of hours but signals.flow.movedUsd is a USD value');
    expect(refusal(withLine(8, '  - { field: event.amount, lt: 10000 USD }')).errors).toEqual([{ line: 8, reason: "where.1.lt: lt: \"10000 USD\" is a USD value, but event.amount is an amount in the asset's own units (compare event.usd for USD)" }]);
    expect(refusal(withLine(25, '    - { when: { field: account.ageDays, lte: 30d }, add: 5, note: "young" }')).errors[0]!.reason).toMatch(/"30d" is a duration \(in milliseconds\), but account.ageDays is a number of days: write 30$/);
  });

  it('a `times` on a comparison that has no other field to scale', () => {
    const { errors } = refusal(withLine(7, '  - { field: event.usd, gte: 9000 USD, times: 2 }'));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(7);
    expect(errors[0]!.reason).toContain('times scales the other field of gtField, gteField, ltField, lteField only');
  });

  it('containsAnyField naming a fact the signal does not report, at its line', () => {
    const { errors } = refusal(withLine(25, '    - { when: { field: signals.nearThreshold.eventIds, containsAnyField: signals.nearThreshold.runEventIds }, add: 5, note: "vpn" }'));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(25);
    expect(errors[0]!.reason).toContain('runEventIds');
  });

  it('payer-risk signals that read one another in a cycle, and a payer-risk or alsoAlert path that names no list of account ids', () => {
    const payerRisk = (name: string, accounts: string): string => `  ${name}: { op: payer-risk, accounts: ${accounts}, within: 45d, pass: { gte: 2 } }`;
    const withSignals = (...lines: string[]): string => BASE.replace('signals:\n', `signals:\n${lines.join('\n')}\n`);
    const cyclic = refusal(withSignals(payerRisk('a', 'signals.b.riskyAccountIds'), payerRisk('b', 'signals.a.riskyAccountIds')));
    expect(cyclic.errors).toEqual([{ line: 10, reason: 'signals.a.accounts: payer-risk signals read one another in a cycle (a -> b -> a): none could be computed' }]);
    expect(refusal(withSignals(payerRisk('a', 'signals.a.implicatedAccountIds'))).errors[0]!.reason).toContain('in a cycle (a -> a)');
    expect(refusal(withSignals(payerRisk('a', 'event.amount'))).errors[0]!.reason).toBe('signals.a.accounts: accounts: event.amount is not a list of account ids (a signal\'s accountIds, riskyAccountIds, implicatedAccountIds or successorIds)');
    expect(refusal(`${BASE}alsoAlert: signals.nearThreshold.count\n`).errors[0]!.reason).toMatch(/^alsoAlert: signals.nearThreshold.count is not a list of account ids/);
  });

  it('a sequence whose exceptRegularPay names no cadence signal of the rule (misspelt, or another op)', () => {
    const sequence = (name: string): string => `  flow: { op: sequence, first: { kinds: [deposit] }, then: { kinds: [withdrawal] }, within: 72h, minRatio: 80%, exceptRegularPay: ${name} }`;
    const salary = '  salary: { op: cadence, of: { kinds: [deposit] }, within: 200d, periods: [{ every: 30d, tolerance: 5d }], minCount: 3, maxCv: 0.25 }';
    const withSignals = (...lines: string[]): string => BASE.replace('signals:\n', `signals:\n${lines.join('\n')}\n`);
    expect(loadRuleSet(ruleDir(withSignals(salary, sequence('salary'))).dir)).toHaveLength(1);
    expect(refusal(withSignals(salary, sequence('salery'))).errors).toEqual([{ line: 11, reason: 'signals.flow.exceptRegularPay: exceptRegularPay: unknown signal salery; did you mean salary?' }]);
    expect(refusal(withSignals(sequence('nearThreshold'))).errors).toEqual([{ line: 10, reason: 'signals.flow.exceptRegularPay: exceptRegularPay: nearThreshold is a window signal, not a cadence' }]);
  });

  it('a sequence whose maxGroups bounds nothing (pick: newest takes the first inflow that holds)', () => {
    const sequence = (extra: string): string => `  flow: { op: sequence, first: { kinds: [deposit] }, then: { kinds: [withdrawal] }, within: 72h, minRatio: 80%${extra} }`;
    const withSignals = (...lines: string[]): string => BASE.replace('signals:\n', `signals:\n${lines.join('\n')}\n`);
    expect(loadRuleSet(ruleDir(withSignals(sequence(', pick: largest, maxGroups: 8'))).dir)).toHaveLength(1);
    expect(refusal(withSignals(sequence(', maxGroups: 8'))).errors).toEqual([{ line: 10, reason: 'signals.flow.maxGroups: maxGroups bounds the inflows pick: largest tries; with pick: newest the first that holds is taken, so it does nothing' }]);
  });

  it('a sequence whose othersTakeFirst reads nothing (a `then` with no `where`: every event of its kinds is a follow-up)', () => {
    const sequence = (then: string): string => `  flow: { op: sequence, first: { kinds: [deposit] }, then: ${then}, within: 72h, minRatio: 80%, othersTakeFirst: true }`;
    const withSignals = (...lines: string[]): string => BASE.replace('signals:\n', `signals:\n${lines.join('\n')}\n`);
    expect(loadRuleSet(ruleDir(withSignals(sequence('{ kinds: [withdrawal], where: [{ field: event.usd, lt: 1000 }] }'))).dir)).toHaveLength(1);
    expect(refusal(withSignals(sequence('{ kinds: [withdrawal] }'))).errors).toEqual([{ line: 10, reason: 'signals.flow.othersTakeFirst: othersTakeFirst reads the events of the `then` kinds that its `where` leaves out; this `then` has no `where`, so every one is a follow-up and it does nothing' }]);
  });

  it('a sequence with match: fifo and an option that shapes one inflow for match: latest (pick: largest, differ)', () => {
    const sequence = (extra: string): string => `  flow: { op: sequence, first: { kinds: [deposit] }, then: { kinds: [withdrawal] }, within: 72h, minRatio: 80%, match: fifo${extra} }`;
    const withSignals = (...lines: string[]): string => BASE.replace('signals:\n', `signals:\n${lines.join('\n')}\n`);
    expect(loadRuleSet(ruleDir(withSignals(sequence(''))).dir)).toHaveLength(1);
    expect(refusal(withSignals(sequence(', pick: largest, differ: [chain]'))).errors).toEqual([{ line: 10, reason: 'signals.flow.match: match: fifo matches each follow-up to the oldest open inflow itself; it does not combine with pick: largest, differ' }]);
    expect(refusal(withSignals(sequence('').replace('match: fifo', 'match: oldest'))).errors[0]!.line).toBe(10);
  });

  it('a misspelt signal in require, suggesting the nearest name', () => {
    expect(refusal(withLine(20, 'require: [nearThreshhold]')).errors).toEqual([{ line: 20, reason: 'require.0: unknown signal nearThreshhold; did you mean nearThreshold?' }]);
  });

  it('a misspelt signal in a score modifier', () => {
    expect(refusal(withLine(24, '    - { when: nearTreshold, add: 5, note: "n" }')).errors).toEqual([{ line: 24, reason: 'score.modifiers.0.when: unknown signal nearTreshold; did you mean nearThreshold?' }]);
  });

  it('a misspelt field in where', () => {
    expect(refusal(withLine(8, '  - { field: event.usdd, lt: 10000 USD }')).errors).toEqual([{ line: 8, reason: 'where.1.field: unknown field event.usdd on deposit, withdrawal events; did you mean usd?' }]);
  });

  it('a misspelt nested field in a modifier', () => {
    expect(refusal(withLine(25, '    - { when: { field: event.session.vpm, eq: true }, add: 5, note: "vpn" }')).errors).toEqual([{ line: 25, reason: 'score.modifiers.1.when.field: unknown field event.session.vpm; did you mean vpn?' }]);
  });

  it('a misspelt field in a signal selector', () => {
    expect(refusal(withLine(15, '        - { field: event.amout, gte: 9000 }')).errors).toEqual([{ line: 15, reason: 'signals.nearThreshold.of.where.0.field: unknown field event.amout on deposit, withdrawal events; did you mean amount?' }]);
  });

  it('a selector that reads the account (selectors see only event fields)', () => {
    expect(refusal(withLine(15, '        - { field: account.type, eq: business }')).errors).toEqual([{ line: 15, reason: 'signals.nearThreshold.of.where.0.field: unknown path account.type: a selector sees only event fields' }]);
  });

  it('a where that reads a signal (where runs before signals)', () => {
    expect(refusal(withLine(8, '  - { field: signals.nearThreshold.count, gte: 3 }')).errors).toEqual([{ line: 8, reason: 'where.1.field: signals.nearThreshold.count: signals are not computed yet here; move the condition to require' }]);
  });

  it('an explain placeholder of a signal that is a branch of an any in require, outside a section that names it held (just-under v3 read "0 deposits" when only its other branch held); in [?name …] or with a text for no value it loads', () => {
    const anyRequire = withLine(20, 'require: [{ any: [nearThreshold, { field: event.usd, gte: 9500 }] }]');
    expect(refusal(anyRequire).errors).toEqual([{ line: 29, reason: 'explain: explain {signals.nearThreshold.count}: nearThreshold is a branch of an any in require and may not have held when the rule fires; read it in a section [?nearThreshold …] (and say what held otherwise in [?!nearThreshold …]), or give it a text for no value' }]);
    const explained = (line: string): string => anyRequire.replace('explain: "{event.accountId} made {signals.nearThreshold.count} transfers."', line);
    expect(loadRuleSet(ruleDir(explained('explain: "{event.accountId} made [?nearThreshold {signals.nearThreshold.count} transfers][?!nearThreshold a transfer of 9,500 USD or more]."')).dir)).toHaveLength(1);
    expect(loadRuleSet(ruleDir(explained('explain: "{event.accountId} made {signals.nearThreshold.count|no} transfers."')).dir)).toHaveLength(1);
    expect(refusal(explained('explain: "{event.accountId} made [?nearThreshold,spreadDeposits {signals.nearThreshold.count} transfers]."')).errors).toEqual([{ line: 29, reason: 'explain: explain section [?nearThreshold,spreadDeposits …] names spreadDeposits, no signal of this rule' }]);
    expect(refusal(explained('explain: "{event.accountId} made [?!nearThreshold {signals.nearThreshold.count} transfers]."')).errors.map((e) => e.reason)).toEqual([expect.stringContaining('explain {signals.nearThreshold.count}: nearThreshold is a branch')]);
    expect(refusal(explained('explain: "{event.accountId} made [?nearThreshold[x] transfers."')).errors.map((e) => e.reason)).toEqual([expect.stringContaining('explain has a [? that opens no section')]);
  });

  it('an explain placeholder of a signal under a not in require (it may not have held, or never did, when the rule fires), outside a section that names it held (session 61 review)', () => {
    for (const require of ['require: [{ any: [{ not: nearThreshold }, { field: event.usd, gte: 9500 }] }]', 'require: [{ not: nearThreshold }, { field: event.usd, gte: 9500 }]']) {
      expect(refusal(withLine(20, require)).errors.map((e) => e.reason)).toEqual([expect.stringContaining('explain {signals.nearThreshold.count}: nearThreshold is a branch')]);
    }
  });

  it('a misspelt path in explain', () => {
    expect(refusal(withLine(29, 'explain: "{event.accountId} made {signals.nearThreshold.cont} transfers."')).errors).toEqual([{ line: 29, reason: 'explain: explain {signals.nearThreshold.cont}: signal nearThreshold (window) has no fact cont; did you mean count?' }]);
  });

  it('a misspelt evidence path', () => {
    expect(refusal(withLine(28, '  transfers: signals.nearThreshold.counts')).errors).toEqual([{ line: 28, reason: 'evidence.transfers: evidence transfers: signal nearThreshold (window) has no fact counts; did you mean count?' }]);
  });

  it('a YAML alias bomb (aliases of aliases), as its file, without expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)];
    const { errors } = refusal(`${BASE}bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    expect(errors).toEqual([{ line: 1, reason: expect.stringMatching(/^YAML: .*alias/i) }]);
  });

  it('a severity that names no band (every alert would be low and open no case)', () => {
    expect(refusal(withLine(26, 'severity: {}')).errors).toEqual([{ line: 26, reason: 'severity: severity names no band (critical, high, medium): every alert of the rule would be low and open no case' }]);
  });

  it('severity thresholds out of order', () => {
    expect(refusal(withLine(26, 'severity: { critical: 95, high: 40, medium: 50 }')).errors).toEqual([{ line: 26, reason: 'severity.medium: severity thresholds out of order: medium 50 must be below high 40' }]);
  });

  it('a severity threshold above the largest score', () => {
    expect(refusal(withLine(26, 'severity: { critical: 120, high: 75, medium: 50 }')).errors).toEqual([{ line: 26, reason: 'severity.critical: severity.critical 120 is outside the score range 0..100' }]);
  });

  it('a misspelt key whose right name takes a percent or a number: "required key missing" and the suggestion, not a bare "Invalid input"', () => {
    const sequence = ['  flow:', '    op: sequence', '    first: { kinds: [deposit] }', '    then: { kinds: [withdrawal] }', '    within: 24h', '    minRatoi: 90%'];
    const lines = BASE.split('\n');
    const text = [...lines.slice(0, 9), ...sequence, 'require: [flow]', ...lines.slice(20, 23), '    - { when: flow, add: 5, note: "n" }', ...lines.slice(24, 27), '  transfers: signals.flow.ratio', 'explain: "{event.accountId} sent it on."', ''].join('\n');
    const { errors } = refusal(text);
    expect(errors.map((e) => e.reason)).toEqual(['signals.flow.minRatio: required key missing', 'signals.flow: Unrecognized key: "minRatoi"; did you mean minRatio?']);
    expect(errors[1]!.line).toBe(15);
  });

  it('a value that no branch of a union takes: the branch of its own type speaks ("not a ratio like 80%"), and an unknown key of a condition gets its suggestion', () => {
    const sequence = ['  flow:', '    op: sequence', '    first: { kinds: [deposit] }', '    then: { kinds: [withdrawal] }', '    within: 24h', '    minRatio: ninety'];
    const lines = BASE.split('\n');
    const text = [...lines.slice(0, 9), ...sequence, 'require: [flow]', ...lines.slice(20, 23), '    - { when: flow, add: 5, note: "n" }', ...lines.slice(24, 27), '  transfers: signals.flow.ratio', 'explain: "{event.accountId} sent it on."', ''].join('\n');
    expect(refusal(text).errors).toEqual([{ line: 15, reason: 'signals.flow.minRatio: not a ratio like 80%' }]);
    const condition = refusal(withLine(25, '    - { when: { fild: event.session.vpn, eq: true }, add: 5, note: "vpn" }')).errors;
    expect(condition).toEqual([{ line: 25, reason: 'score.modifiers.1.when: Invalid input: unknown key "fild"; did you mean field?' }]);
    const flag = refusal(withLine(19, '    pass: { gte: true }')).errors;
    expect(flag.map((e) => e.reason)).toEqual([expect.stringMatching(/^signals\.nearThreshold\.pass\.gte: .*received boolean$/)]);
  });

  it('an unknown key, at the key\'s own line', () => {
    const { errors } = refusal(withLine(17, '    withn: 7d'));
    expect(errors.find((e) => e.reason.includes('withn'))?.line).toBe(17);
  });
});

describe('rule load refuses a rule that can never fire', () => {
  it('contradictory pass bounds, at the line of the bounds (newcomer QA, session 43: the require below them was named)', () => {
    expect(refusal(withLine(19, '    pass: { gte: 5, lte: 3 }')).errors).toEqual([{ line: 19, reason: 'signals.nearThreshold.pass: rule can never fire: signal nearThreshold: pass can never hold (gte 5 and lte 3)' }]);
  });

  it('a where on a value the schema cannot take', () => {
    expect(refusal(withLine(8, '  - { field: event.status, eq: complete }')).errors).toEqual([{ line: 8, reason: 'where.1: rule can never fire: event.status is one of requested, completed; eq complete never holds' }]);
  });

  it('contradictory bounds across where conditions', () => {
    expect(refusal(withLine(8, '  - { field: event.usd, lt: 5000 USD }')).errors).toEqual([{ line: 8, reason: 'where.1: rule can never fire: the bounds on event.usd contradict each other (gte 9000 and lt 5000)' }]);
  });

  it('a cadence window shorter than the payments it requires', () => {
    const text = BASE.replace(/ {2}nearThreshold:\n[\s\S]*?pass: \{ gte: 3 \}\n/, ['  nearThreshold:', '    op: cadence', '    of: { kinds: [deposit] }', '    within: 30d', '    periods: [{ every: 30d, tolerance: 5d }]', '    minCount: 3', '    maxCv: 0.25', ''].join('\n'))
      .replace('transfers: signals.nearThreshold.count', 'transfers: signals.nearThreshold.count').replace('{signals.nearThreshold.count}', '{signals.nearThreshold.count}');
    expect(refusal(text).errors).toEqual([{ line: 13, reason: 'signals.nearThreshold.within: rule can never fire: signal nearThreshold: window 30d is shorter than the 3 payments it requires span at the shortest period (50d)' }]);
  });

  it('a sequence whose `then` events the rule never runs on', () => {
    const text = BASE.replace(/ {2}nearThreshold:\n[\s\S]*?pass: \{ gte: 3 \}\n/, ['  nearThreshold:', '    op: sequence', '    first: { kinds: [withdrawal] }', '    then: { kinds: [login] }', '    within: 24h', '    minRatio: 90%', ''].join('\n'))
      .replace('signals.nearThreshold.count', 'signals.nearThreshold.percent').replace('{signals.nearThreshold.count}', '{signals.nearThreshold.percent}');
    expect(refusal(text).errors).toEqual([{ line: 13, reason: 'signals.nearThreshold.then: rule can never fire: signal nearThreshold: the trigger must be a `then` event (login), but the rule runs on deposit, withdrawal' }]);
  });

  it('a modifier that can never apply', () => {
    expect(refusal(withLine(25, '    - { when: { field: event.session.vpn, eq: "yes" }, add: 5, note: "vpn" }')).errors).toEqual([{ line: 25, reason: 'score.modifiers.1.when: modifier "vpn" can never apply: event.session.vpn is one of true, false; eq yes never holds' }]);
  });
});

describe('did you mean', () => {
  it('suggests a close name and nothing for a far one', () => {
    expect(nearestName('nearThreshhold', ['nearThreshold', 'fanIn'])).toBe('nearThreshold');
    expect(nearestName('teleport', ['nearThreshold', 'fanIn'])).toBeUndefined();
  });
});

describe('hot reload', () => {
  it('keeps the rules in force when a change misspells a signal, naming file and line', () => {
    const { dir, file } = ruleDir(BASE);
    let active: LoadedRule[] = [];
    const refused: string[] = [];
    const reloader = new RuleReloader(dir, { applied: (r) => { active = r; }, refused: (e) => refused.push(e.message) });
    expect(reloader.reload()).toBe(true);
    const before = active;
    writeFileSync(join(dir, 'structuring', 'rule.yaml'), withLine(20, 'require: [nearThreshhold]'));
    expect(reloader.reload()).toBe(false);
    expect(active).toBe(before);
    expect(refused[0]).toContain(`${file}:20: require.0: unknown signal nearThreshhold; did you mean nearThreshold?`);
  });

  it('refuses a rule changed without a new version (its alerts would carry the old rule\'s ids), at the version line; a comment, layout or a new version goes through', () => {
    const { dir, file } = ruleDir(BASE);
    const path = join(dir, 'structuring', 'rule.yaml');
    let active: LoadedRule[] = [];
    const refused: string[] = [];
    const reloader = new RuleReloader(dir, { applied: (r) => { active = r; }, refused: (e) => refused.push(e.message) }, 200, loadRuleSet(dir));
    writeFileSync(path, withLine(22, '  base: 60'));
    expect(reloader.reload()).toBe(false);
    expect(active).toEqual([]);
    expect(refused[0]).toContain(`${file}:2: version: test.just-under changed but its version is still 1: raise it`);
    writeFileSync(path, `# a comment\n${BASE.replace('typology: structuring', 'typology:    structuring   # same')}`);
    expect(reloader.reload()).toBe(true);
    writeFileSync(path, withLine(2, 'version: 2').replace('  base: 55', '  base: 60'));
    expect(reloader.reload()).toBe(true);
    expect(active[0]!.spec).toMatchObject({ version: 2, score: { base: 60 } });
    // And the next change is judged against version 2, now in force.
    writeFileSync(path, withLine(2, 'version: 2').replace('  base: 55', '  base: 65'));
    expect(reloader.reload()).toBe(false);
    expect(refused[1]).toContain('still 2');
    // Back to version 1 with other content (a copy from an old branch): refused, the version only rises.
    writeFileSync(path, BASE.replace('  base: 55', '  base: 61'));
    expect(reloader.reload()).toBe(false);
    expect(refused[2]).toContain(`${file}:2: version: test.just-under went back from version 2 to 1: a version only rises`);
    expect(active[0]!.spec).toMatchObject({ version: 2, score: { base: 60 } });
  });
});
