import { existsSync, readFileSync } from 'node:fs';
import { formatScore, scoreAlerts, type Truth } from '../replay/score.js';
import type { Command } from 'commander';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet } from '../engine/loader.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { replayFiles } from '../replay/replay.js';
import { printCases, printSummary } from './report.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('run the whole pipeline over JSONL files on the embedded in-memory stores')
    .argument('<files...>', 'JSON Lines input files, replayed in order')
    .option('--alerts <file>', 'write each alert as one JSON line here')
    .option('--dlq <file>', 'write each rejected line, with its reason and line number, here')
    .option('--rules <dir>', 'rules folder', DEFAULT_RULES_DIR)
    .option('--ofac <file>', 'OFAC SDN data file', DEFAULT_SDN_PATH)
    .option('--no-ofac', 'do not load the bundled OFAC SDN labels')
    .option('--cases', 'print the case queue the alerts would open')
    .option('--truth <file>', 'score the alerts against a truth.json: recall per typology, precision per account')
    .option('--quiet', 'print nothing but errors')
    .action(async (files: string[], opts: { alerts?: string; dlq?: string; rules: string; ofac: string | false; cases?: boolean; quiet?: boolean; truth?: string }) => {
      for (const f of files) if (!existsSync(f)) throw new Error(`input file not found: ${f}`);
      const rules = loadRuleSet(opts.rules);
      const labels = opts.ofac === false ? [] : sdnLabels(loadSdnFile(opts.ofac));
      const { summary, cases, alerts } = await replayFiles({
        files, rules, labels, progress: process.stderr.isTTY && !opts.quiet,
        ...(opts.alerts ? { alertsPath: opts.alerts } : {}),
        ...(opts.dlq ? { dlqPath: opts.dlq } : {}),
      });
      if (opts.quiet) return;
      printSummary(summary, rules.length);
      if (opts.cases) printCases(await cases.list(), 15);
      if (opts.truth) console.log('\n' + formatScore(scoreAlerts(alerts, JSON.parse(readFileSync(opts.truth, 'utf8')) as Truth)));
    });
}
