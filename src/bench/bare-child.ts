/**
 * The benchmarks' baseline, in a process of its own: a bare read plus `JSON.parse` of a file, or of
 * a byte range of it, timed in this process's CPU and wall-clock time. Measured in the benchmark's
 * own process, the baseline paid for collecting the heap that the pipeline runs before it left
 * behind (one session's bare parse ran at 128 k msg per CPU-s right after a warm-up pipeline and
 * at 187 k after the measured one, against 199 k to 239 k in a fresh process): a baseline slowed
 * by the pipeline's garbage flattered the ratio. A child has only its own small heap, as a user's
 * `JSON.parse` loop would, and the benchmark asks it right before and after the runs it pairs with.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BareRequest {
  file: string;
  /** First byte of the range (default 0). */
  start?: number;
  /** Byte after the range (default: the file's end). */
  end?: number;
}

export interface BareResult {
  lines: number;
  cpuSeconds: number;
  wallSeconds: number;
}

async function parseRange({ file, start = 0, end }: BareRequest): Promise<BareResult> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20, start, ...(end !== undefined ? { end: end - 1 } : {}) });
  let lines = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    JSON.parse(text);
    lines++;
  }
  const cpu = process.cpuUsage(c0);
  return { lines, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - t0) / 1000 };
}

/**
 * The parent's Node flags less its heap limit (a parse needs little), plus tsx's loader when this
 * module runs from its TypeScript source (the tests).
 */
function childExecArgv(): string[] {
  const flags = process.execArgv.filter((a) => !a.startsWith('--max-old-space-size'));
  return import.meta.url.endsWith('.ts') && !flags.includes('tsx') ? [...flags, '--import', 'tsx'] : flags;
}

/** The parent's handle: one child for the whole benchmark, asked one range at a time. */
export class BareParser {
  private child: ChildProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** Parses the range in the child and says what it cost the child. */
  parse(request: BareRequest): Promise<BareResult> {
    const next = this.queue.then(() => this.ask(request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async ask(request: BareRequest): Promise<BareResult> {
    const child = (this.child ??= fork(fileURLToPath(import.meta.url), ['--bare-child'], { execArgv: childExecArgv(), stdio: 'inherit' }));
    child.send(request);
    // Both listeners go once the reply is in: a benchmark asks many times.
    const done = new AbortController();
    try {
      const exited = once(child, 'exit', { signal: done.signal }).then(() => { throw new Error('the bare-parse child exited'); });
      const [reply] = (await Promise.race([once(child, 'message', { signal: done.signal }), exited])) as [BareResult | { error: string }];
      if ('error' in reply) throw new Error(`bare parse of ${request.file}: ${reply.error}`);
      return reply;
    } finally {
      done.abort();
    }
  }

  /** Ends the child (the benchmark would otherwise not exit). */
  close(): void {
    this.child?.disconnect();
    this.child = undefined;
  }
}

if (process.argv.includes('--bare-child') && process.send) {
  process.on('message', (request: BareRequest) => {
    parseRange(request).then(
      (result) => process.send!(result),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}
