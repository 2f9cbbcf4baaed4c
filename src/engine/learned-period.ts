/**
 * The cadence a run of salary payments has actually kept, for T10's "payroll gap >= 1.5x the
 * learned cadence" (typologies.md T10). The run is found with a nominal period and a tolerance
 * (30 +- 5 days, 14 +- 3 days); measuring the gap in nominal periods missed a worker paid every 13
 * days whose pay stopped for 20 days (1.54 of its cadence, 1.43 of 14 days) and counted a 50-day
 * gap after pay every 34 days as stopped (1.47 of its cadence, 1.67 of 30) (session 47 QA).
 */

/**
 * The median gap between consecutive payments of a run, a gap that skipped one payment (about
 * twice the nominal period, which the run allows) counted as two periods. A run of one payment
 * has no gap: the nominal period stands.
 */
export function learnedPeriod(times: readonly number[], every: number, tolerance: number): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    gaps.push(Math.abs(gap - every) <= tolerance ? gap : gap / 2);
  }
  if (gaps.length === 0) return every;
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/**
 * The period a run found with a nominal period actually keeps: twice the nominal one when every
 * gap of the run skipped a payment (a run of monthly pay, one gap of 35 days, was found as
 * semi-monthly pay with every other payment missed, "every 15.21 days", and its learned cadence
 * of 15 days read a pay stop 23 days after the last salary; session 48 QA), else the nominal one.
 * The learned period is measured against the period returned.
 */
export function runPeriod(times: readonly number[], every: number, tolerance: number): { period: number; learned: number } {
  let skippedEvery = times.length > 1;
  for (let i = 1; i < times.length && skippedEvery; i++) if (Math.abs(times[i]! - times[i - 1]! - every) <= tolerance) skippedEvery = false;
  const period = skippedEvery ? 2 * every : every;
  const slack = skippedEvery ? 2 * tolerance : tolerance;
  return { period, learned: learnedPeriod(times, period, slack) };
}
