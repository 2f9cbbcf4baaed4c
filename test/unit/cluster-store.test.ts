import { describe, expect, it } from 'vitest';
import { AddressIndex } from '../../src/graph/address-index.js';
import { MemoryClusterStore } from '../../src/graph/cluster-store.js';
import { clusterStoreSuite } from '../conformance/cluster-store-suite.js';

clusterStoreSuite('memory', async (max = 100_000) => new MemoryClusterStore({ maxClusterSize: max }));

describe('address index', () => {
  it('spreads keys over its shards so no single Map approaches the 16,777,216-entry limit', () => {
    const index = new AddressIndex();
    for (let i = 0; i < 64_000; i++) index.intern(`evm:0x${i.toString(16).padStart(40, '0')}`);
    const sizes = (index as unknown as { shards: Map<string, number>[] }).shards.map((s) => s.size);
    expect(Math.max(...sizes)).toBeLessThan(2 * (64_000 / sizes.length));
    expect(index.keyOf(index.lookup('evm:0x' + (12345).toString(16).padStart(40, '0'))!)).toBe('evm:0x' + (12345).toString(16).padStart(40, '0'));
  });
});
