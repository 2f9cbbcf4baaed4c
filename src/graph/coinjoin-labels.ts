/**
 * The CoinJoin detectors as a label source: the input and output addresses of a detected
 * CoinJoin get a `mixer` label from the block time, with source `coinjoin:<detector>` (e.g.
 * `coinjoin:whirlpool`) and the txid, so deposits from and withdrawals to them, directly or a few
 * hops away, meet the mixer-exposure rules, and earlier transfers are re-examined (late evidence).
 *
 * Unlike intelligence labels these grow with chain traffic, so they are bounded: each is kept for
 * `retention` of event time from the CoinJoin that set it, and at most `maxAddresses` addresses
 * carry one (the oldest leave first). The exchange's own addresses and exchange-labelled
 * clusters are never labelled. Each label holds for its address only (`scope: 'address'`), not its
 * cluster: a payment service that sweeps one mixed output into its hot wallet does not become a
 * mixer for all its customers. The queue is derived from the labels themselves, so a checkpoint
 * (which carries the labels) needs nothing more: it is rebuilt on first use after a restore.
 */
import type { CoinJoinVerdict } from './coinjoin.js';
import type { EntityGraph, GraphChange } from './entity-graph.js';
import type { LabelRecord } from './labels.js';

export const COINJOIN_LABEL = 'mixer';
export const COINJOIN_SOURCE_PREFIX = 'coinjoin:';

/**
 * The graph key standing for a detected CoinJoin transaction itself: the sender of a deposit
 * paid straight out of it, whose exchange record names no sender (the mix hides which input paid
 * which output). Labelled with its participants and bounded with them; it has no flow edges, so
 * it funds no one in the rules that read edges (a common funder, a conduit's payer). No Bitcoin
 * address holds a colon, so it meets no address.
 */
export function coinJoinKey(txid: string): string {
  return `${COINJOIN_KEY_PREFIX}${txid}`;
}

const COINJOIN_KEY_PREFIX = 'btc:coinjoin:';

/** Whether a graph key stands for a detected CoinJoin transaction (coinJoinKey), not an address. */
export function isCoinJoinKey(key: string): boolean {
  return key.startsWith(COINJOIN_KEY_PREFIX);
}

export interface CoinJoinLabelBounds {
  /** ms of event time a derived label is kept. @defaultValue 365 days */
  retention: number;
  /** Most addresses carrying a derived label. @defaultValue 1,000,000 */
  maxAddresses: number;
}

export const DEFAULT_COINJOIN_LABEL_BOUNDS: CoinJoinLabelBounds = { retention: 365 * 86_400_000, maxAddresses: 1_000_000 };

interface Queued {
  id: number;
  from: number;
}

const isDerived = (r: LabelRecord): boolean => r.source.startsWith(COINJOIN_SOURCE_PREFIX);

export class CoinJoinLabeller {
  /** Derived labels in the order they leave: by time, then address id. Undefined until first use. */
  private queue: Queued[] | undefined;
  private head = 0;
  /** The graph's id generation the queue was built under: a compaction renumbers ids, and the queue is rebuilt. */
  private generation = 0;

  constructor(private readonly graph: EntityGraph, private readonly bounds: CoinJoinLabelBounds = DEFAULT_COINJOIN_LABEL_BOUNDS) {}

  /** Labels a CoinJoin's participants; returns the label changes (one per newly labelled address). */
  label(addresses: readonly string[], verdict: CoinJoinVerdict, txid: string, time: number, eventId: string): GraphChange[] {
    const queue = this.queued();
    const changes: GraphChange[] = [];
    const record = { label: COINJOIN_LABEL, entity: `CoinJoin (${verdict.protocol})`, source: `${COINJOIN_SOURCE_PREFIX}${verdict.protocol}`, confidence: 0.8, from: time, detail: { txid, reason: verdict.reason }, scope: 'address' as const };
    for (const address of [...new Set(addresses)].sort()) {
      const id = this.graph.id(address);
      if (this.graph.isOwn(id) || this.graph.clusterLabels(id, time).some((l) => l.record.label === 'exchange')) continue;
      const change = this.graph.addLabel(id, { ...record }, false, eventId);
      if (!change) continue;
      changes.push(change);
      queue.push({ id, from: time });
    }
    this.evict(time);
    return changes;
  }

  /** Addresses carrying a derived label (for metrics and tests). */
  get size(): number {
    return this.queued().length - this.head;
  }

  private queued(): Queued[] {
    if (this.queue && this.generation === this.graph.generation) return this.queue;
    this.generation = this.graph.generation;
    const found: Queued[] = [];
    for (const [id, records] of this.graph.labels.entries()) {
      for (const r of records) if (isDerived(r)) found.push({ id, from: r.from });
    }
    found.sort((a, b) => a.from - b.from || a.id - b.id);
    this.head = 0;
    return (this.queue = found);
  }

  /** Drops labels past the retention, then the oldest past the cap; compacts the queue as it empties. */
  private evict(now: number): void {
    const queue = this.queued();
    const horizon = now - this.bounds.retention;
    while (this.head < queue.length && (queue[this.head]!.from < horizon || queue.length - this.head > this.bounds.maxAddresses)) {
      const { id, from } = queue[this.head++]!;
      this.graph.forgetLabels(id, (r) => isDerived(r) && r.from <= from);
    }
    if (this.head > 1024 && this.head * 2 > queue.length) {
      queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
