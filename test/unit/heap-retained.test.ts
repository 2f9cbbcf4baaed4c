/**
 * scripts/heap-retained.ts, the tool that says what one structure holds alone in a heap snapshot,
 * on a snapshot of this very process: an instance's exclusive children count, an object another
 * root also holds does not, and a field names only what it points to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { HeapGraph, retained } from '../../scripts/heap-retained.js';

class ProbeHolder {
  constructor(readonly own: number[][], readonly shared: number[][]) {}
}

const dir = mkdtempSync(join(tmpdir(), 'tw-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('heap-retained', () => {
  it('counts what an instance holds alone, not what another root shares, and a field apart from its holder', () => {
    const lists = (offset: number): number[][] => Array.from({ length: 200 }, (_, i) => Array.from({ length: 50 }, (_, j) => i * 50 + j + offset));
    (globalThis as { probeShared?: unknown }).probeShared = lists(0.25);
    const holder = new ProbeHolder(lists(0.5), (globalThis as { probeShared?: number[][] }).probeShared!);
    const graph = HeapGraph.read(writeHeapSnapshot(join(dir, 'probe.heapsnapshot')));
    const [whole, ownField, sharedField] = retained(graph, ['ProbeHolder', 'ProbeHolder.own', 'ProbeHolder.shared']);
    delete (globalThis as { probeShared?: unknown }).probeShared;
    // 200 arrays of 50 doubles: at least 200 x 50 x 8 bytes of elements alone.
    expect(whole!.instances).toBe(1);
    expect(ownField!.bytes).toBeGreaterThanOrEqual(200 * 50 * 8);
    expect(whole!.bytes).toBeGreaterThanOrEqual(ownField!.bytes);
    expect(whole!.bytes).toBeLessThan(ownField!.bytes + 4096); // the shared lists are not the holder's
    expect(sharedField!.bytes).toBe(0);
    expect(holder.own.length + holder.shared.length).toBe(400);
  });
});
