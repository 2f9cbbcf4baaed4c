/**
 * Session 58 review of the replay's lateness buffer (src/sources/lateness-buffer.ts), by running
 * `replay` on a hot account's stream displaced within the lateness:
 * - one line dated past EVENT_TIME_MAX_LEAP_DAYS (a producer's clock error, refused by the
 *   pipeline) no longer makes the messages read around it late: before the fix it released
 *   everything held, and the displaced messages read after it took the late path (369 alerts
 *   against event order's 344);
 * - many messages sharing one event time, shuffled within windows, give event order's bytes;
 * - a dead letter of a shuffled stream names its own input line;
 * - a replay that goes on from a `--checkpoint-every` checkpoint of that stream read as it comes
 *   (out of order across the cut) writes the straight run's alerts after the cut, and the
 *   verdicts still held at the end of a run that writes checkpoints wait in its last one (the
 *   review's "83 lines the straight run never wrote" were those, written by the resumed run
 *   because it writes no checkpoint).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hotShapeStream } from '../../src/bench/hot-shapes-stream.js';
import { registerReplay } from '../../src/cli/replay-command.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { prng } from '../../src/simulate/builders.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);
afterEach(() => {
  delete process.env.REPLAY_LATENESS_MINUTES;
});

const MINUTE = 60_000;
const DAY = 86_400_000;

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

const lines = [...hotShapeStream('one-account', 2_000, 42)];

function timeOf(line: string): number {
  const decoded = decodeMessage(line, DEFAULT_DECODE_OPTIONS);
  if (!decoded.ok) throw new Error(`not a message: ${line}`);
  return decoded.event.time;
}

/** The lines shuffled within consecutive event-time windows of `windowMs`: each displaced by less than it. */
function shuffledInWindows(input: readonly string[], windowMs: number, seed: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  let block: string[] = [];
  let window: number | undefined;
  const flush = (): void => {
    for (let i = block.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [block[i], block[j]] = [block[j]!, block[i]!];
    }
    out.push(...block);
    block = [];
  };
  for (const line of input) {
    const w = Math.floor(timeOf(line) / windowMs);
    if (window !== undefined && w !== window) flush();
    window = w;
    block.push(line);
  }
  flush();
  return out;
}

/** A copy of an exchange transfer of `input` dated `days` later, with an event id of its own. */
function leapLine(input: readonly string[], days: number): string {
  const transfer = JSON.parse(input.find((l) => l.includes('"exchange.transfer.v1"'))!) as { occurredAt: string; eventId: string };
  transfer.occurredAt = new Date(Date.parse(transfer.occurredAt) + days * DAY).toISOString();
  transfer.eventId = `${transfer.eventId}-leap`;
  return JSON.stringify(transfer);
}

/** Every timed field set back to the start of its 10-minute window: instants of dozens of messages. */
function tiedInTenMinutes(line: string): string {
  const o = JSON.parse(line) as Record<string, unknown>;
  for (const k of ['occurredAt', 'observedAt', 'blockTime']) {
    const v = o[k];
    if (typeof v === 'string') o[k] = new Date(Math.floor(Date.parse(v) / (10 * MINUTE)) * 10 * MINUTE).toISOString();
    else if (typeof v === 'number') o[k] = Math.floor(v / 600) * 600;
  }
  return JSON.stringify(o);
}

async function replayOf(dir: string, name: string, input: readonly string[]): Promise<{ alerts: string; dlq: string }> {
  mkdirSync(join(dir, name));
  const file = join(dir, name, 'input.jsonl');
  writeFileSync(file, input.join('\n') + '\n');
  await tidewatch('replay', file, '--no-ofac', '--alerts', join(dir, `${name}.alerts`), '--dlq', join(dir, `${name}.dlq`), '--quiet');
  return { alerts: readFileSync(join(dir, `${name}.alerts`), 'utf8'), dlq: readFileSync(join(dir, `${name}.dlq`), 'utf8') };
}

const at = (input: readonly string[], index: number, line: string): string[] => [...input.slice(0, index), line, ...input.slice(index)];

describe('session 58 review: the replay\'s lateness buffer', () => {
  it('gives event order\'s alerts for a stream displaced within 30 minutes with one line dated 200 days ahead in it', async () => {
    const dir = tempDir('tw-r58-leap-');
    const leap = leapLine(lines, 200);
    const ordered = await replayOf(dir, 'ordered', at(lines, 1_000, leap));
    const shuffled = await replayOf(dir, 'shuffled', at(shuffledInWindows(lines, 30 * MINUTE, 1), 1_000, leap));
    // The clock error is refused in both (its wording names the newest exchange event read, which differs).
    expect(ordered.dlq).toContain('TW_TIME_AHEAD');
    expect(shuffled.dlq).toContain('TW_TIME_AHEAD');
    expect(ordered.alerts.split('\n').length).toBeGreaterThan(100);
    expect(shuffled.alerts).toBe(ordered.alerts);
  });

  it('gives event order\'s bytes for instants of dozens of messages shuffled within 10 and 50 minutes, the same on a second run', async () => {
    const dir = tempDir('tw-r58-ties-');
    const tied = lines.slice(0, 1_000).map(tiedInTenMinutes);
    const ordered = await replayOf(dir, 'ordered', tied);
    expect(ordered.alerts.split('\n').length).toBeGreaterThan(100);
    expect(await replayOf(dir, 'w10', shuffledInWindows(tied, 10 * MINUTE, 2))).toEqual(ordered);
    const w50 = shuffledInWindows(tied, 50 * MINUTE, 3);
    expect(await replayOf(dir, 'w50', w50)).toEqual(ordered);
    expect(await replayOf(dir, 'w50-again', w50)).toEqual(ordered);
  });

  it('names each dead letter\'s own input line in a shuffled stream with malformed and CRLF lines', async () => {
    const dir = tempDir('tw-r58-dlq-');
    const shuffled = shuffledInWindows(lines, 40 * MINUTE, 4).map((l, i) => (i % 7 === 0 ? `${l}\r` : l));
    const bad = ['{"schema":"exchange.transfer.v1","eventId":', '{"schema":"nope.v1"}', '[1,2]'];
    const input = shuffled.flatMap((l, i) => (i % 150 === 75 ? [bad[i % 3]!, l] : [l]));
    const { dlq } = await replayOf(dir, 'rejects', input);
    const letters = dlq.trim().split('\n').map((l) => JSON.parse(l) as { line: number; raw: string });
    expect(letters.length).toBe(input.filter((l) => bad.includes(l)).length);
    for (const letter of letters) expect(input[letter.line - 1]).toBe(letter.raw);
  });
});

describe('session 58 review: a replay going on from a --checkpoint-every checkpoint of input out of order across the cut', () => {
  it('writes the straight run\'s alerts after the cut, and the verdicts held at the end of a run that writes checkpoints wait in its last one', async () => {
    process.env.REPLAY_LATENESS_MINUTES = '0';
    const dir = tempDir('tw-r58-resume-');
    const input = shuffledInWindows(lines.slice(0, 1_000), 30 * MINUTE, 1);
    const [file, head] = [join(dir, 'input.jsonl'), join(dir, 'head.jsonl')];
    writeFileSync(file, input.join('\n') + '\n');
    writeFileSync(head, input.slice(0, 250).join('\n') + '\n');
    const alerts = (name: string): string => readFileSync(join(dir, `${name}.alerts`), 'utf8');
    const replay = (name: string, from: string, ...more: string[]): Promise<void> => tidewatch('replay', from, '--no-ofac', '--alerts', join(dir, `${name}.alerts`), ...more, '--quiet');
    await replay('straight', file);
    await replay('every', file, '--checkpoint-out', join(dir, 'all'), '--checkpoint-every', '250', '--checkpoint-keep', '100');
    await replay('head', head, '--checkpoint-out', join(dir, 'head-store'));
    const written = readdirSync(join(dir, 'all')).sort();
    const goOnFrom = async (name: string, checkpoint: string): Promise<string> => {
      mkdirSync(join(dir, name));
      copyFileSync(join(dir, 'all', checkpoint), join(dir, name, checkpoint));
      await replay(name, file, '--checkpoint-from', join(dir, name));
      return alerts(name);
    };
    const afterFirst = await goOnFrom('from-first', written[0]!);
    const afterLast = await goOnFrom('from-last', written.at(-1)!);
    const straight = alerts('straight');
    expect(straight.split('\n').length).toBeGreaterThan(100);
    expect(alerts('head') + afterFirst).toBe(straight);
    // Transfers judged again behind late events are still held when the input ends: the run that
    // writes checkpoints leaves them to the run that goes on from its last one.
    expect(afterLast.length).toBeGreaterThan(0);
    expect(alerts('every') + afterLast).toBe(straight);
  });
});
