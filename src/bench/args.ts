/**
 * `npm run bench -- --only=ratio,long,hot,shapes,soak,clustering,store,memory --scale=0.1 …`: every
 * benchmark is selectable so a development run stays short on a shared machine.
 */

export const BENCHMARKS = ['ratio', 'long', 'hot', 'shapes', 'clustering', 'store', 'memory', 'fold', 'soak'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** The default run leaves out the soak: it takes many minutes and has its own script. */
const DEFAULT_SELECTION: BenchmarkName[] = ['ratio', 'long', 'hot', 'shapes', 'clustering', 'store', 'memory', 'fold'];

export class BenchArgs {
  private readonly values: Map<string, string>;

  constructor(argv: string[]) {
    this.values = new Map(argv.map((a) => {
      const [key, ...rest] = a.replace(/^--/, '').split('=');
      return [key!, rest.length ? rest.join('=') : 'true'];
    }));
  }

  number(name: string, fallback: number): number {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: a positive number, not ${text}`);
    return value;
  }

  /** A whole number of zero or more (a count of rounds that 0 leaves out). */
  count(name: string, fallback: number): number {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: a whole number of 0 or more, not ${text}`);
    return value;
  }

  string(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  /** Sizes of every stream are multiplied by this, so `--scale=0.05` checks the harness in seconds. */
  get scale(): number {
    return this.number('scale', 1);
  }

  scaled(name: string, fallback: number): number {
    return Math.max(1, Math.round(this.number(name, fallback * this.scale)));
  }

  get selection(): BenchmarkName[] {
    const only = this.values.get('only');
    if (!only) return DEFAULT_SELECTION;
    const names = only.split(',').map((s) => s.trim());
    for (const n of names) if (!(BENCHMARKS as readonly string[]).includes(n)) throw new Error(`--only: unknown benchmark ${n} (known: ${BENCHMARKS.join(', ')})`);
    return names as BenchmarkName[];
  }
}
