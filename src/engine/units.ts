/** Parameters carry units in rule files: durations (`72h`, `30d`), money (`2000 USD`), ratios (`80%`). */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const MONEY = /^(\d+(?:\.\d+)?)\s*USD$/;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * MS[m[2] as keyof typeof MS] : undefined;
}

/** A literal from a rule file: numbers pass, unit strings become numbers (ms, USD, fraction), others stay. */
export function parseQuantity(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const duration = parseDuration(value);
  if (duration !== undefined) return duration;
  const money = MONEY.exec(value.trim());
  if (money) return Number(money[1]);
  const percent = PERCENT.exec(value.trim());
  if (percent) return Number(percent[1]) / 100;
  return value;
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms >= 3_600_000) return `${Math.round((ms / 3_600_000) * 10) / 10}h`;
  return `${Math.round(ms / 60_000)}m`;
}
