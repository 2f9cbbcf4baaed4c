/**
 * Checkpoints in Redis, for instances that move between machines: any host of the group reaches
 * the same store, with the connection's AUTH and TLS (`rediss://`). Why Redis and not a compacted
 * Kafka topic or an object store: the monitor already depends on it for the case queue, a
 * checkpoint is written and read whole (no partial reads to serve), and one Lua script makes a
 * new checkpoint visible atomically. Its limits (README, "Checkpoints in Redis"): every byte sits
 * in the server's memory, `CHECKPOINT_KEEP` + 1 checkpoints at the peak of a write; the server
 * must not evict (`maxmemory-policy noeviction`) and must persist (AOF or RDB) for a checkpoint
 * to outlive a Redis restart.
 *
 * A checkpoint is written as chunks of about CHUNK_BYTES under a fresh upload id, each with a TTL,
 * so a writer that dies mid-write leaves nothing that outlives the TTL. `commit` runs one script
 * that checks every chunk is still there, removes their TTLs, writes the manifest and adds the name
 * to the committed set: a reader sees the whole checkpoint or none of it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CheckpointError } from './errors.js';
import { groupCheckpointKeys, instanceCheckpointKeys, type InstanceCheckpointKeys } from './redis-checkpoint-keys.js';
import { newestFirst, sequenceOf, type CheckpointSink, type CheckpointStore } from './store.js';

/** Bytes per Redis value: far below Redis' 512 MB value limit, and one chunk is what a read holds at a time. */
export const CHUNK_BYTES = 8 << 20;
/** Chunks of an upload not committed within this are dropped by Redis itself. */
export const UPLOAD_TTL_MS = 6 * 3_600_000;

/** KEYS: committed set, manifest, chunk keys. ARGV: name, sequence, upload, bytes, committedAt. */
const COMMIT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return redis.error_reply('TW_CHECKPOINT_EXISTS') end
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then return redis.error_reply('TW_CHUNK_MISSING ' .. (i - 2)) end
end
for i = 3, #KEYS do redis.call('PERSIST', KEYS[i]) end
redis.call('HSET', KEYS[2], 'upload', ARGV[3], 'chunks', #KEYS - 2, 'bytes', ARGV[4], 'committedAt', ARGV[5])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return #KEYS - 2
`;

interface Manifest {
  upload: string;
  chunks: number;
  bytes: number;
  committedAt: number;
}

export interface RedisCheckpointStoreOptions {
  /** REDIS_KEY_PREFIX. */
  prefix: string;
  group: string;
  instance: string;
  /** Where the server is, for messages: a URL without its password. */
  where: string;
  /** Bytes per chunk (tests lower it to see many chunks). @defaultValue CHUNK_BYTES */
  chunkBytes?: number;
}

export class RedisCheckpointStore implements CheckpointStore {
  private readonly keys: InstanceCheckpointKeys;
  private readonly chunkBytes: number;

  constructor(private readonly redis: Redis, private readonly options: RedisCheckpointStoreOptions) {
    this.keys = instanceCheckpointKeys(options.prefix, options.group, options.instance);
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  }

  get instance(): string {
    return this.options.instance;
  }

  async list(): Promise<string[]> {
    return newestFirst(await this.redis.zrange(this.keys.committed, 0, -1));
  }

  async create(name: string): Promise<CheckpointSink> {
    const sequence = sequenceOf(name);
    if (sequence === undefined) throw new Error(`not a checkpoint name: ${name}`);
    await this.redis.sadd(groupCheckpointKeys(this.options.prefix, this.options.group).instances, this.options.instance);
    return new RedisUpload(this.redis, this.keys, name, sequence, this.chunkBytes);
  }

  async *read(name: string): AsyncIterable<Uint8Array> {
    const manifest = await this.manifest(name);
    if (!manifest) throw new CheckpointError(this.locate(name), 'its manifest is gone (removed meanwhile, or lost by the Redis server)');
    const fetch = (n: number): Promise<Buffer | null> => this.redis.getBuffer(this.keys.chunk(name, manifest.upload, n));
    // The next chunk is fetched while the reader parses this one.
    let next = manifest.chunks > 0 ? fetch(0) : undefined;
    for (let n = 0; n < manifest.chunks; n++) {
      const chunk = await next!;
      next = n + 1 < manifest.chunks ? fetch(n + 1) : undefined;
      // A reader that stops early leaves the prefetch unawaited: its failure is not an unhandled rejection.
      next?.catch(() => undefined);
      if (chunk === null) throw new CheckpointError(this.locate(name), `chunk ${n + 1} of ${manifest.chunks} (key ${this.keys.chunk(name, manifest.upload, n)}) is missing (evicted, or lost in a failover)`);
      yield chunk;
    }
  }

  async remove(name: string): Promise<void> {
    const manifest = await this.manifest(name);
    const tx = this.redis.multi().zrem(this.keys.committed, name).del(this.keys.manifest(name));
    if (manifest) for (let n = 0; n < manifest.chunks; n++) tx.unlink(this.keys.chunk(name, manifest.upload, n));
    await tx.exec();
  }

  locate(name: string): string {
    return `${this.options.where}#${this.keys.prefix}${name}`;
  }

  /** A refused checkpoint leaves Redis: the server's memory is no place to keep a broken one for inspection. */
  async setAside(name: string): Promise<string> {
    await this.remove(name);
    return 'nothing (removed from Redis)';
  }

  async size(name: string): Promise<number> {
    const manifest = await this.manifest(name);
    if (!manifest) throw new CheckpointError(this.locate(name), 'its manifest is gone');
    return manifest.bytes;
  }

  /** When the newest checkpoint was committed (ms), for ordering peers; undefined with none. */
  async newestCommittedAt(): Promise<number | undefined> {
    const newest = (await this.list())[0];
    return newest === undefined ? undefined : (await this.manifest(newest))?.committedAt;
  }

  private async manifest(name: string): Promise<Manifest | undefined> {
    const m = await this.redis.hgetall(this.keys.manifest(name));
    if (m.upload === undefined) return undefined;
    const manifest = { upload: m.upload, chunks: Number(m.chunks), bytes: Number(m.bytes), committedAt: Number(m.committedAt) };
    if (![manifest.chunks, manifest.bytes, manifest.committedAt].every(Number.isSafeInteger)) throw new CheckpointError(this.locate(name), `its manifest is malformed: ${JSON.stringify(m)}`);
    return manifest;
  }
}

/** One checkpoint being written: chunks go out as they fill, each expiring unless committed. */
class RedisUpload implements CheckpointSink {
  private readonly upload = randomUUID();
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private chunks = 0;
  private bytes = 0;

  constructor(private readonly redis: Redis, private readonly keys: InstanceCheckpointKeys, private readonly name: string, private readonly sequence: number, private readonly chunkBytes: number) {}

  async write(piece: Uint8Array): Promise<void> {
    // Copied: a writer may hand over views of live typed arrays.
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
    this.bytes += piece.length;
    if (this.pendingBytes >= this.chunkBytes) await this.flush();
  }

  async commit(): Promise<void> {
    await this.flush();
    const chunkKeys = Array.from({ length: this.chunks }, (_, n) => this.keys.chunk(this.name, this.upload, n));
    try {
      await this.redis.eval(COMMIT, 2 + chunkKeys.length, this.keys.committed, this.keys.manifest(this.name), ...chunkKeys, this.name, this.sequence, this.upload, this.bytes, Date.now());
    } catch (err) {
      await this.abort();
      throw new Error(`checkpoint ${this.name} not committed to Redis: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async abort(): Promise<void> {
    this.pending = [];
    if (this.chunks === 0) return;
    await this.redis.unlink(...Array.from({ length: this.chunks }, (_, n) => this.keys.chunk(this.name, this.upload, n))).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.redis.set(this.keys.chunk(this.name, this.upload, this.chunks), chunk, 'PX', UPLOAD_TTL_MS);
    this.chunks++;
  }
}

/**
 * The checkpoint stores of the group's other instances (read-only use), newest commit first, so
 * an instance that moved or came up under a new id restores the one needing the least catch-up.
 */
export async function redisPeerStores(redis: Redis, own: RedisCheckpointStoreOptions): Promise<RedisCheckpointStore[]> {
  const instances = (await redis.smembers(groupCheckpointKeys(own.prefix, own.group).instances)).filter((i) => i !== own.instance).sort();
  const peers: { store: RedisCheckpointStore; at: number }[] = [];
  for (const instance of instances) {
    const store = new RedisCheckpointStore(redis, { ...own, instance });
    const at = await store.newestCommittedAt().catch(() => undefined);
    if (at !== undefined) peers.push({ store, at });
  }
  return peers.sort((a, b) => b.at - a.at || (a.store.instance < b.store.instance ? -1 : 1)).map((p) => p.store);
}
