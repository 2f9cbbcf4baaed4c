import { Pipeline } from '../../src/pipeline/pipeline.js';
import { scoreAlerts, type Score } from '../../src/replay/score.js';
import type { Alert } from '../../src/contract/schemas.js';
import type { SimTruth } from '../../src/simulate/scenarios.js';
import { ofacLabels, rules } from './sample.js';

/** Replays generated lines through the shipped rules and the bundled OFAC labels; alerts and the truth score. */
export function scoredReplay(stream: { lines: string[]; truth: SimTruth }): { alerts: Alert[]; score: Score } {
  const p = new Pipeline({ rules: rules(), labels: ofacLabels() });
  const alerts = stream.lines.flatMap((line, i) => p.process(line, { line: i + 1 }).alerts);
  return { alerts, score: scoreAlerts(alerts, stream.truth) };
}
