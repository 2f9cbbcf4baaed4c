import type { Command } from 'commander';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet } from '../engine/loader.js';
import { signalFacts } from '../engine/rule-paths.js';
import { runRuleCases } from '../replay/rule-cases.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { RedisRuleAudit } from '../cases/redis-rule-audit.js';
import { loadConfig } from '../config/config.js';
import { redisTls } from '../config/tls.js';
import type { RuleAuditEntry } from '../engine/rule-audit.js';
import { inertText } from '../observability/terminal-text.js';
import { connectRedis } from './redis-connection.js';

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('validate and test rule folders');
  rules
    .command('check')
    .description('validate every rule file: schema, every signal, field and explain path it names, severity order, and whether it can fire at all; a broken one is reported with file, line and reason')
    .argument('[dir]', 'rules folder', DEFAULT_RULES_DIR)
    .action((dir: string) => {
      const loaded = loadRuleSet(dir, { disabled: true });
      // A disabled rule is checked as the others are, and listed as such: it loads, and never runs.
      for (const r of loaded) console.log(`${r.spec.enabled ? 'ok' : 'ok (disabled)'}  ${r.spec.id}@${r.spec.version}  ${r.spec.typology}  ${r.file}`);
      const undeclared = [...new Set(loaded.flatMap((r) => Object.values(r.spec.signals).map((s) => s.op)))].filter((op) => !signalFacts(op)).sort();
      for (const op of undeclared) console.log(`note  operator ${op} declares no facts in SIGNAL_FACTS (src/engine/signals.ts): paths under its signals are not checked`);
    });
  rules
    .command('test')
    .description("replay each rule folder's cases and check the alerts they must and must not raise")
    .argument('[dir]', 'rules folder', DEFAULT_RULES_DIR)
    .action(async (dir: string) => {
      const results = await runRuleCases(dir, sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)));
      for (const r of results) {
        console.log(`${r.passed ? 'pass' : 'FAIL'}  ${r.typology.padEnd(20)} ${r.file}`);
        for (const f of r.failures) console.log(`      ${f}`);
      }
      const failed = results.filter((r) => !r.passed).length;
      console.log(`${results.length - failed} passed, ${failed} failed`);
      if (failed > 0) process.exitCode = 1;
    });
  rules
    .command('audit')
    .description('the rule sets monitors put in force (at start and on each reload) and the changes they refused, with each file\'s digest, owner and time, from Redis (REDIS_URL); the newest --limit, oldest first')
    .option('--limit <n>', 'entries', '100')
    .option('--files', 'list each rule file too')
    .action(async (opts: { limit: string; files?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: a whole number of entries, not ${JSON.stringify(opts.limit)}`);
      const config = loadConfig();
      const redis = await connectRedis(config.REDIS_URL, false, redisTls(config));
      try {
        for (const e of await new RedisRuleAudit(redis, config.REDIS_KEY_PREFIX).newest(limit)) {
          console.log(inertText(ruleAuditLine(e)));
          if (opts.files) for (const f of e.files) console.log(inertText(`    ${f.sha256.slice(0, 16)}  uid ${f.uid}  ${f.modifiedAt}  ${f.path}`));
        }
      } finally {
        redis.disconnect();
      }
    });
}

/**
 * One audit entry on a line: when, what, where, the fingerprint, and the versions that came and
 * went; a refusal's reason follows on lines of its own, each file:line finding indented (only its
 * first line, "rule set refused, 2 error(s):", was printed: session 41 QA).
 */
export function ruleAuditLine(e: RuleAuditEntry): string {
  const change = [...(e.added ?? []).map((r) => `+${r}`), ...(e.removed ?? []).map((r) => `-${r}`)].join(' ');
  const newest = e.files.reduce((m, f) => (f.modifiedAt > m.modifiedAt ? f : m), e.files[0] ?? { modifiedAt: '', uid: -1, path: '' });
  const [first, ...rest] = e.reason ? e.reason.split('\n').filter((l) => l.trim() !== '') : [];
  const line = [e.at, e.event.padEnd(7), `${e.instance}@${e.host}`, `fingerprint ${e.fingerprint.slice(0, 16)}`, `${e.rules} rules`, change,
    newest.path ? `newest file ${newest.path} (uid ${newest.uid}, ${newest.modifiedAt})` : '', first !== undefined ? `refused: ${first}` : ''].filter((x) => x !== '').join('  ');
  return [line, ...rest.map((l) => `    ${inertText(l.trim())}`)].join('\n');
}
