import type { Command } from 'commander';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet } from '../engine/loader.js';
import { signalFacts } from '../engine/rule-paths.js';
import { runRuleCases } from '../replay/rule-cases.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';

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
}
