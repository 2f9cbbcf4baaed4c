/**
 * Checkpoints in a real Redis (CHECKPOINT_STORE=redis), for instances that move between machines:
 * a checkpoint is visible whole or not at all, a restore from Redis replays on to the bytes of a
 * straight replay, a corrupt or missing chunk is refused and the one before it used, a writer
 * that dies mid-write leaves only keys that expire, a moved instance finds its peers' newest, and
 * a journal chain folds in Redis as it does in a directory.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, testRedis } from '../helpers/redis.js';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { instanceCheckpointKeys } from '../../src/checkpoint/redis-checkpoint-keys.js';
import { RedisCheckpointStore, redisPeerStores, UPLOAD_TTL_MS, type RedisCheckpointStoreOptions } from '../../src/checkpoint/redis-store.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { foldChain } from '../../src/checkpoint/fold.js';
import { checkpointName, nextSequence } from '../../src/checkpoint/store.js';
import { restoreNewestUsable, saveMonitorJournal } from '../../src/monitor/checkpoints.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, stressedSample, tempDir, type Outputs } from '../helpers/checkpoint.js';
import { apply, chainIn, cutAt, start, stateBytes } from '../helpers/journal-chain.js';

const redis = testRedis();
const prefix = `twckpt:${randomUUID().slice(0, 8)}:`;
const lines = stressedSample();
const CUT = 3_000;
let first: Outputs;
let pipeline: Pipeline;

beforeAll(async () => {
  first = await replayRecords(records(lines, 0, CUT), tempDir('tw-rckpt-src-'), 'src');
  pipeline = first.result.pipeline;
});

afterAll(async () => {
  await deleteKeysAndQuit(redis, prefix);
  removeTempDirs();
});

/** A store of its own per test; chunks of 64 KiB so a checkpoint spans many of them. */
function storeFor(instance: string, group = `g-${randomUUID().slice(0, 8)}`): { store: RedisCheckpointStore; options: RedisCheckpointStoreOptions } {
  const options = { prefix, group, instance, where: 'redis://127.0.0.1:6379', chunkBytes: 64 << 10 };
  return { store: new RedisCheckpointStore(redis, options), options };
}

const keysOf = (o: RedisCheckpointStoreOptions) => instanceCheckpointKeys(o.prefix, o.group, o.instance);
const chunkKeys = async (o: RedisCheckpointStoreOptions, name: string): Promise<string[]> => (await redis.keys(`${keysOf(o).prefix}chunk:${name}:*`)).sort((a, b) => Number(a.split(':').pop()) - Number(b.split(':').pop()));
const load = (store: RedisCheckpointStore, warnings: string[] = []) => loadNewestValid(store, { build: emptyPipeline(), rules: rules(), onWarning: (w) => warnings.push(w) });

async function threeCheckpoints(store: RedisCheckpointStore): Promise<string[]> {
  const names: string[] = [];
  for (const n of [1, 2, 3]) names.push((await saveCheckpoint(store, pipeline, { rules: rules(), positions: { n } })).name);
  return names;
}

describe('the Redis checkpoint store', () => {
  it('a pipeline saved to Redis in many chunks restores and replays on to the bytes of a straight replay', async () => {
    const { store, options } = storeFor('a');
    const saved = await saveCheckpoint(store, pipeline, { rules: rules(), positions: { line: CUT } });
    const chunks = await chunkKeys(options, saved.name);
    expect(chunks.length).toBeGreaterThan(1);
    let stored = 0;
    for (const k of chunks) stored += await redis.strlen(k);
    expect(stored).toBe(saved.bytes);
    for (const k of chunks) expect(await redis.pttl(k)).toBe(-1); // committed: no TTL left
    expect(await store.size(saved.name)).toBe(saved.bytes);
    expect(saved.location).toBe(`redis://127.0.0.1:6379#${keysOf(options).prefix}${saved.name}`);

    const restored = await load(store);
    expect(restored?.name).toBe(saved.name);
    expect(restored?.header.positions).toEqual({ line: CUT });
    const dir = tempDir('tw-rckpt-out-');
    const straight = await replayRecords(records(lines, 0, lines.length), dir, 'straight');
    const resumed = await replayRecords(records(lines, CUT, lines.length), dir, 'resumed', restored!.pipeline);
    expect(resumed.alerts.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    expect(first.alerts + resumed.alerts).toBe(straight.alerts);
    expect(first.dlq + resumed.dlq).toBe(straight.dlq);
    expect(resumed.result.pipeline.stats).toEqual(straight.result.pipeline.stats);
  });

  it('keeps the newest N and removes the others with every chunk they had', async () => {
    const { store, options } = storeFor('a');
    const names = await threeCheckpoints(store);
    const oldChunks = await chunkKeys(options, names[0]!);
    expect(oldChunks.length).toBeGreaterThan(1);
    await saveCheckpoint(store, pipeline, { rules: rules(), positions: { n: 4 }, keep: 2 });
    expect(await store.list()).toEqual(['checkpoint-000000000004.twc', names[2]]);
    expect(await chunkKeys(options, names[0]!)).toEqual([]);
    expect(await chunkKeys(options, names[1]!)).toEqual([]);
    expect(await redis.exists(keysOf(options).manifest(names[0]!))).toBe(0);
  });

  it('a flipped byte in a chunk: refused for its checksum, naming the key; the one before it is restored', async () => {
    const { store, options } = storeFor('a');
    const names = await threeCheckpoints(store);
    const chunks = await chunkKeys(options, names[2]!);
    const victim = chunks[Math.floor(chunks.length / 2)]!;
    const byte = (await redis.getrangeBuffer(victim, 100, 100))[0]!;
    await redis.setrange(victim, 100, Buffer.from([byte ^ 0x01]));
    const warnings: string[] = [];
    const restored = await load(store, warnings);
    expect(restored?.name).toBe(names[1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${keysOf(options).prefix}${names[2]}`);
    expect(warnings[0]).toMatch(/checksum mismatch|corrupt/);
  });

  it('a missing chunk (evicted, lost in a failover): refused, naming which; the one before it is restored', async () => {
    const { store, options } = storeFor('a');
    const names = await threeCheckpoints(store);
    const chunks = await chunkKeys(options, names[2]!);
    await redis.del(chunks[1]!);
    const warnings: string[] = [];
    const restored = await load(store, warnings);
    expect(restored?.name).toBe(names[1]);
    expect(warnings[0]).toContain(`chunk 2 of ${chunks.length} (key ${chunks[1]}) is missing`);
  });

  it('a refused checkpoint leaves the list when the restore tidies its own store, so retention keeps the valid ones', async () => {
    const { store, options } = storeFor('a');
    const names = await threeCheckpoints(store);
    await redis.del((await chunkKeys(options, names[2]!))[0]!);
    const warnings: string[] = [];
    // These three carry no monitor positions: the two intact ones are passed over (kept), the broken one refused.
    await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w), setAsideRefused: true });
    expect(await store.list()).toEqual([names[1], names[0]]);
    expect(warnings.join('\n')).toContain(`${names[2]} set aside as nothing (removed from Redis)`);
  });

  it('a writer that dies mid-write: nothing is listed, its chunks expire by themselves; an abort removes them at once', async () => {
    const { store, options } = storeFor('a');
    const dying = await store.create('checkpoint-000000000001.twc');
    for (let i = 0; i < 3; i++) await dying.write(Buffer.alloc(64 << 10, 7)); // three chunks out, never committed
    expect(await store.list()).toEqual([]);
    const left = await chunkKeys(options, 'checkpoint-000000000001.twc');
    expect(left).toHaveLength(3);
    for (const k of left) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(UPLOAD_TTL_MS);
    }
    const aborted = await store.create('checkpoint-000000000002.twc');
    for (let i = 0; i < 3; i++) await aborted.write(Buffer.alloc(64 << 10, 8));
    await aborted.abort();
    expect(await chunkKeys(options, 'checkpoint-000000000002.twc')).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('a commit finding a chunk gone fails, publishes nothing and removes the rest', async () => {
    const { store, options } = storeFor('a');
    const sink = await store.create('checkpoint-000000000001.twc');
    for (let i = 0; i < 3; i++) await sink.write(Buffer.alloc(64 << 10, 9));
    const written = await chunkKeys(options, 'checkpoint-000000000001.twc');
    await redis.del(written[0]!);
    await expect(sink.commit()).rejects.toThrow(/not committed to Redis: .*TW_CHUNK_MISSING 1/);
    expect(await store.list()).toEqual([]);
    expect(await redis.exists(keysOf(options).manifest('checkpoint-000000000001.twc'))).toBe(0);
    expect(await chunkKeys(options, 'checkpoint-000000000001.twc')).toEqual([]);
  });

  it("a moved instance lists its group's other instances, newest checkpoint first, and restores from one", async () => {
    const group = `g-${randomUUID().slice(0, 8)}`;
    const a = storeFor('a', group);
    const b = storeFor('b', group);
    await saveCheckpoint(a.store, pipeline, { rules: rules(), positions: { from: 'a' } });
    await waitForClockTick();
    await saveCheckpoint(b.store, pipeline, { rules: rules(), positions: { from: 'b' } });
    const other = storeFor('c', group);
    expect((await redisPeerStores(redis, other.options)).map((s) => s.instance)).toEqual(['b', 'a']);
    expect((await redisPeerStores(redis, a.options)).map((s) => s.instance)).toEqual(['b']);
    expect(await redisPeerStores(redis, storeFor('c').options)).toEqual([]);
    const restored = await load((await redisPeerStores(redis, other.options))[0]!);
    expect(restored?.header.positions).toEqual({ from: 'b' });
  });

  it('a journal chain in Redis folds through a second store on a connection of its own (as the fold worker does), while the live side writes the next segment; the restore takes the fold and that segment, to the live state byte for byte', async () => {
    const { store, options } = storeFor('a');
    const chain = await chainIn(store, lines, [3000, 4000, 5000]);
    const [whole, , through] = chain.names as [string, string, string];
    const reserved = nextSequence(await store.list());
    const s3 = await saveMonitorJournal(store, apply(chain.live, lines, 5000, lines.length), rules(), 'g', cutAt(lines.length), { base: whole, previous: through }, reserved);
    const workerConnection = testRedis();
    try {
      const outcome = await foldChain(new RedisCheckpointStore(workerConnection, options), { through, name: checkpointName(reserved), keep: 3 }, { build: emptyPipeline(), rules: rules(), createdAt: FIXED_TIME });
      expect(outcome).toMatchObject({ base: whole, segments: 2, messages: 2000 });
    } finally {
      await workerConnection.quit();
    }
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(restored).toMatchObject({ name: s3.name, base: checkpointName(reserved), journal: { segments: 1, messages: lines.length - 5000 } });
    expect((await stateBytes(restored!.pipeline)).equals(await stateBytes(chain.live))).toBe(true);
  }, 120_000);
});

/** Commit times are milliseconds: two commits in one would tie. */
async function waitForClockTick(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((r) => setImmediate(r));
}
