/**
 * The rule audit (security QA, session 28: a rule change left only an info log line). A monitor
 * records in Redis each rule set it puts in force, at start and on every hot reload, and each
 * change it refuses, with the fingerprint, the versions that came and went and every file's
 * digest, owner and time; `tidewatch rules audit` prints them. Real Kafka and Redis, in process.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRuleAudit } from '../../src/cases/redis-rule-audit.js';
import { wireMonitor } from '../../src/cli/monitor-wiring.js';
import { loadConfig } from '../../src/config/config.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import type { RuleAuditEntry } from '../../src/engine/rule-audit.js';
import { checkpointRoot, cleanupRun, newRun, waitFor, type Run } from '../helpers/kafka.js';
import { ofacLabels, root, rulesDir } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const runs: Run[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await redis.quit();
});

/** Writes a rule file whole at once (a rename), as a deploy would: the watcher never reads half a file. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function auditCli(prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('node', [TIDEWATCH, 'rules', 'audit', '--files'], { cwd: root, env: { ...process.env, REDIS_URL, REDIS_KEY_PREFIX: prefix } },
      (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
  });
}

describe('the rule audit', () => {
  it('records the rules put in force at start, a reload with the versions that changed, and a refused change with its file and line', async () => {
    const run = newRun();
    runs.push(run);
    const dir = mkdtempSync(join(tmpdir(), 'tw-rule-audit-'));
    dirs.push(dir);
    cpSync(rulesDir, dir, { recursive: true });
    const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, REDIS_KEY_PREFIX: run.prefix, CHECKPOINT_DIR: checkpointRoot(run) });
    const { monitor, stop } = wireMonitor(config, { rules: loadRuleSet(dir), rulesDir: dir, labels: ofacLabels(), logger: pino({ level: 'silent' }), instanceId: `audit-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic });
    const audit = new RedisRuleAudit(redis, run.prefix);
    const entries = async (): Promise<RuleAuditEntry[]> => audit.newest(100);
    try {
      await monitor.start();
      await waitFor(async () => (await entries()).length === 1, 60_000, 'the start entry');
      const [start] = await entries();
      expect(start).toMatchObject({ event: 'start', instance: `audit-${run.id}`, rules: loadRuleSet(dir).length });
      const ipFile = start!.files.find((f) => f.path === join('account-linkage', 'shared-ip.yaml'));
      expect(ipFile?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(ipFile?.uid).toBe(process.getuid!());

      const path = join(dir, 'account-linkage', 'shared-ip.yaml');
      const text = readFileSync(path, 'utf8');
      const version = Number(/^version: (\d+)$/m.exec(text)![1]);
      replaceFile(path, text.replace(/^version: \d+$/m, `version: ${version + 1}`));
      await waitFor(async () => (await entries()).some((e) => e.event === 'reload'), 60_000, 'the reload entry');
      const reload = (await entries()).find((e) => e.event === 'reload')!;
      expect(reload).toMatchObject({ event: 'reload', added: [`account-linkage.shared-ip@${version + 1}`], removed: [`account-linkage.shared-ip@${version}`] });
      expect(reload.fingerprint).not.toBe(start!.fingerprint);
      expect(reload.files.find((f) => f.path === join('account-linkage', 'shared-ip.yaml'))!.sha256).not.toBe(ipFile!.sha256);

      replaceFile(path, text.replace(/^version: \d+$/m, `version: ${version + 2}`).replace('within: 24h', 'withinn: 24h'));
      await waitFor(async () => (await entries()).some((e) => e.event === 'refused'), 60_000, 'the refusal entry');
      const refused = (await entries()).find((e) => e.event === 'refused')!;
      expect(refused).toMatchObject({ event: 'refused', fingerprint: reload.fingerprint });
      expect(refused.reason).toMatch(/shared-ip\.yaml:\d+/);
    } finally {
      await stop();
    }
    const printed = (await auditCli(run.prefix)).split('\n').filter((l) => /^\d{4}-/.test(l));
    // A change read twice (two file events) is refused twice, each recorded; a reload of the same rules is not.
    expect([...new Set(printed.map((l) => l.split(/\s{2,}/)[1]))].sort()).toEqual(['refused', 'reload', 'start']);
    expect(printed.filter((l) => l.split(/\s{2,}/)[1] === 'reload')).toHaveLength(1);
    expect(printed[1]).toContain(`+account-linkage.shared-ip@`);
  });
});
