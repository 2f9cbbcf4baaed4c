import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameFields } from '../../src/engine/state.js';

/** The comparison sameFields replaced: the same number of own keys, and each of the first's keys reads the same on the second. */
function byKeyArrays(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

describe('sameFields (the retained-transfer session and KYC sharing test)', () => {
  it('says what the key-array comparison said, for objects with shared, missing, reordered and undefined fields', () => {
    const key = fc.constantFrom('ip', 'ipCountry', 'vpn', 'vpnProvider', 'deviceId', 'type');
    const value = fc.constantFrom<unknown>('a', 'b', true, false, 1, undefined, null);
    const object = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs));
    fc.assert(fc.property(object, object, fc.boolean(), (a, b, copy) => {
      // Half the time the second is a reordered copy of the first, so that "same" is common too.
      const second = copy ? Object.fromEntries(Object.entries(a).reverse()) : b;
      expect(sameFields(a, second)).toBe(byKeyArrays(a, second));
    }), { numRuns: 5000 });
  });
});
