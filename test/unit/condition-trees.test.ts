/**
 * Compiled `all` / `any` / `not` trees (plain loops, no closure per call) decide exactly as the
 * simple reference, `every` / `some` over the parts, on random trees and inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileAll, compileCondition } from '../../src/engine/conditions.js';
import type { Condition } from '../../src/engine/rule-schema.js';

type Tree = { leaf: number } | { all: Tree[] } | { any: Tree[] } | { not: Tree };

const LEAVES = 6;
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: 0, max: LEAVES - 1 }).map((leaf) => ({ leaf })),
    fc.array(tie('tree'), { maxLength: 4 }).map((all) => ({ all })),
    fc.array(tie('tree'), { maxLength: 4 }).map((any) => ({ any })),
    tie('tree').map((not) => ({ not })),
  ),
}));

const toCondition = (t: Tree): Condition =>
  ('leaf' in t ? { field: `v.b${t.leaf}`, eq: true } : 'all' in t ? { all: t.all.map(toCondition) } : 'any' in t ? { any: t.any.map(toCondition) } : { not: toCondition(t.not) }) as Condition;

const reference = (t: Tree, v: readonly boolean[]): boolean =>
  'leaf' in t ? v[t.leaf]! : 'all' in t ? t.all.every((x) => reference(x, v)) : 'any' in t ? t.any.some((x) => reference(x, v)) : !reference(t.not, v);

const contextOf = (v: readonly boolean[]): Record<string, unknown> => ({ v: Object.fromEntries(v.map((b, i) => [`b${i}`, b])) });

describe('compiled condition trees', () => {
  it('decide as every/some over their parts, empty `all` true and empty `any` false included', () => {
    const inputs = fc.array(fc.boolean(), { minLength: LEAVES, maxLength: LEAVES });
    fc.assert(fc.property(tree, inputs, (t, v) => {
      expect(compileCondition(toCondition(t))(contextOf(v))).toBe(reference(t, v));
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.array(tree, { maxLength: 4 }), inputs, (ts, v) => {
      expect(compileAll(ts.map(toCondition))(contextOf(v))).toBe(ts.every((t) => reference(t, v)));
    }), { numRuns: 1000 });
  });

  it('stop at the first part that settles the verdict, in written order', () => {
    const read: number[] = [];
    const ctx = { v: new Proxy({}, { get: (_, key) => { read.push(Number(String(key).slice(1))); return key === 'b1'; } }) };
    const leaves = [0, 1, 2].map((leaf) => toCondition({ leaf }));
    expect(compileCondition({ any: leaves } as Condition)(ctx)).toBe(true);
    expect(read).toEqual([0, 1]);
    read.length = 0;
    expect(compileCondition({ all: [leaves[1]!, leaves[0]!, leaves[2]!] } as Condition)(ctx)).toBe(false);
    expect(read).toEqual([1, 0]);
  });
});
