/**
 * An operator's own label name that no rule traces raises nothing (session 43 QA: `hack` and
 * `frozen` were silently ignored): the pipeline counts each such name and tells its owner the
 * first time, and known names or names a rule traces are not counted.
 */
import { describe, expect, it } from 'vitest';
import { UntracedLabels } from '../../src/engine/untraced-labels.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { evmAddress, label, prng } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

describe('operator labels no rule traces', () => {
  it('are counted per name and announced once each; known and traced names are not', () => {
    const told: string[] = [];
    const p = new Pipeline({ rules: rules(), onUntracedLabel: (name) => told.push(name) });
    const rand = prng(3);
    const names = ['hack', 'sanctioned', 'hack', 'service', 'stolen-funds', 'frozen', 'exchange', 'hack'];
    names.forEach((name, i) => p.process(label('ethereum', evmAddress(rand), name, 'E', Date.UTC(2025, 0, 1 + i)), { line: i + 1 }));
    expect(told).toEqual(['hack', 'frozen']);
    expect(p.untracedLabels.summary).toEqual({ names: [['frozen', 1], ['hack', 3]], others: 0 });
  });

  it('are bounded: names past the first 32 are counted together', () => {
    const untraced = new UntracedLabels([]);
    for (let i = 0; i < 40; i++) untraced.note(`own-${String(i).padStart(2, '0')}`);
    expect(untraced.summary.names).toHaveLength(32);
    expect(untraced.summary.others).toBe(8);
  });
});
