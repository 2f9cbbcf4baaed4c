/**
 * What a rule concluded per account when messages are read in a given order: the highest
 * severity each account was given. Tests of out-of-order arrival compare it with event order's.
 */
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from './sample.js';

const RANK = ['low', 'medium', 'high', 'critical'];

/** Reads `messages[i]` for each i of `order` through a fresh pipeline (shipped rules, no SDN list). */
export function verdictsInOrder(messages: readonly string[], order: readonly number[], ruleId: string): Record<string, string> {
  const pipeline = new Pipeline({ rules: rules(), labels: [] });
  const best: Record<string, string> = {};
  for (const [line, i] of order.entries()) {
    for (const a of pipeline.process(messages[i]!, { file: 'x', line: line + 1 }).alerts) {
      if (a.ruleId !== ruleId) continue;
      const had = best[a.subject.accountId];
      if (had === undefined || RANK.indexOf(a.severity) > RANK.indexOf(had)) best[a.subject.accountId] = a.severity;
    }
  }
  return best;
}
