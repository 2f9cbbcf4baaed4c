import { describe, expect, it } from 'vitest';
import { AddressIndex } from '../../src/graph/address-index.js';
import { MemoryClusterStore } from '../../src/graph/cluster-store.js';
import { clusterStoreSuite } from '../conformance/cluster-store-suite.js';

clusterStoreSuite('memory', async (max = 100_000) => new MemoryClusterStore({ maxClusterSize: max }));

describe('address index', () => {
  it('interns keys to dense ids in first-seen order and maps them back', () => {
    const index = new AddressIndex();
    for (let i = 0; i < 64_000; i++) index.intern(`evm:0x${i.toString(16).padStart(40, '0')}`);
    const key = 'evm:0x' + (12345).toString(16).padStart(40, '0');
    expect(index.lookup(key)).toBe(12345);
    expect(index.intern(key)).toBe(12345);
    expect(index.keyOf(12345)).toBe(key);
    expect(index.size).toBe(64_000);
  });
});
