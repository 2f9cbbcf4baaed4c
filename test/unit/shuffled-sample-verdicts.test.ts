/**
 * The bundled sample read with every block of 200 lines shuffled (a few days of every topic mixed
 * out of event order, as partitions read at different speeds mix them) gives each account the
 * highest verdict event order gives it, per rule, for the typologies the truth plants. Three
 * `dprk-consolidation` highs were medium: a hub's sweep (a merge) read before a payer's
 * withdrawal dated before it judged the hub's earlier transfers without that payer
 * (pipeline.judgeAsOfLaterMerges), and an `otc-desk` label read before a withdrawal dated before
 * it was not applied (judgeAsOfLaterLabels). Read out of order, an account may also receive the
 * lower alerts its verdict passed through on the way, which this does not compare.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { prng } from '../../src/simulate/builders.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const PLANTED = ['dprk-consolidation', 'dprk-it-payroll', 'sanctions-exposure'];
const RANK = ['low', 'medium', 'high', 'critical'];

function verdicts(lines: readonly string[]): Record<string, string> {
  const p = new Pipeline({ rules: rules(), labels: ofacLabels() });
  const best: Record<string, string> = {};
  lines.forEach((line, i) => {
    for (const a of p.process(line, { line: i + 1 }).alerts) {
      if (!PLANTED.includes(a.typology)) continue;
      const key = `${a.ruleId} ${a.subject.accountId}`;
      if (best[key] === undefined || RANK.indexOf(a.severity) > RANK.indexOf(best[key]!)) best[key] = a.severity;
    }
  });
  return best;
}

function shuffledInBlocks(lines: readonly string[], block: number, seed: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += block) {
    const b = lines.slice(i, i + block);
    for (let j = b.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [b[j], b[k]] = [b[k]!, b[j]!];
    }
    out.push(...b);
  }
  return out;
}

describe('the sample shuffled within blocks of 200 lines', () => {
  it('gives every account the verdict of event order for the planted typologies', () => {
    const lines = sampleLines();
    const inOrder = verdicts(lines);
    expect(Object.values(inOrder).filter((s) => s === 'high').length).toBeGreaterThan(10);
    expect(verdicts(shuffledInBlocks(lines, 200, 5))).toEqual(inOrder);
  });
});
