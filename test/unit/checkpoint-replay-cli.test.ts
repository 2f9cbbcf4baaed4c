/** `tidewatch replay --checkpoint-out / --checkpoint-every / --checkpoint-from`, run in-process. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid } from '../../src/checkpoint/index.js';
import { registerReplay } from '../../src/cli/replay-command.js';
import { emptyPipeline, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules, sampleLines, samplePath } from '../helpers/sample.js';

afterAll(removeTempDirs);

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

describe('replay with checkpoints', () => {
  it('a replay of the later file from a checkpoint adds exactly the alerts a whole replay has after it', async () => {
    const dir = tempDir('tw-ckpt-cli-');
    const lines = sampleLines();
    const [early, late] = [join(dir, 'early.jsonl'), join(dir, 'late.jsonl')];
    writeFileSync(early, lines.slice(0, 3_500).join('\n') + '\n');
    writeFileSync(late, lines.slice(3_500).join('\n') + '\n');
    const store = join(dir, 'checkpoints');

    await tidewatch('replay', samplePath, '--alerts', join(dir, 'whole.jsonl'), '--quiet');
    await tidewatch('replay', early, '--alerts', join(dir, 'early.alerts.jsonl'), '--checkpoint-out', store, '--checkpoint-every', '1000', '--quiet');
    // Every 1,000 messages and at the end (3,500): the newest three are kept.
    expect(readdirSync(store).sort()).toEqual(['checkpoint-000000000002.twc', 'checkpoint-000000000003.twc', 'checkpoint-000000000004.twc']);
    await tidewatch('replay', late, '--alerts', join(dir, 'late.alerts.jsonl'), '--checkpoint-from', store, '--checkpoint-out', store, '--quiet');

    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(read('late.alerts.jsonl').length).toBeGreaterThan(0);
    expect(read('early.alerts.jsonl') + read('late.alerts.jsonl')).toBe(read('whole.jsonl'));
    const newest = await loadNewestValid(store, { build: emptyPipeline(), rules: rules() });
    const lineSha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
    expect(newest?.header.positions).toEqual({ files: [{ file: early, line: 3_500, lineSha256: lineSha256(lines[3_499]!) }, { file: late, line: lines.length - 3_500, lineSha256: lineSha256(lines.at(-1)!) }] });
    expect(newest?.pipeline.stats.read).toBe(lines.length);
  });

  it('refuses to go on when the checkpoint used (the newest was corrupt) leaves lines of a file that is not given unapplied', async () => {
    const dir = tempDir('tw-ckpt-cli-gap-');
    const lines = sampleLines();
    const [early, late] = [join(dir, 'early.jsonl'), join(dir, 'late.jsonl')];
    writeFileSync(early, lines.slice(0, 3_000).join('\n') + '\n');
    writeFileSync(late, lines.slice(3_000).join('\n') + '\n');
    const store = join(dir, 'checkpoints');
    await tidewatch('replay', early, '--alerts', join(dir, 'early.alerts.jsonl'), '--checkpoint-out', store, '--checkpoint-every', '1200', '--quiet');
    const newest = join(store, readdirSync(store).sort().at(-1)!);
    const bytes = readFileSync(newest);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(newest, bytes);
    // The one before covers early.jsonl to line 2,400: lines 2,401 to 3,000 would be skipped.
    await expect(tidewatch('replay', late, '--alerts', join(dir, 'late.alerts.jsonl'), '--checkpoint-from', store, '--quiet'))
      .rejects.toThrow(`covers ${early} only to line 2400 of 3000, and ${early} is not among the files given: lines 2401 to 3000 would never be applied. Give ${early} again`);

    // Its advice followed: early.jsonl given again goes on from line 2,401, its first 2,400 lines
    // not read a second time (they were, counted as duplicates), and the alerts are the whole
    // replay's after the first 2,400 lines.
    const prefix = join(dir, 'prefix.jsonl');
    writeFileSync(prefix, lines.slice(0, 2_400).join('\n') + '\n');
    await tidewatch('replay', prefix, '--alerts', join(dir, 'prefix.alerts.jsonl'), '--quiet');
    await tidewatch('replay', samplePath, '--alerts', join(dir, 'whole.jsonl'), '--quiet');
    const resumed = join(dir, 'resumed');
    await tidewatch('replay', early, late, '--alerts', join(dir, 'resumed.alerts.jsonl'), '--checkpoint-from', store, '--checkpoint-out', resumed, '--quiet');
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(read('prefix.alerts.jsonl') + read('resumed.alerts.jsonl')).toBe(read('whole.jsonl'));
    const after = await loadNewestValid(resumed, { build: emptyPipeline(), rules: rules() });
    expect(after?.pipeline.stats).toMatchObject({ read: lines.length, duplicates: 0 });

    // A file replaced since the checkpoint read it is refused, not skipped blindly.
    writeFileSync(early, [...lines.slice(0, 2_399), lines[2_500]!, ...lines.slice(2_400, 3_000)].join('\n') + '\n');
    await expect(tidewatch('replay', early, late, '--checkpoint-from', store, '--quiet'))
      .rejects.toThrow(`applied ${early} to line 2400, and ${early} has another line 2400 now: it is not the file the checkpoint read`);
  });

  it('refuses --checkpoint-from a directory with no valid checkpoint rather than replay on an empty state', async () => {
    await expect(tidewatch('replay', samplePath, '--checkpoint-from', tempDir('tw-ckpt-cli-empty-'), '--quiet')).rejects.toThrow(/no valid checkpoint there/);
  });

  it('refuses --checkpoint-every without --checkpoint-out', async () => {
    await expect(tidewatch('replay', samplePath, '--checkpoint-every', '10', '--quiet')).rejects.toThrow(/needs --checkpoint-out/);
  });
});
