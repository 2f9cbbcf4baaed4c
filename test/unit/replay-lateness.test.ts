/**
 * `replay` holds each message REPLAY_LATENESS_MINUTES of event time for earlier-dated messages
 * read after it (src/sources/lateness-buffer.ts): the same lines in an order displaced within the
 * lateness give event order's bytes; a message later than that is applied where it arrives, as
 * before; a checkpoint every N lines is a cut (everything read is applied first), and a replay
 * that goes on from one gives the bytes of the run that wrote it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hotShapeStream } from '../../src/bench/hot-shapes-stream.js';
import { registerReplay } from '../../src/cli/replay-command.js';
import { loadConfig } from '../../src/config/config.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { prng } from '../../src/simulate/builders.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);
afterEach(() => {
  delete process.env.REPLAY_LATENESS_MINUTES;
});

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

// One hot account's shapes, a message every ten seconds or so: a block of 200 lines spans about 33 minutes.
const lines = [...hotShapeStream('one-account', 2_000, 42)];

const MINUTE = 60_000;

function timeOf(line: string): number {
  const decoded = decodeMessage(line, DEFAULT_DECODE_OPTIONS);
  if (!decoded.ok) throw new Error(`not a message: ${line}`);
  return decoded.event.time;
}

/** Fisher-Yates within consecutive blocks of `size` lines. */
function shuffledInBlocks(input: readonly string[], size: number, seed: number): string[] {
  const rand = prng(seed);
  const out = [...input];
  for (let start = 0; start < out.length; start += size) {
    for (let i = Math.min(start + size, out.length) - 1; i > start; i--) {
      const j = start + Math.floor(rand() * (i - start + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}

/** The alerts (and dead letters) a replay of `input` writes, with REPLAY_LATENESS_MINUTES as given. */
async function replayOf(dir: string, name: string, input: readonly string[], minutes?: number): Promise<{ alerts: string; dlq: string }> {
  if (minutes === undefined) delete process.env.REPLAY_LATENESS_MINUTES;
  else process.env.REPLAY_LATENESS_MINUTES = String(minutes);
  // One file name in a folder of its own: a dead letter names its file.
  mkdirSync(join(dir, name));
  const file = join(dir, name, 'input.jsonl');
  writeFileSync(file, input.join('\n') + '\n');
  await tidewatch('replay', file, '--no-ofac', '--alerts', join(dir, `${name}.alerts`), '--dlq', join(dir, `${name}.dlq`), '--quiet');
  return { alerts: readFileSync(join(dir, `${name}.alerts`), 'utf8'), dlq: readFileSync(join(dir, `${name}.dlq`), 'utf8').replace(join(dir, name), '') };
}

/** A line no decoder takes, put at line `at` (its place, and so its dead letter, the same in every order). */
const withReject = (input: readonly string[], at: number): string[] => [...input.slice(0, at), '{"schema":"exchange.transfer.v1","eventId":', ...input.slice(at)];

describe('replay with a lateness (REPLAY_LATENESS_MINUTES, default 60)', () => {
  it('gives event order\'s bytes for the same lines shuffled within blocks of 200 (about 33 minutes)', async () => {
    const dir = tempDir('tw-lateness-');
    const ordered = await replayOf(dir, 'ordered', withReject(lines, 700));
    const shuffled = withReject(shuffledInBlocks(lines, 200, 1), 700);
    expect(ordered.alerts.split('\n').length).toBeGreaterThan(100);
    expect(ordered.dlq).toContain('"line":701');
    expect(await replayOf(dir, 'shuffled', shuffled)).toEqual(ordered);
    // Read as it comes, the order shows: the input does exercise the buffer.
    expect((await replayOf(dir, 'shuffled-as-read', shuffled, 0)).alerts).not.toBe(ordered.alerts);
  });

  it('applies a message read later than the lateness at once, ahead of what it holds, as a replay without one applies it there', async () => {
    const dir = tempDir('tw-lateness-late-');
    // The first deposit from line 300 on, read 1,000 lines (about two and a half hours) later.
    const d = lines.findIndex((l, i) => i >= 300 && l.includes('"kind":"deposit"'));
    const late = [...lines.slice(0, d), ...lines.slice(d + 1, d + 1_001), lines[d]!, ...lines.slice(d + 1_001)];
    // Where the buffer lets it go: before the first line it still holds, those dated within the hour before the newest read.
    const newest = timeOf(late[d + 999]!);
    const at = late.findIndex((l) => timeOf(l) >= newest - 60 * MINUTE);
    const asReleased = [...late.slice(0, at), lines[d]!, ...late.slice(at, d + 1_000), ...late.slice(d + 1_001)];
    const withoutLateness = await replayOf(dir, 'released-as-read', asReleased, 0);
    expect(withoutLateness.alerts).not.toBe((await replayOf(dir, 'ordered', lines)).alerts);
    // With lines 100 to 300 shuffled too: put back in order, the late deposit left late.
    const both = [...late.slice(0, 100), ...shuffledInBlocks(late.slice(100, 300), 200, 2), ...late.slice(300)];
    expect(both).not.toEqual(late);
    expect(await replayOf(dir, 'both', both)).toEqual(withoutLateness);
  });

  it('is refused by name when it is no whole number of minutes from 0 to a week', () => {
    for (const bad of ['abc', '-1', '1.5', '10081']) expect(() => loadConfig({ REPLAY_LATENESS_MINUTES: bad }), bad).toThrow(/REPLAY_LATENESS_MINUTES/);
    expect(loadConfig({}).REPLAY_LATENESS_MINUTES).toBe(60);
    expect(loadConfig({ REPLAY_LATENESS_MINUTES: '0' }).REPLAY_LATENESS_MINUTES).toBe(0);
  });

  it('a checkpoint every N lines is a cut: a replay that goes on from it, or from one written at the end of the first file, gives the straight run\'s bytes', async () => {
    const dir = tempDir('tw-lateness-cut-');
    const shuffled = shuffledInBlocks(lines, 200, 3);
    const [first, second] = [join(dir, 'first.jsonl'), join(dir, 'second.jsonl')];
    writeFileSync(first, shuffled.slice(0, 1_000).join('\n') + '\n');
    writeFileSync(second, shuffled.slice(1_000).join('\n') + '\n');
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    // Cut after line 1,000, at a block's end: no line crosses it, so the straight run is event order.
    const straight = join(dir, 'straight');
    await tidewatch('replay', first, second, '--no-ofac', '--alerts', join(dir, 'straight.alerts'), '--checkpoint-out', straight, '--checkpoint-every', '1000', '--checkpoint-keep', '5', '--quiet');
    expect(read('straight.alerts')).toBe((await replayOf(dir, 'ordered', lines)).alerts);

    // Going on from the checkpoint of line 1,000 (the newest, written at the end, set aside).
    const checkpoints = readdirSync(straight).sort();
    expect(checkpoints.length).toBeGreaterThan(1);
    for (const name of checkpoints.slice(1)) rmSync(join(straight, name));
    await tidewatch('replay', first, second, '--no-ofac', '--alerts', join(dir, 'resumed.alerts'), '--checkpoint-from', straight, '--quiet');

    // Cut at the end of the first file (--checkpoint-out), then the second file from there.
    const split = join(dir, 'split');
    await tidewatch('replay', first, '--no-ofac', '--alerts', join(dir, 'early.alerts'), '--checkpoint-out', split, '--quiet');
    await tidewatch('replay', second, '--no-ofac', '--alerts', join(dir, 'late.alerts'), '--checkpoint-from', split, '--quiet');
    expect(read('late.alerts').length).toBeGreaterThan(0);
    expect(read('resumed.alerts')).toBe(read('late.alerts'));
    expect(read('early.alerts') + read('late.alerts')).toBe(read('straight.alerts'));
  });
});
