/** The `tidewatch` command run from the source tree in a child process, as an operator runs it. */
import { execFile } from 'node:child_process';
import { root } from './sample.js';

export interface CliRun { code: number; stdout: string; stderr: string }

/**
 * `tidewatch <args>` with `env` laid over the test's own environment (an undefined value unsets
 * the variable) and `stdin` as its standard input (a password, for the users commands).
 */
export function runTidewatch(args: string[], env: Record<string, string | undefined> = {}, stdin = ''): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile('node', ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}
