/** One suite for the cluster and label store, run against memory (unit) and Redis (integration). */
import { describe, expect, it } from 'vitest';
import type { ClusterStore } from '../../src/graph/cluster-store.js';

const cause = (ref: string, time = 1_000) => ({ heuristic: 'co-spend', ref, time });
const rec = (label: string, entity: string, from = 0) => ({ label, entity, source: 'test', confidence: 1, from });
const names = (xs: { address: string; record: { label: string } }[]) => xs.map((x) => `${x.address} ${x.record.label}`).sort();

export function clusterStoreSuite(name: string, make: (maxClusterSize?: number) => Promise<ClusterStore>): void {
  describe(`cluster store conformance: ${name}`, () => {
    it('gives addresses stable ids in first-seen order and one cluster per address', async () => {
      const s = await make();
      expect(await s.clusterOf('btc:a')).toBe('cl-0');
      expect(await s.clusterOf('btc:b')).toBe('cl-1');
      expect(await s.clusterOf('btc:a')).toBe('cl-0');
      expect(await s.addressCount()).toBe(2);
    });

    it('merges by minimum id: the older cluster id survives and the absorbed one resolves to it', async () => {
      const s = await make();
      for (const a of ['btc:a', 'btc:b', 'btc:c', 'btc:d']) await s.clusterOf(a);
      expect(await s.merge('btc:d', 'btc:c', cause('tx1'))).toEqual({ status: 'merged', cluster: 'cl-2', absorbed: 'cl-3' });
      expect(await s.merge('btc:c', 'btc:b', cause('tx2'))).toEqual({ status: 'merged', cluster: 'cl-1', absorbed: 'cl-2' });
      expect(await s.clusterOf('btc:d')).toBe('cl-1');
      expect(await s.size('btc:d')).toBe(3);
      expect((await s.merge('btc:b', 'btc:d', cause('tx3'))).status).toBe('same');
      expect(await s.clusterOf('btc:a')).toBe('cl-0');
    });

    it('holds back a merge that would pass the size limit', async () => {
      const s = await make(3);
      await s.merge('btc:a', 'btc:b', cause('t1'));
      await s.merge('btc:c', 'btc:d', cause('t2'));
      const held = await s.merge('btc:a', 'btc:c', cause('t3'));
      expect(held).toMatchObject({ status: 'held', reason: expect.stringContaining('exceeds 3') });
      expect(await s.clusterOf('btc:c')).not.toBe(await s.clusterOf('btc:a'));
    });

    it('never merges a labelled exchange with another labelled entity, but lets unlabelled addresses join it', async () => {
      const s = await make();
      await s.addLabel('evm:hot', rec('exchange', 'Exchange X'));
      await s.addLabel('evm:otc', rec('otc-desk', 'OTC 1'));
      expect(await s.merge('evm:hot', 'evm:otc', cause('t'))).toMatchObject({ status: 'held', reason: expect.stringContaining('labelled entities') });
      expect((await s.merge('evm:hot', 'evm:deposit', cause('t'))).status).toBe('merged');
    });

    it('lets a cluster carry its members\' labels, as of the event time, through merges and delistings', async () => {
      const s = await make();
      await s.addLabel('evm:s', rec('sanctioned', 'PARTY', 100));
      await s.merge('evm:x', 'evm:s', cause('t', 150));
      expect(names(await s.clusterLabels('evm:x', 50))).toEqual([]);
      expect(names(await s.clusterLabels('evm:x', 200))).toEqual(['evm:s sanctioned']);
      expect(await s.addLabel('evm:s', rec('sanctioned', 'PARTY', 300), true)).toBe(true);
      expect(names(await s.clusterLabels('evm:x', 250))).toEqual(['evm:s sanctioned']);
      expect(names(await s.clusterLabels('evm:x', 400))).toEqual([]);
      expect(await s.addLabel('evm:s', rec('sanctioned', 'PARTY', 300), true)).toBe(false);
    });

    it('merges atomically under concurrency: many parallel merges end in one cluster of the right size', async () => {
      const s = await make();
      const addresses = Array.from({ length: 40 }, (_, i) => `btc:p${i}`);
      for (const a of addresses) await s.clusterOf(a);
      await Promise.all(addresses.slice(1).map((a, i) => s.merge(addresses[(i * 7) % (i + 1)]!, a, cause(`t${i}`))));
      expect(new Set(await Promise.all(addresses.map((a) => s.clusterOf(a))))).toEqual(new Set(['cl-0']));
      expect(await s.size('btc:p39')).toBe(40);
    });
  });
}
