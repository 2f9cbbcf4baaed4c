#!/usr/bin/env node
/** The `tidewatch` command: parses the verb and hands over; each verb lives in its own file. */
import { Command } from 'commander';
import { RuleSetError } from '../engine/loader.js';
import { registerIntel } from './intel-command.js';
import { registerReplay } from './replay-command.js';
import { registerRules } from './rules-command.js';
import { registerSimulate } from './simulate-command.js';

const program = new Command()
  .name('tidewatch')
  .description('Transaction monitoring for crypto exchanges: sanctions exposure, DPRK IT-worker payroll, consolidation, extortion.')
  .version('0.1.0');

registerReplay(program);
registerIntel(program);
registerSimulate(program);
registerRules(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof RuleSetError) console.error(err.message);
  else console.error(`tidewatch: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
