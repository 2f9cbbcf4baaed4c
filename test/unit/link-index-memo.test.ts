import { describe, expect, it } from 'vitest';
import { LinkIndex } from '../../src/engine/link-index.js';

describe('LinkIndex remembers its last look-up', () => {
  it('a value swept as dormant and sighted again gets a fresh list in the map', () => {
    let now = 0;
    const index = new LinkIndex(16, (last) => last < now - 100);
    index.sight('dev-x', 'acct-a', 0, 'e1');
    expect(index.countWithin('dev-x', 0, 10)).toBe(1); // dev-x is now the remembered value
    now = 1_000;
    index.sight('dev-y', 'acct-c', 1_000, 'e2'); // a new value sweeps dormant ones: dev-x goes
    expect(index.size).toBe(1);
    index.sight('dev-x', 'acct-b', 1_000, 'e3');
    index.countWithin('dev-y', 0, 2_000); // the memo moves on to another value
    expect(index.within('dev-x', 0, 2_000)).toEqual([{ accountId: 'acct-b', eventId: 'e3' }]);
    expect(index.size).toBe(2);
  });

  it('reads after a sighting see the list the sighting stored', () => {
    const index = new LinkIndex(16, () => false);
    for (const [i, account] of ['a', 'b', 'c'].entries()) {
      index.sight('ip-1', `acct-${account}`, i, `e${i}`);
      expect(index.countWithin('ip-1', 0, 10)).toBe(i + 1);
    }
    expect(index.anotherWithin('ip-1', 'acct-a', 0, 10)).toBe(true);
    expect(index.countWithin('ip-2', 0, 10)).toBe(0);
    expect(index.countWithin('ip-1', 0, 10)).toBe(3);
  });
});
