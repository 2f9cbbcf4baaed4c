/** Printing helpers shared by the benchmarks: they print figures and never judge them. */

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(3) : 'n/a');

export function heading(text: string): void {
  console.log(`\n# ${text}`);
}

/** Prints rows as a left-aligned table, so figures measured side by side read side by side. */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
