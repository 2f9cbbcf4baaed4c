import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { simulate } from '../simulate/scenarios.js';
import { simulateEveryday } from '../simulate/everyday.js';

interface SimulateFlags { out: string; truth?: string; seed: string; scale: string; services: string; serviceCustomers: string; riskyShare?: string }

const integerIn = (flag: string, text: string, lo: number, hi: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${flag}: an integer from ${lo} to ${hi}, not ${text}`);
  return n;
};

/** The simulated stream with popular sweeping services mixed in (10 per scale unit unless told; `--services 0`: none). */
function build(opts: SimulateFlags, seed: number, scale: number) {
  const services = opts.services === '' ? 10 * scale : integerIn('--services', opts.services, 0, 100_000);
  if (services === 0) return simulate({ seed, scale });
  const customers = opts.serviceCustomers === '' ? 25 * services : integerIn('--service-customers', opts.serviceCustomers, 1, 10_000_000);
  const riskyShare = opts.riskyShare === undefined || opts.riskyShare === '' ? 0.15 : Number(opts.riskyShare);
  if (!(riskyShare >= 0 && riskyShare <= 1)) throw new Error(`--risky-share: a number from 0 to 1, not ${opts.riskyShare}`);
  return simulateEveryday({ seed, scale, services, customers, riskyShare });
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate a labelled synthetic stream with planted typologies and benign lookalikes')
    .requiredOption('--out <file>', 'the JSONL stream to write')
    .option('--truth <file>', 'where to write its truth (default: the stream path with .truth.json for .jsonl)')
    .option('--seed <n>', 'random seed (same seed, same stream)', '1')
    .option('--scale <n>', 'planted cells per typology; lookalikes scale with it', '2')
    .option('--services <n>', 'popular unlabelled services that sweep, paid by benign customers and by the stream\'s own accounts (default: 10 per scale unit; 0: none)', '')
    .option('--service-customers <n>', 'how many such customers (default: 25 per service)', '')
    .option('--risky-share <x>', 'share of service customers with one ordinary risk factor: VPN, travel, a new account (default 0.15)')
    .action((opts: SimulateFlags) => {
      const seed = Number(opts.seed);
      const scale = Number(opts.scale);
      if (!Number.isInteger(seed)) throw new Error(`--seed: not an integer: ${opts.seed}`);
      if (!Number.isInteger(scale) || scale < 1 || scale > 10_000) throw new Error(`--scale: an integer from 1 to 10000, not ${opts.scale}`);
      const { lines, truth } = build(opts, seed, scale);
      mkdirSync(dirname(opts.out), { recursive: true });
      writeFileSync(opts.out, lines.join('\n') + '\n');
      const truthPath = opts.truth || opts.out.replace(/\.jsonl$/, '') + '.truth.json';
      writeFileSync(truthPath, JSON.stringify(truth, null, 1) + '\n');
      console.log(`wrote ${lines.length} messages to ${opts.out}; ${Object.keys(truth.accounts).length} planted and ${truth.benign.length} benign accounts in ${truthPath}`);
    });
}
