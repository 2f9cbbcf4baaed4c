/** The `tidewatch` command run from the source tree (transpiled once per run: built-sources.ts) in a child process, as an operator runs it. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILT_TEST_HELPERS, TIDEWATCH } from './built-sources.js';
import { root } from './sample.js';

/** skewed-clock.ts as the global setup transpiled it: preloaded as plain JavaScript, without tsx's hooks. */
const SKEWED_CLOCK = pathToFileURL(join(BUILT_TEST_HELPERS, 'skewed-clock.js')).href;

export interface CliRun { code: number; stdout: string; stderr: string }

export interface CliOptions {
  /** Standard input (a password, for the users commands). */
  stdin?: string;
  /** How far the command's clock (Date) is off, in ms (negative: behind): a user's skewed machine (skewed-clock.ts). */
  clockSkewMs?: number;
}

/** `tidewatch <args>` with `env` laid over the test's own environment (an undefined value unsets the variable). */
export function runTidewatch(args: string[], env: Record<string, string | undefined> = {}, options: CliOptions = {}): Promise<CliRun> {
  const skew = options.clockSkewMs === undefined ? [] : ['--import', SKEWED_CLOCK];
  const skewEnv = options.clockSkewMs === undefined ? {} : { TIDEWATCH_TEST_CLOCK_SKEW_MS: String(options.clockSkewMs) };
  return new Promise((resolve) => {
    const child = execFile('node', [...skew, TIDEWATCH, ...args], { cwd: root, env: { ...process.env, ...env, ...skewEnv } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    child.stdin!.end(options.stdin ?? '');
  });
}
