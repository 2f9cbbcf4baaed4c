#!/usr/bin/env -S node --max-semi-space-size=64
/** The `tidewatch` command: parses the verb and hands over; each verb lives in its own file. */
import { Command } from 'commander';
import { RuleSetError } from '../engine/loader.js';
import { UserInputError } from '../cases/users.js';
import { CaseActionError } from '../cases/case-transitions.js';
import { registerIntel } from './intel-command.js';
import { registerReplay } from './replay-command.js';
import { registerRules } from './rules-command.js';
import { registerMonitor } from './monitor-command.js';
import { registerCases } from './cases-command.js';
import { registerConsole } from './console-command.js';
import { ConfigError } from '../config/config.js';
import { registerSimulate } from './simulate-command.js';

const program = new Command()
  .name('tidewatch')
  .description('Transaction monitoring for crypto exchanges: sanctions exposure, DPRK IT-worker payroll, consolidation, extortion.')
  .version('0.1.0');

registerReplay(program);
registerIntel(program);
registerSimulate(program);
registerRules(program);
registerMonitor(program);
registerCases(program);
registerConsole(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof RuleSetError || err instanceof ConfigError || err instanceof UserInputError || err instanceof CaseActionError) console.error(err.message);
  else console.error(`tidewatch: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
