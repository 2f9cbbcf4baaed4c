import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRuleCases } from '../../src/replay/rule-cases.js';
import { loadRuleSet, RuleSetError } from '../../src/engine/loader.js';
import { parseDuration, parseQuantity } from '../../src/engine/units.js';
import { ofacLabels, rulesDir } from '../helpers/sample.js';

function brokenCopy(file: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-rules-'));
  cpSync(rulesDir, dir, { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

function refusal(dir: string): RuleSetError {
  try {
    loadRuleSet(dir);
  } catch (err) {
    if (err instanceof RuleSetError) return err;
    throw err;
  }
  throw new Error('the rule set was accepted');
}

describe('rule language', () => {
  it('parses units: durations, money and ratios', () => {
    expect(parseDuration('72h')).toBe(72 * 3_600_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseQuantity('2000 USD')).toBe(2000);
    expect(parseQuantity('80%')).toBe(0.8);
    expect(parseDuration('3 fortnights')).toBeUndefined();
  });

  it('loads every shipped rule, one per file, with versions and typologies', () => {
    const rules = loadRuleSet(rulesDir);
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((r) => r.spec.typology))).toEqual(new Set(['sanctions-exposure', 'dprk-it-payroll', 'dprk-consolidation', 'extortion-payment', 'account-linkage', 'chain-hop', 'pass-through', 'structuring', 'common-funder', 'fan-out-dispersal', 'issuer-blacklist', 'mixer-exposure', 'high-risk-service', 'stolen-funds']));
  });

  it('refuses the whole set for a YAML syntax error, naming file and line', () => {
    const err = refusal(brokenCopy('structuring/just-under.yaml', 'id: x\nversion: 1\nsignals: [unclosed\n'));
    expect(err.errors[0]).toMatchObject({ file: expect.stringContaining('structuring/just-under.yaml'), line: expect.any(Number) });
    expect(err.errors[0]!.reason).toMatch(/^YAML/);
  });

  it('refuses a schema error with the line of the offending field', () => {
    const text = ['id: structuring.bad', 'version: 1', 'typology: structuring', 'title: t', 'on: [deposit]', 'signals:', '  w:', '    op: window', '    of: { kinds: [deposit] }', '    within: 7 fortnights', '    agg: count', '    pass: { gte: 3 }', 'score: { base: 50 }', 'severity: { medium: 50 }', 'explain: x', ''].join('\n');
    const err = refusal(brokenCopy('structuring/just-under.yaml', text));
    expect(err.errors).toEqual([{ file: expect.stringContaining('just-under.yaml'), line: 10, reason: expect.stringContaining('signals.w.within') }]);
    expect(err.message).toMatch(/just-under\.yaml:10: signals\.w\.within/);
  });

  it('refuses an unknown operator and a duplicate rule id', () => {
    const dir = brokenCopy('structuring/copy.yaml', 'id: structuring.just-under\nversion: 1\ntypology: structuring\ntitle: t\non: [deposit]\nsignals:\n  x: { op: telepathy }\nscore: { base: 1 }\nseverity: {}\nexplain: x\n');
    const reasons = refusal(dir).errors.map((e) => e.reason).join('\n');
    expect(reasons).toMatch(/signals\.x/);
    writeFileSync(join(dir, 'structuring/copy.yaml'), '# a copy\n# of just-under\nid: structuring.just-under\nversion: 2\ntypology: structuring\ntitle: t\non: [deposit]\nscore: { base: 1 }\nseverity: { medium: 50 }\nexplain: x\n');
    const duplicate = refusal(dir).errors.find((e) => e.reason.startsWith('duplicate rule id'));
    // Reported at the `id:` line of the file read second, naming the first file and its line.
    const [second, first] = duplicate!.file.endsWith('copy.yaml') ? ['copy.yaml', 'just-under.yaml'] : ['just-under.yaml', 'copy.yaml'];
    expect(duplicate!.file.endsWith(second)).toBe(true);
    const idLineOf = (name: string): number => readFileSync(join(dir, 'structuring', name), 'utf8').split('\n').findIndex((l) => l.startsWith('id:')) + 1;
    expect(duplicate!.line).toBe(idLineOf(second));
    expect(duplicate!.reason).toMatch(new RegExp(`^duplicate rule id structuring\\.just-under \\(also in .*${first.replace('.', '\\.')}:${idLineOf(first)}\\)$`));
  });

  it('ships positive and negative cases in every rule folder', () => {
    for (const folder of readdirSync(rulesDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const cases = readdirSync(join(rulesDir, folder.name, 'cases'));
      expect(cases, folder.name).toEqual(expect.arrayContaining(['positive.jsonl', 'positive.expect.json', 'negative.jsonl', 'negative.expect.json']));
    }
  });

  it('passes every rule folder\'s cases: planted accounts alert, lookalikes stay quiet', async () => {
    const results = await runRuleCases(rulesDir, ofacLabels());
    expect(results.length).toBeGreaterThanOrEqual(16);
    for (const r of results) expect(r.failures, r.file).toEqual([]);
  });

  it('loads a disabled rule for checking (rules check lists it) and leaves it out of the set that runs', () => {
    const file = join('structuring', 'just-under.yaml');
    const dir = brokenCopy(file, readFileSync(join(rulesDir, file), 'utf8') + 'enabled: false\n');
    expect(loadRuleSet(dir).map((r) => r.spec.id)).not.toContain('structuring.just-under');
    expect(loadRuleSet(dir, { disabled: true }).find((r) => r.spec.id === 'structuring.just-under')?.spec.enabled).toBe(false);
  });

  it('fails a case that could pass whatever the rules did: an unknown typology or severity, an account in no event, a stream without expectations, a misspelt key', async () => {
    const structuring = join(rulesDir, 'structuring', 'cases');
    const base = JSON.parse(readFileSync(join(structuring, 'negative.expect.json'), 'utf8')) as Record<string, unknown>;
    const variant = (name: string, change: Record<string, unknown>): [string, string] => [`structuring/cases/${name}.expect.json`, JSON.stringify({ ...base, ...change })];
    const dir = brokenCopy(...variant('negative', { typology: 'structurin' }));
    writeFileSync(join(dir, 'structuring', 'cases', 'positive.expect.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(structuring, 'positive.expect.json'), 'utf8')), minSeverity: 'Medium' }));
    cpSync(join(structuring, 'negative.jsonl'), join(dir, 'structuring', 'cases', 'ghost.jsonl'));
    writeFileSync(join(dir, 'structuring', 'cases', 'ghost.expect.json'), JSON.stringify({ ...base, mustNotAlert: ['acct-nowhere'] }));
    cpSync(join(structuring, 'negative.jsonl'), join(dir, 'structuring', 'cases', 'orphan.jsonl'));
    cpSync(join(structuring, 'negative.jsonl'), join(dir, 'structuring', 'cases', 'misspelt.jsonl'));
    writeFileSync(join(dir, 'structuring', 'cases', 'misspelt.expect.json'), JSON.stringify({ ...base, mustNotAlrt: ['acct-x'] }));
    const failures = (await runRuleCases(dir, ofacLabels())).filter((r) => r.file.includes(join('structuring', 'cases'))).flatMap((r) => r.failures);
    expect(failures).toEqual(expect.arrayContaining([
      expect.stringMatching(/orphan\.expect\.json beside it: the case is never checked$/),
      expect.stringMatching(/negative\.expect\.json: typology structurin is no rule's/),
      expect.stringMatching(/positive\.expect\.json: minSeverity "Medium" is not one of low, medium, high, critical$/),
      'acct-nowhere is in no event of the case stream',
      expect.stringMatching(/misspelt\.expect\.json: unknown key mustNotAlrt; did you mean mustNotAlert\?$/),
    ]));
  });
});

describe('consolidation without forwarding', () => {
  it('alerts every account once three of them pay the same external address directly', async () => {
    const { Pipeline } = await import('../../src/pipeline/pipeline.js');
    const p = new Pipeline({ rules: loadRuleSet(rulesDir) });
    const to = '0x1111111111111111111111111111111111111111';
    const alerts = ['a', 'b', 'c'].flatMap((x, i) => p.process(JSON.stringify({ schema: 'exchange.transfer.v1', eventId: `w-${x}`, kind: 'withdrawal', occurredAt: `2025-03-0${i + 1}T10:00:00Z`, accountId: `acct-${x}`, chain: 'ethereum', asset: 'USDT', amount: '4000', from: [], to }), { file: 't' }).alerts);
    const consolidation = alerts.filter((a) => a.typology === 'dprk-consolidation');
    expect(consolidation.map((a) => a.subject.accountId).sort()).toEqual(['acct-a', 'acct-b', 'acct-c']);
    expect(consolidation.every((a) => a.severity === 'medium')).toBe(true);
  });
});

describe('account linkage at scale', () => {
  it('alerts each account on a shared IP once at medium (the first four once more, low, before the fifth came), and stays quiet when the IP is public infrastructure', async () => {
    const { Pipeline } = await import('../../src/pipeline/pipeline.js');
    const p = new Pipeline({ rules: loadRuleSet(rulesDir) });
    const login = (i: number) => JSON.stringify({ schema: 'exchange.login.v1', eventId: `l-${i}`, occurredAt: `2025-03-01T10:${String(i % 60).padStart(2, '0')}:00Z`, accountId: `acct-${i}`, ip: '203.0.113.9', ipCountry: 'US', vpn: false, deviceId: `dev-${i}` });
    const first = Array.from({ length: 10 }, (_, i) => p.process(login(i), { file: 't' }).alerts).flat().filter((a) => a.ruleId === 'account-linkage.shared-ip');
    const medium = first.filter((a) => a.severity === 'medium');
    expect(medium.map((a) => a.subject.accountId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `acct-${i}`).sort());
    // Three or four accounts on one IP are a household as often as a farm: a low record (shared-ip v3).
    const low = first.filter((a) => a.severity === 'low');
    expect(low.map((a) => a.subject.accountId).sort()).toEqual(['acct-0', 'acct-1', 'acct-2', 'acct-3']);
    const crowd = Array.from({ length: 50 }, (_, i) => p.process(login(i + 10), { file: 't' }).alerts).flat().filter((a) => a.ruleId === 'account-linkage.shared-ip');
    expect(crowd.length).toBeLessThanOrEqual(30);
  });
});
