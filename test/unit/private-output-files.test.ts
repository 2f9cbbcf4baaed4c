/**
 * Files holding personal data are created owner-only (0600), as checkpoints are, whatever the
 * umask: the replay's alerts and dead-letter files, and the case archive (QA D11: 0644 before);
 * a device given as the output keeps its mode.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeArchive } from '../../src/cases/case-archive.js';
import { replayFiles } from '../../src/replay/replay.js';
import { rules, sampleLines } from '../helpers/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'tw-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (file: string): number => statSync(file).mode & 0o777;

// A permissive umask, as on most hosts, so the test fails when a file takes the process default.
let umaskBefore = 0;
beforeEach(() => { umaskBefore = process.umask(0o022); });
afterEach(() => { process.umask(umaskBefore); });

describe('output files with personal data', () => {
  it('creates the alerts and dead-letter files 0600, and makes an earlier run\'s 0644 file 0600', async () => {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, [...sampleLines().slice(0, 200), '{"kind":"login","ip":"203.0.113.77","not":"valid"}'].join('\n') + '\n');
    const alertsPath = join(dir, 'alerts.jsonl');
    const dlqPath = join(dir, 'dlq.jsonl');
    writeFileSync(alertsPath, 'from an earlier run\n', { mode: 0o644 });
    chmodSync(alertsPath, 0o644);
    const { summary } = await replayFiles({ files: [input], rules: rules(), labels: [], alertsPath, dlqPath, keep: { alerts: false, cases: false } });
    expect(summary.rejected).toBe(1);
    expect(modeOf(dlqPath).toString(8)).toBe('600');
    expect(modeOf(alertsPath).toString(8)).toBe('600');
  });

  it('leaves the mode of a device given as the output alone (`--alerts /dev/null` made it 0600 for every user, run as root)', async () => {
    const before = modeOf('/dev/null');
    const input = join(dir, 'in-null.jsonl');
    writeFileSync(input, sampleLines().slice(0, 50).join('\n') + '\n');
    try {
      await replayFiles({ files: [input], rules: rules(), labels: [], alertsPath: '/dev/null', dlqPath: '/dev/null', keep: { alerts: false, cases: false } });
      expect(modeOf('/dev/null').toString(8)).toBe(before.toString(8));
    } finally {
      // A regression run as root must not leave the machine without a writable /dev/null.
      if (modeOf('/dev/null') !== before) chmodSync('/dev/null', before);
    }
  });

  it('creates the case archive 0600', async () => {
    const file = join(dir, 'archive.jsonl');
    await writeArchive(file, []);
    expect(modeOf(file).toString(8)).toBe('600');
  });
});
