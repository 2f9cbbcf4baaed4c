/**
 * Decode throughput, zod path against the fast path, on the bundled sample and on a generated
 * stream. Prints figures, asserts nothing: `node dist/bench/decode-bench.js [--messages=200000]`.
 * Both paths run on the same lines in the same process, alternating, because absolute figures
 * move a lot between runs on a shared machine.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DECODE_OPTIONS, decodeMessage, type DecodeOptions } from '../decode/decode.js';
import { generateStream } from './generate.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const MESSAGES = Number(args.get('messages') ?? 200_000);
const SAMPLE = fileURLToPath(new URL('../../examples/stream.jsonl', import.meta.url));
const ROUNDS = Number(args.get('rounds') ?? 3);

const ZOD: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, fastPath: false } as DecodeOptions;
const FAST: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, fastPath: true } as DecodeOptions;

/** Messages per second of one pass; the accepted count keeps the work observable. */
function rate(lines: string[], options: DecodeOptions): number {
  let accepted = 0;
  const t0 = performance.now();
  for (const line of lines) if (decodeMessage(line, options).ok) accepted++;
  const seconds = (performance.now() - t0) / 1000;
  if (accepted === 0) throw new Error('nothing decoded');
  return lines.length / seconds;
}

function compare(name: string, lines: string[]): void {
  rate(lines, ZOD); // warm both paths before timing either
  rate(lines, FAST);
  const zod: number[] = [];
  const fast: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    zod.push(rate(lines, ZOD));
    fast.push(rate(lines, FAST));
  }
  const best = (xs: number[]): number => Math.max(...xs);
  const k = (x: number): string => `${(x / 1000).toFixed(1)} k msg/s`;
  console.log(`${name} (${lines.length} messages): zod ${k(best(zod))}  fast ${k(best(fast))}  ratio ${(best(fast) / best(zod)).toFixed(2)}`);
}

compare('sample', readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim() !== ''));
compare('generated', [...generateStream({ messages: MESSAGES, accounts: 20_000, seed: 7 })]);
