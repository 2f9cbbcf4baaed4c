/**
 * Paths the replay CLI cannot use are refused before anything runs, naming the path: an output
 * that is a directory crashed with a Node stack trace after the whole replay had run (QA).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, samplePath } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const dir = mkdtempSync(join(tmpdir(), 'tw-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const replay = (...args: string[]): { status: number | null; stderr: string } => {
  const r = spawnSync('node', [TIDEWATCH, 'replay', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
};

describe('replay paths', () => {
  it('refuses an --alerts path that is a directory, and an input that is a directory, each by name with exit 2', () => {
    expect(replay(samplePath, '--alerts', dir)).toEqual({ status: 2, stderr: `tidewatch: cannot write ${dir}: EISDIR\n` });
    expect(replay(dir, '--alerts', join(dir, 'a.jsonl'))).toEqual({ status: 2, stderr: `tidewatch: input ${dir} is a directory, not a JSONL file\n` });
  }, 60_000);

  it('exits 2 on a usage mistake too (an unknown option, no input), as on every other refusal; help exits 0', () => {
    const unknown = replay(samplePath, '--alert', join(dir, 'a.jsonl'));
    expect(unknown.status).toBe(2); // commander's default was 1
    expect(unknown.stderr).toContain("unknown option '--alert'");
    expect(replay().status).toBe(2);
    expect(replay('--help').status).toBe(0);
  }, 60_000);
});
