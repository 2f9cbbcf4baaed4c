/**
 * The monitor's rules in force (src/monitor/rule-watch.ts) on a copy of the shipped rules folder:
 * the gauge and the audit at start, a changed rule taken into force (what it added and removed,
 * audited and counted), and a broken file refused with its file:line while the rules in force
 * stay.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet, type LoadedRule } from '../../src/engine/loader.js';
import type { RuleAuditEntry } from '../../src/engine/rule-audit.js';
import { RuleWatch } from '../../src/monitor/rule-watch.js';
import { Metrics } from '../../src/observability/metrics.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const RULE = join('structuring', 'just-under.yaml');
/** Generous: the folder is watched and polled every 2 s, and this machine is often loaded. */
const WAIT = { timeout: 30_000, interval: 50 };

let running: RuleWatch | undefined;
afterEach(() => running?.stop());

function watched(): { dir: string; watch: RuleWatch; inForce: () => LoadedRule[]; audit: RuleAuditEntry[]; metrics: Metrics } {
  const dir = tempDir('tw-rule-watch-');
  cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
  let rules = loadRuleSet(dir);
  const audit: RuleAuditEntry[] = [];
  const metrics = new Metrics();
  const watch = new RuleWatch({
    rulesDir: dir, instanceId: 'i-1', logger: pino({ level: 'silent' }), metrics,
    ruleAudit: async (entry) => { audit.push(entry); },
    current: () => rules,
    apply: (next) => { rules = next; },
  });
  running = watch;
  watch.start();
  return { dir, watch, inForce: () => rules, audit, metrics };
}

async function gauge(metrics: Metrics): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  return (await metrics.rulesInForce.get()).values.map((v) => ({ labels: v.labels, value: v.value }));
}

async function reloads(metrics: Metrics, outcome: string): Promise<number> {
  return (await metrics.ruleReloads.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('the rules in force (rule-watch.ts)', () => {
  it('at start sets one gauge series, labelled with the rule set fingerprint, and audits the start with the files read', async () => {
    const { audit, metrics, inForce } = watched();
    const series = await gauge(metrics);
    expect(series).toHaveLength(1);
    expect(series[0]!.value).toBe(inForce().length);
    expect(String(series[0]!.labels.fingerprint)).toMatch(/^[0-9a-f]{16}$/);
    await vi.waitFor(() => expect(audit.map((e) => e.event)).toEqual(['start']), WAIT);
    expect(audit[0]).toMatchObject({ instance: 'i-1', rules: inForce().length });
    expect(audit[0]!.files.some((f) => f.path.endsWith('just-under.yaml') && /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });

  it('takes a changed rule into force: applied, counted, the gauge relabelled, and the audit says what was added and removed', async () => {
    const { dir, audit, metrics, inForce } = watched();
    const before = inForce();
    const fingerprint = (await gauge(metrics))[0]!.labels.fingerprint;
    const path = join(dir, RULE);
    const text = readFileSync(path, 'utf8');
    const version = Number(/^version: (\d+)$/m.exec(text)![1]);
    writeFileSync(path, text.replace(/^version: \d+$/m, `version: ${version + 1}`).replace(/^title: .*$/m, `title: Repeated transfers just under the threshold (v${version + 1})`));
    await vi.waitFor(() => expect(inForce()).not.toBe(before), WAIT);
    expect(inForce().find((r) => r.spec.id === 'structuring.just-under')!.spec.version).toBe(version + 1);
    expect(await reloads(metrics, 'applied')).toBe(1);
    const series = await gauge(metrics);
    expect(series).toHaveLength(1);
    expect(series[0]!.labels.fingerprint).not.toBe(fingerprint);
    await vi.waitFor(() => expect(audit.map((e) => e.event)).toEqual(['start', 'reload']), WAIT);
    expect(audit[1]).toMatchObject({ added: [`structuring.just-under@${version + 1}`], removed: [`structuring.just-under@${version}`] });
  });

  it('refuses a broken file whole, with its file:line, counted and audited; the rules in force stay', async () => {
    const { dir, audit, metrics, inForce } = watched();
    const before = inForce();
    const path = join(dir, RULE);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^version: \d+$/m, 'versoin: 2'));
    await vi.waitFor(async () => expect(await reloads(metrics, 'refused')).toBe(1), WAIT);
    expect(inForce()).toBe(before);
    expect(await reloads(metrics, 'applied')).toBe(0);
    await vi.waitFor(() => expect(audit.map((e) => e.event)).toEqual(['start', 'refused']), WAIT);
    expect(audit[1]!.reason).toMatch(/just-under\.yaml:\d+/);
  });
});
