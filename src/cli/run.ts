/** The `tidewatch` command's body (main.ts loads it): parses the verb and hands over; each verb lives in its own file. */
import { Command, CommanderError } from 'commander';
import { RuleSetError } from '../engine/loader.js';
import { UserInputError } from '../cases/users.js';
import { CaseActionError } from '../cases/case-transitions.js';
import { ConfigError } from '../config/config.js';
import { isUndecodableBatch } from '../kafka/undecodable.js';
import { saslRefusal, saslRefusalMessage } from '../kafka/sasl.js';

/**
 * Each verb's module, loaded on demand: a verb loads only its own dependencies (the monitor
 * neither the console's web server nor the simulator; with ethers imported by subpath, its
 * module loading went from 1.28 to 0.88 s here). Help and an unknown verb load them all.
 */
const VERBS: Record<string, () => Promise<(program: Command) => void>> = {
  replay: async () => (await import('./replay-command.js')).registerReplay,
  intel: async () => (await import('./intel-command.js')).registerIntel,
  simulate: async () => (await import('./simulate-command.js')).registerSimulate,
  rules: async () => (await import('./rules-command.js')).registerRules,
  monitor: async () => (await import('./monitor-command.js')).registerMonitor,
  cases: async () => (await import('./cases-command.js')).registerCases,
  console: async () => (await import('./console-command.js')).registerConsole,
};

const program = new Command()
  .name('tidewatch')
  .description('Transaction monitoring for crypto exchanges: sanctions exposure, DPRK IT-worker payroll, consolidation, extortion.')
  .version('0.1.0')
  // A usage mistake (an unknown option, a missing argument) exits 2 like every other refusal;
  // commander's own default was 1, which scripts read as a failed run. Verbs inherit this.
  .exitOverride();

const verb = process.argv[2];
const needed = verb !== undefined && Object.hasOwn(VERBS, verb) ? [verb] : Object.keys(VERBS);
for (const name of needed) (await VERBS[name]!())(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2); // commander printed it (help and --version are 0)
  // A run that started and then met input no retry can read (`replay --from-kafka` fetching a
  // refused batch) failed after starting: 1, as the monitor exits on it.
  if (isUndecodableBatch(err)) {
    console.error(`tidewatch: ${(err as Error).message}`);
    process.exit(1);
  }
  // `replay --from-kafka` refused by the brokers' SASL: named as the monitor names it, not as
  // kafkajs' bare "authentication failed" (black-box against a SCRAM broker, session 63).
  const refused = saslRefusal(err);
  if (refused !== undefined) {
    console.error(saslRefusalMessage(refused));
    process.exit(2);
  }
  if (err instanceof RuleSetError || err instanceof ConfigError || err instanceof UserInputError || err instanceof CaseActionError) console.error(err.message);
  else console.error(`tidewatch: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
