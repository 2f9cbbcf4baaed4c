import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { simulate } from '../simulate/scenarios.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate a labelled synthetic stream with planted typologies and benign lookalikes')
    .requiredOption('--out <file>', 'the JSONL stream to write')
    .option('--truth <file>', 'where to write its truth.json', '')
    .option('--seed <n>', 'random seed (same seed, same stream)', '1')
    .option('--scale <n>', 'planted cells per typology; lookalikes scale with it', '2')
    .action((opts: { out: string; truth: string; seed: string; scale: string }) => {
      const seed = Number(opts.seed);
      const scale = Number(opts.scale);
      if (!Number.isInteger(seed)) throw new Error(`--seed: not an integer: ${opts.seed}`);
      if (!Number.isInteger(scale) || scale < 1 || scale > 10_000) throw new Error(`--scale: an integer from 1 to 10000, not ${opts.scale}`);
      const { lines, truth } = simulate({ seed, scale });
      mkdirSync(dirname(opts.out), { recursive: true });
      writeFileSync(opts.out, lines.join('\n') + '\n');
      const truthPath = opts.truth || opts.out.replace(/\.jsonl$/, '') + '.truth.json';
      writeFileSync(truthPath, JSON.stringify(truth, null, 1) + '\n');
      console.log(`wrote ${lines.length} messages to ${opts.out}; ${Object.keys(truth.accounts).length} planted and ${truth.benign.length} benign accounts in ${truthPath}`);
    });
}
