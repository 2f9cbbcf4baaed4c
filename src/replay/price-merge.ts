/**
 * `replay --prices <file>`: price lines (market.price.v1) merged by event time into the other
 * inputs, which keep their file order. Before each message, every price line observed at or
 * before its event time is applied; the rest follow at the end. A price line that does not
 * decode goes to the dead letters, with its own file and line, when it is reached.
 */
import { resolve } from 'node:path';
import type { DecodeResult } from '../decode/decode.js';
import type { Origin } from '../decode/events.js';
import { readJsonLines } from '../sources/file-source.js';
import { notUtf8 } from '../decode/encoding.js';

export interface PriceLine {
  text: string;
  origin: Origin;
  decoded: DecodeResult;
}

export class PriceMerge {
  private readonly lines: AsyncGenerator<PriceLine>;
  private head: PriceLine | undefined;
  private done = false;

  /** @param covered per file (resolved path), the lines a restored checkpoint applied already: skipped. */
  constructor(files: readonly string[], decode: (text: string) => DecodeResult, covered?: ReadonlyMap<string, number>) {
    this.lines = (async function* () {
      for (const file of files) {
        const skip = covered?.get(resolve(file)) ?? 0;
        for await (const line of readJsonLines(file)) {
          if (line.line <= skip) continue;
          yield { text: line.text, origin: { file, line: line.line }, decoded: line.invalidBytes ? notUtf8(line.invalidBytes) : decode(line.text) };
        }
      }
    })();
  }

  /** Hands `apply` every price line observed at or before `time` (a line that does not decode goes at once). */
  async applyUpTo(time: number, apply: (line: PriceLine) => Promise<void>): Promise<void> {
    for (;;) {
      const next = await this.peek();
      if (!next || (next.decoded.ok && next.decoded.event.time > time)) return;
      this.head = undefined;
      await apply(next);
    }
  }

  private async peek(): Promise<PriceLine | undefined> {
    if (this.head || this.done) return this.head;
    const next = await this.lines.next();
    if (next.done) this.done = true;
    else this.head = next.value;
    return this.head;
  }
}
