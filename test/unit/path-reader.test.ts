/**
 * A compiled path reader reads what the generic dotted-path walk reads, on every shape a rule
 * context takes (nested objects, getters, arrays, null and missing steps, primitives midway),
 * and a path with a part that is no plain identifier is read by the walk, never compiled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getPath, pathReader } from '../../src/engine/conditions.js';

const names = fc.constantFrom('event', 'signals', 'fanIn', 'value', 'ok', 'session', 'vpn', 'length', 'addresses', 'x');
const leaf = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ maxDepth: 4 }, leaf, fc.dictionary(names, tie('node'), { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 })),
})).node;

describe('compiled path readers', () => {
  it('read exactly what getPath reads', () => {
    fc.assert(fc.property(tree, fc.array(names, { minLength: 1, maxLength: 4 }), (ctx, parts) => {
      const path = parts.join('.');
      expect(pathReader(path)(ctx)).toEqual(getPath(ctx, path));
    }), { numRuns: 3000 });
  });

  it('read through getters, and stop at null or a primitive', () => {
    const ctx = { signals: { get fanIn() { return { value: 7 }; } }, event: { session: null }, n: 5 };
    expect(pathReader('signals.fanIn.value')(ctx)).toBe(7);
    expect(pathReader('event.session.vpn')(ctx)).toBeUndefined();
    expect(pathReader('n.toFixed')(ctx)).toBeUndefined();
  });

  it('never compile a part that is not a plain identifier', () => {
    const ctx = { 'a-b': { '0': 'zero' }, a: { b: 1 } };
    expect(pathReader('a-b.0')(ctx)).toBe('zero');
    expect(pathReader('a;process.exit(1);.b')(ctx)).toBeUndefined();
    expect(pathReader('a.b')(ctx)).toBe(1);
  });
});
