/** Heap bytes per address of the in-memory address store (sharded Map index + Uint32Array union-find). */
import { AddressIndex } from '../graph/address-index.js';
import { UnionFind } from '../graph/union-find.js';
import type { BenchArgs } from './args.js';
import { fmt, gc, heading } from './report.js';

function heapAndBuffers(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function storeBytesPerAddress(count: number): { bytes: number; perAddress: number; seconds: number } {
  gc();
  const before = heapAndBuffers();
  const t0 = performance.now();
  const index = new AddressIndex();
  const uf = new UnionFind();
  for (let i = 0; i < count; i++) {
    const id = index.intern(`evm:0x${i.toString(16).padStart(40, '0')}`);
    uf.find(id);
    if (i % 3 === 1) uf.union(id, id - 1);
  }
  gc();
  const bytes = heapAndBuffers() - before;
  if (index.size !== count) throw new Error('index lost addresses');
  return { bytes, perAddress: bytes / count, seconds: (performance.now() - t0) / 1000 };
}

export function storeBytesBenchmark(args: BenchArgs): void {
  heading('in-memory address store (sharded Map index + Uint32Array union-find)');
  for (const count of args.string('addresses', '1000000,20000000').split(',').map(Number)) {
    const r = storeBytesPerAddress(count);
    console.log(`${fmt(count).padStart(11)} addresses: ${(r.bytes / 1e6).toFixed(0)} MB heap, ${r.perAddress.toFixed(0)} B/address (goal <= 150), ${r.seconds.toFixed(1)} s`);
  }
}
