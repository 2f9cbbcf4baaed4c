/**
 * Commit: one slot's step made durable. Its cases go to the case store (idempotent by alertId),
 * then one Kafka transaction sends its alerts and dead letters, in sends small enough for the
 * broker's record-batch limit, moves its cursor (the offsets of `<group>.slot-<s>`) and commits.
 * Either all of it is visible to read_committed consumers or none; a crash before the commit
 * leaves the cursor where it was, and the same outputs come again after a restart.
 *
 * The producer is the slice of kafkajs' transactional producer used here, so the retry and
 * hand-over logic is unit-tested with a recording stand-in; the broker side is integration-tested.
 */
import type { Alert } from '../contract/schemas.js';
import type { CaseStore } from '../cases/case-model.js';
import type { DeadLetter } from '../decode/events.js';
import { chunkTopicMessages, toTopicMessages, type OutTopic } from '../sinks/kafka-sink.js';
import { beyond, maxCut, sameCut, slotGroup, splitKey, type Cut, type Output } from './ownership.js';
import type { OwnedSlot } from './slots.js';

export interface SlotTransaction {
  sendBatch(batch: { topicMessages: OutTopic[]; acks: number }): Promise<unknown>;
  sendOffsets(offsets: { consumerGroupId: string; topics: CursorOffsets }): Promise<unknown>;
  commit(): Promise<unknown>;
  abort(): Promise<unknown>;
}

export interface TransactionalProducer {
  transaction(): Promise<SlotTransaction>;
}

export type CursorOffsets = { topic: string; partitions: { partition: number; offset: string }[] }[];

/** A cut as Kafka offsets to commit, grouped by topic. */
export function cursorOffsets(cut: Cut): CursorOffsets {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const [pk, offset] of cut) {
    const { topic, partition } = splitKey(pk);
    const partitions = byTopic.get(topic) ?? [];
    partitions.push({ partition, offset: offset.toString() });
    byTopic.set(topic, partitions);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Outputs a slot may hold before it publishes, whatever the publish interval. */
export const MAX_PENDING_OUTPUTS = 5_000;

/**
 * The owned slots to commit now (`waitForCut`: only outputs the applied cut has passed count, as
 * planCommit's): each slot with outputs to publish once `publishIntervalMs` has
 * passed since its last commit (or it holds MAX_PENDING_OUTPUTS), and each slot whose cursor the
 * applied cut would move once `intervalMs` has; at once when forced (a hand-over, a checkpoint,
 * a stop). A slot idle for a while publishes its first output at the next step; under steady
 * load each slot commits one transaction per interval instead of one per step.
 */
export function dueSlots<P>(owned: OwnedSlot<P>[], applied: Cut, now: number, intervalMs: number, force: boolean, publishIntervalMs = 0, waitForCut = false): OwnedSlot<P>[] {
  return owned.filter((o) => {
    const publish = o.pending.length > 0 && (!waitForCut || hasPublishable(o.pending, maxCut(o.cursor, applied))) && (force || now - o.committedAt >= publishIntervalMs || o.pending.length >= MAX_PENDING_OUTPUTS);
    return publish || ((force || now - o.committedAt >= intervalMs) && !sameCut(maxCut(o.cursor, applied), o.cursor));
  });
}

/**
 * What one slot's transaction carries. The cursor never moves back, even when this instance is
 * behind the last owner. `waitForCut` (a lateness stage runs): outputs whose message the new cursor
 * has not passed stay out of it (splitPending keeps them pending).
 */
export interface CommitPlan {
  cursor: Cut;
  alerts: Alert[];
  dead: DeadLetter[];
}

export function planCommit<P>(o: OwnedSlot<P>, applied: Cut, waitForCut = false): CommitPlan {
  const alerts: Alert[] = [];
  const dead: DeadLetter[] = [];
  const cursor = maxCut(o.cursor, applied);
  for (const x of o.pending) {
    if (waitForCut && !publishable(cursor, x)) continue;
    if (x.alert) alerts.push(x.alert);
    if (x.dead) dead.push(x.dead);
  }
  return { cursor, alerts, dead };
}

/**
 * Whether a commit moving the cursor to `cursor` publishes the output: its message lies before
 * the cursor (ownership.ts). Every output does while messages are applied as prefixes of their
 * partitions; with a lateness stage (lateness-stage.ts) a message applied while an earlier one of
 * its partition still waits keeps its outputs pending until the cursor passes it.
 */
export const publishable = (cursor: Cut, o: Output): boolean => !beyond(cursor, o);

/** Whether any of `pending` is published by a commit moving the cursor to `cursor` (the first one almost always is). */
export function hasPublishable(pending: readonly Output[], cursor: Cut): boolean {
  return pending.some((x) => publishable(cursor, x));
}

/** The outputs a commit with this plan publishes, and those still pending after it, each in their order (`waitForCut` as planCommit's). */
export function splitPending(pending: readonly Output[], plan: CommitPlan, waitForCut = false): { taken: Output[]; kept: Output[] } {
  if (!waitForCut) return { taken: pending as Output[], kept: [] };
  const taken: Output[] = [];
  const kept: Output[] = [];
  for (const x of pending) (publishable(plan.cursor, x) ? taken : kept).push(x);
  return { taken, kept };
}

export interface CommitContext {
  groupId: string;
  alertTopic: string;
  /** A topic's `max.message.bytes`, where known: dead letters are cut to fit it (see deadLetterValue). */
  topicMaxBytes?: (topic: string) => number | undefined;
  cases: CaseStore;
  /** False once the group has moved the slot away: its new owner fenced our producer. */
  stillAssigned: (slot: number) => boolean;
  /**
   * True once the monitor has failed for good: a commit in flight then writes no case and begins
   * no transaction (it rejects with HaltedCommit), so nothing is committed after the failure.
   */
  halted?: () => boolean;
  /** Attempts before a failing transaction is given up (the step then fails). @defaultValue 30 */
  maxAttempts?: number;
  /** Wait before attempt n+1 (ms). @defaultValue min(200 n, 3000) */
  retryDelayMs?: (attempt: number) => number;
  onRetry?: (slot: number, attempt: number, err: Error) => void;
}

/**
 * `committed`: the outputs are published and the cursor moved. `moved`: the slot went to another
 * instance first. `retake`: the slot is still ours, but this producer can publish no more (another
 * instance fenced it while it held the slot for a generation this one never saw, or its commit
 * failed half way, which leaves a kafkajs producer unable to begin a transaction): the slot must be
 * taken again, fenced by a new producer and served from the cursor read then.
 */
export type CommitOutcome = 'committed' | 'moved' | 'retake';

/** Errors that say another producer with the slot's transactional id fenced this one. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const isFenced = (err: unknown): boolean => FENCED.has((err as { type?: string }).type ?? '');

/**
 * Writes the plan's cases, then publishes it in one transaction, retrying the same transaction
 * on failure. Before each attempt it checks that the slot is still ours: once the group moved it,
 * the new owner has fenced this producer and publishes from the cursor we last committed.
 */
export async function commitSlot(producer: TransactionalProducer, slot: number, plan: CommitPlan, ctx: CommitContext): Promise<CommitOutcome> {
  if (ctx.halted?.()) throw new HaltedCommit(slot);
  // Sent together over one connection, the case scripts pipeline and run in this order.
  await Promise.all(plan.alerts.filter((a) => a.severity !== 'low').map((a) => ctx.cases.addAlert(a)));
  const chunks = chunkTopicMessages(toTopicMessages(ctx.alertTopic, plan.alerts, plan.dead, ctx.topicMaxBytes));
  const offsets = cursorOffsets(plan.cursor);
  const maxAttempts = ctx.maxAttempts ?? 30;
  for (let attempt = 1; ; attempt++) {
    if (ctx.halted?.()) throw new HaltedCommit(slot);
    if (!ctx.stillAssigned(slot)) return 'moved';
    const tx = await beginAgain(producer, attempt);
    if (tx === undefined) return 'retake';
    try {
      for (const topicMessages of chunks) await tx.sendBatch({ topicMessages, acks: -1 });
      await tx.sendOffsets({ consumerGroupId: slotGroup(ctx.groupId, slot), topics: offsets });
      await tx.commit();
      return 'committed';
    } catch (err) {
      await tx.abort().catch(() => undefined);
      if (isFenced(err)) return 'retake';
      if (attempt >= maxAttempts) throw err;
      ctx.onRetry?.(slot, attempt, err as Error);
      await new Promise((r) => setTimeout(r, (ctx.retryDelayMs ?? defaultRetryDelay)(attempt)));
    }
  }
}

/**
 * A transaction of the producer; undefined when a retry cannot begin one. kafkajs moves a
 * transaction to COMMITTING before it sends EndTxn and leaves it there when the broker refuses
 * (CONCURRENT_TRANSACTIONS while another instance's fence ends the transaction): every later begin
 * throws, and the monitor failed for good (session 65, a rebalance while a commit was in flight).
 */
async function beginAgain(producer: TransactionalProducer, attempt: number): Promise<SlotTransaction | undefined> {
  try {
    return await producer.transaction();
  } catch (err) {
    if (attempt === 1) throw err;
    return undefined;
  }
}

const defaultRetryDelay = (attempt: number): number => Math.min(200 * attempt, 3000);

/** A commit the monitor's failure stopped before it wrote a case or began its transaction. */
export class HaltedCommit extends Error {
  constructor(readonly slot: number) {
    super(`slot ${slot}: the monitor has failed; nothing more is committed`);
    this.name = 'HaltedCommit';
  }
}
