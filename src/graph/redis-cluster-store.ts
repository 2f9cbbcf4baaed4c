/**
 * The cluster and label store in Redis: ids interned in first-seen order, union-find parent and
 * size hashes, merges applied atomically by one Lua script (src/graph/lua/merge.lua) that also
 * appends every merge or held merge, with its cause, to a change stream.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { exchangeGuard, type ClusterStore, type ClusterStoreOptions, type MergeOutcome } from './cluster-store.js';
import type { LabelRecord } from './labels.js';
import { graphKeys } from './redis-keys.js';

const lua = (name: string): string => readFileSync(fileURLToPath(new URL(`../../src/graph/lua/${name}.lua`, import.meta.url)), 'utf8');

type GraphRedis = Redis & {
  twIntern(k1: string, k2: string, k3: string, k4: string, ...addresses: string[]): Promise<string[]>;
  twFind(k1: string, id: string): Promise<string>;
  twMerge(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<[string, string, string, string]>;
};

export class RedisClusterStore implements ClusterStore {
  private readonly redis: GraphRedis;
  readonly keys: ReturnType<typeof graphKeys>;

  constructor(redis: Redis, prefix = 'tw:', private readonly options: ClusterStoreOptions = { maxClusterSize: 100_000 }) {
    this.keys = graphKeys(prefix);
    redis.defineCommand('twIntern', { numberOfKeys: 4, lua: lua('intern') });
    redis.defineCommand('twFind', { numberOfKeys: 1, lua: lua('find') });
    redis.defineCommand('twMerge', { numberOfKeys: 3, lua: lua('merge') });
    this.redis = redis as GraphRedis;
  }

  async intern(...addresses: string[]): Promise<string[]> {
    const k = this.keys;
    return this.redis.twIntern(k.ids, k.next, k.parent, k.size, ...addresses);
  }

  private async root(address: string): Promise<string> {
    const [id] = await this.intern(address);
    return this.redis.twFind(this.keys.parent, id!);
  }

  async clusterOf(address: string): Promise<string> {
    return `cl-${await this.root(address)}`;
  }

  private async labelsOfRoot(root: string, asOf: number): Promise<{ address: string; record: LabelRecord }[]> {
    const members = await this.redis.smembers(this.keys.labelled(root));
    const out: { address: string; record: LabelRecord }[] = [];
    for (const m of members.sort()) {
      const [address, ...records] = await this.redis.lrange(this.keys.labels(m), 0, -1);
      for (const raw of records) {
        const r = JSON.parse(raw) as LabelRecord;
        if (r.from <= asOf && (r.until === undefined || asOf < r.until)) out.push({ address: address!, record: r });
      }
    }
    return out;
  }

  async merge(a: string, b: string, cause: { heuristic: string; ref: string; time: number }): Promise<MergeOutcome> {
    const [ia, ib] = await this.intern(a, b);
    const [ra, rb] = [await this.redis.twFind(this.keys.parent, ia!), await this.redis.twFind(this.keys.parent, ib!)];
    const guard = ra === rb ? undefined : exchangeGuard((await this.labelsOfRoot(ra, cause.time)).map((l) => l.record), (await this.labelsOfRoot(rb, cause.time)).map((l) => l.record));
    const [status, survivor, absorbed, reason] = await this.redis.twMerge(this.keys.parent, this.keys.size, this.keys.changes, this.keys.prefix, ia!, ib!, this.options.maxClusterSize, cause.heuristic, cause.ref, cause.time, guard ?? '');
    return { status: status as MergeOutcome['status'], cluster: `cl-${survivor}`, ...(absorbed ? { absorbed: `cl-${absorbed}` } : {}), ...(reason ? { reason } : {}) };
  }

  async size(address: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.size, await this.root(address))) ?? '1');
  }

  /** Label history lives in a list per address: its first element is the address, then records. */
  async addLabel(address: string, record: LabelRecord, removed = false): Promise<boolean> {
    const [id] = await this.intern(address);
    const key = this.keys.labels(id!);
    const existing = await this.redis.lrange(key, 1, -1);
    const records = existing.map((r) => JSON.parse(r) as LabelRecord);
    const openIndex = records.findIndex((r) => r.label === record.label && r.source === record.source && r.until === undefined);
    if (removed) {
      if (openIndex < 0) return false;
      await this.redis.lset(key, openIndex + 1, JSON.stringify({ ...records[openIndex], until: record.from }));
      return true;
    }
    if (openIndex >= 0 && records[openIndex]!.from <= record.from) return false;
    if (existing.length === 0) await this.redis.rpush(key, address);
    await this.redis.rpush(key, JSON.stringify(record));
    await this.redis.sadd(this.keys.labelled(await this.redis.twFind(this.keys.parent, id!)), id!);
    return true;
  }

  async clusterLabels(address: string, asOf: number): Promise<{ address: string; record: LabelRecord }[]> {
    return this.labelsOfRoot(await this.root(address), asOf);
  }

  async addressCount(): Promise<number> {
    return Number((await this.redis.get(this.keys.next)) ?? '0');
  }
}
