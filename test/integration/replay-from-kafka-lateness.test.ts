/**
 * `replay --from-kafka` with a lateness (REPLAY_LATENESS_MINUTES; src/sources/lateness-buffer.ts):
 * topics whose messages are out of event time by at most the lateness give the bytes of a file
 * replay in event order, and `--until S` and `--since S` (S where no message crosses it) write
 * between them what one run writes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hotShapeStream } from '../../src/bench/hot-shapes-stream.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { replayFromKafka } from '../../src/replay/kafka-replay.js';
import { replayFiles } from '../../src/replay/replay.js';
import { prng } from '../../src/simulate/builders.js';
import { deleteRun, kafka, newRun, produceSample, type Run } from '../helpers/kafka.js';
import { rules } from '../helpers/sample.js';

const run: Run = newRun();
const dir = mkdtempSync(join(tmpdir(), 'tw-fromkafka-lateness-'));
const HOUR = 3_600_000;
const lines = [...hotShapeStream('one-account', 1_200, 42)];
/** The first line of the fourth block of 200: every line before it is dated before it. */
const CUT = (() => {
  const decoded = decodeMessage(lines[600]!);
  if (!decoded.ok) throw new Error('line 601 is no message');
  return decoded.event.time;
})();

/** Fisher-Yates within consecutive blocks of 200 lines (about 33 minutes each). */
function shuffledInBlocks(input: readonly string[], seed: number): string[] {
  const rand = prng(seed);
  const out = [...input];
  for (let start = 0; start < out.length; start += 200) {
    for (let i = Math.min(start + 200, out.length) - 1; i > start; i--) {
      const j = start + Math.floor(rand() * (i - start + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}

beforeAll(async () => {
  await produceSample(run, shuffledInBlocks(lines, 5));
});

afterAll(() => deleteRun(run));

const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

describe('replay --from-kafka with a lateness of an hour', () => {
  it('gives event order\'s bytes, and --until S with --since S write them between them', async () => {
    const ordered = join(dir, 'ordered.jsonl');
    writeFileSync(ordered, lines.join('\n') + '\n');
    await replayFiles({ files: [ordered], rules: rules(), labels: [], alertsPath: join(dir, 'ordered.alerts') });
    const common = { kafka, topics: run.topics, rules: rules(), labels: [], latenessMs: HOUR };
    await replayFromKafka({ ...common, alertsPath: join(dir, 'whole.alerts') });
    await replayFromKafka({ ...common, until: CUT, alertsPath: join(dir, 'until.alerts') });
    await replayFromKafka({ ...common, since: CUT, alertsPath: join(dir, 'since.alerts') });
    expect(read('ordered.alerts').length).toBeGreaterThan(0);
    expect(read('whole.alerts')).toBe(read('ordered.alerts'));
    expect(read('until.alerts').length).toBeGreaterThan(0);
    expect(read('until.alerts') + read('since.alerts')).toBe(read('whole.alerts'));
    // Read as they come, the topics' order shows: the test does exercise the buffer.
    await replayFromKafka({ ...common, latenessMs: 0, alertsPath: join(dir, 'as-read.alerts') });
    expect(read('as-read.alerts')).not.toBe(read('ordered.alerts'));
  });
});
