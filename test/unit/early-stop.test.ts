import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/sample.js';

describe("the CLI entry's early stop (session 45 QA: a monitor's SIGTERM while its modules loaded gave 143)", () => {
  it('is the only module the entry imports statically (a static graph is loaded whole before its first module runs); the rest comes after it', () => {
    const lines = readFileSync(`${root}src/cli/main.ts`, 'utf8').split('\n');
    expect(lines.filter((l) => /^import\s/.test(l))).toEqual(["import './early-stop.js';"]);
    expect(lines.filter((l) => l.includes('await import('))).toEqual(["await import('./run.js');"]);
  });

  it('makes a SIGTERM that comes while the rest loads end the monitor with status 0, and leaves other verbs to the default', () => {
    // A process that loads the module as the entry does, is signalled, and would go on loading for 10 s.
    const run = (verb: string) => spawnSync('node', ['--import', 'tsx', '--input-type=module', '-e', `process.argv[2] = ${JSON.stringify(verb)}; await import('./src/cli/early-stop.ts'); process.kill(process.pid, 'SIGTERM'); await new Promise((r) => setTimeout(r, 10_000)); process.exit(3);`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const monitor = run('monitor');
    expect({ status: monitor.status, signal: monitor.signal }, monitor.stderr).toEqual({ status: 0, signal: null });
    const replay = run('replay');
    expect(replay.status === 0, replay.stderr).toBe(false);
  });
});
