/**
 * The state a monitor starts from: the newest usable checkpoint and the cut it covers, or a fresh
 * pipeline to rebuild from the earliest offsets still on the broker (and which partitions to
 * report the history horizon of). Logs and counts what it decides; holds no state of its own.
 */
import type { Logger } from 'pino';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { LoadedRule } from '../engine/loader.js';
import type { KafkaClient } from '../kafka/client.js';
import type { Metrics } from '../observability/metrics.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { committedCursor, offsetRanges, type OffsetRange, type PositionsWait } from './broker-positions.js';
import { restoreNewestUsable } from './checkpoints.js';
import type { Cut } from './ownership.js';

export interface StartingState {
  pipeline: Pipeline;
  /** Where the reader starts each partition; absent partitions start at their earliest offset. */
  cut: Cut;
  restoredFrom?: string;
  /** What was restored from this instance's own store: later journal segments extend its chain. */
  ownRestored?: { name: string; base: string };
  /** Partitions rebuilt from their earliest offset that hold records, with that offset. */
  rebuilt: Map<string, bigint>;
  /** On a rebuild, every input partition's earliest offset: where the fresh state stands. */
  earliest?: Cut;
  /**
   * How far an earlier run applied each partition: the furthest any slot cursor reached. The
   * reader applies what lies before it first (see event-time-buffer.ts, replay barrier).
   */
  appliedBefore: Cut;
}

export interface StartingStateContext {
  admin: ReturnType<KafkaClient['admin']>;
  group: string;
  slotCount: number;
  inputTopics: string[];
  store?: CheckpointStore;
  /** Other instances' checkpoints of the same group, read-only, tried when none of `store`'s is usable. */
  peers?: () => Promise<CheckpointStore[]>;
  rules: readonly LoadedRule[];
  createPipeline: (forRestore: boolean) => Pipeline;
  logger: Logger;
  metrics?: Metrics;
  /** How long each read of broker positions waits for a whole answer (broker-positions.ts; default 60 s). */
  positionsWait?: PositionsWait;
}

export async function loadStartingState(ctx: StartingStateContext): Promise<StartingState> {
  const ranges = await offsetRanges(ctx.admin, ctx.inputTopics, ctx.positionsWait);
  const cursors = await slotCursors(ctx);
  const appliedBefore = furthest(cursors);
  const restored = ctx.store ? await restoreUsable(ctx, ctx.store, ranges, cursors) ?? await restoreFromPeer(ctx, ranges, cursors) : undefined;
  if (restored) return { ...restored, appliedBefore };
  const partitions = [...ranges].map(([pk, r]) => ({ partition: pk, earliest: r.low.toString(), high: r.high.toString() }));
  ctx.logger.warn({ partitions, deleted: partitions.filter((p) => p.earliest !== '0').map((p) => p.partition) }, ctx.store ? 'no usable checkpoint; rebuilding the state from the earliest offsets still on the broker' : 'checkpoints are off; rebuilding the state from the earliest offsets still on the broker');
  return { pipeline: ctx.createPipeline(false), cut: new Map(), rebuilt: new Map([...ranges].filter(([, r]) => r.high > r.low).map(([pk, r]) => [pk, r.low])), earliest: new Map([...ranges].map(([pk, r]) => [pk, r.low])), appliedBefore };
}

/** Every slot's committed cursor. */
export function slotCursors(ctx: Pick<StartingStateContext, 'admin' | 'group' | 'slotCount' | 'inputTopics' | 'positionsWait'>): Promise<Cut[]> {
  return Promise.all(Array.from({ length: ctx.slotCount }, (_, s) => committedCursor(ctx.admin, ctx.group, s, ctx.inputTopics, ctx.positionsWait)));
}

/** Per partition, the furthest offset any of the cuts reaches. */
export function furthest(cuts: readonly Cut[]): Cut {
  const out: Cut = new Map();
  for (const cut of cuts) for (const [pk, offset] of cut) if (offset > (out.get(pk) ?? -1n)) out.set(pk, offset);
  return out;
}

async function restoreUsable(ctx: StartingStateContext, store: CheckpointStore, ranges: Map<string, OffsetRange>, cursors: Cut[], own = true): Promise<Omit<StartingState, 'appliedBefore'> | undefined> {
  const { logger, metrics } = ctx;
  const started = performance.now();
  const restored = await restoreNewestUsable(store, {
    build: () => ctx.createPipeline(true),
    rules: ctx.rules,
    start: { topics: ctx.inputTopics, earliest: new Map([...ranges].map(([pk, r]) => [pk, r.low])), cursors },
    warn: (message) => logger.warn(message),
    progress: (read, total) => { metrics?.restoreBytesRead.set(read); metrics?.restoreBytesTotal.set(total ?? 0); },
    setAsideRefused: own,
  });
  if (!restored) return undefined;
  const seconds = (performance.now() - started) / 1000;
  metrics?.restoreSeconds.set(seconds);
  logger.info({ checkpoint: restored.location, base: restored.base, createdAt: restored.createdAt, messages: restored.pipeline.stats.read, journalSegments: restored.journal.segments, journalMessages: restored.journal.messages, seconds: Math.round(seconds * 10) / 10, behind: Number(behindOf(ranges, restored.cut)) }, 'restored checkpoint; reading each input partition from the offset it covers');
  return { pipeline: restored.pipeline, cut: restored.cut, restoredFrom: restored.location, ownRestored: { name: restored.name, base: restored.base }, rebuilt: new Map() };
}

/**
 * A peer's newest usable checkpoint. A peer may rotate a file away while it is read, or its
 * directory may be unreadable: that peer is passed over with a warning, never fatal.
 */
async function restoreFromPeer(ctx: StartingStateContext, ranges: Map<string, OffsetRange>, cursors: Cut[]): Promise<Omit<StartingState, 'appliedBefore'> | undefined> {
  for (const peer of ctx.peers ? await ctx.peers() : []) {
    try {
      const restored = await restoreUsable(ctx, peer, ranges, cursors, false);
      if (restored) {
        ctx.logger.info({ checkpoint: restored.restoredFrom }, "this instance had no usable checkpoint of its own; restored another instance's of the same group");
        const { ownRestored: _peers, ...fromPeer } = restored; // a peer's chain is not ours to extend
        return fromPeer;
      }
    } catch (err) {
      ctx.logger.warn({ peer: peer.locate(''), err: err instanceof Error ? err.message : String(err) }, "another instance's checkpoints could not be read; passed over");
    }
  }
  return undefined;
}

/** Messages on the broker past `cut`, over the partitions of `ranges`. */
function behindOf(ranges: ReadonlyMap<string, OffsetRange>, cut: Cut): bigint {
  let n = 0n;
  for (const [pk, r] of ranges) {
    const from = cut.get(pk) ?? r.low;
    if (r.high > from) n += r.high - from;
  }
  return n;
}
