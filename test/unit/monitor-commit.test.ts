import { describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import type { Alert } from '../../src/contract/schemas.js';
import { commitSlot, cursorOffsets, dueSlots, HaltedCommit, MAX_PENDING_OUTPUTS, planCommit, splitPending, type CommitContext, type SlotTransaction, type TransactionalProducer } from '../../src/monitor/commit.js';
import type { Cut, Output } from '../../src/monitor/ownership.js';
import type { OwnedSlot } from '../../src/monitor/slots.js';
import type { OutTopic } from '../../src/sinks/kafka-sink.js';

const cut = (entries: Record<string, number>): Cut => new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));
const slot = (cursor: Cut, pending: Output[] = [], committedAt = 0): OwnedSlot<null> => ({ slot: 1, producer: null, cursor, pending, committedAt });

function alert(id: string, severity: Alert['severity'], bytes = 100): Alert {
  return { alertId: id, ruleId: 'r.x', ruleVersion: 1, typology: 't', severity, score: 60, subject: { accountId: `acct-${id}` }, eventIds: [id], triggeredAt: '2025-01-01T00:00:00.000Z', evidence: {}, explanation: 'x'.repeat(bytes) };
}

/**
 * A transactional producer that records what each transaction did, and fails the first
 * `failures` commits: the retry logic's view of Kafka, without a broker.
 */
class RecordingProducer implements TransactionalProducer {
  readonly log: string[] = [];
  constructor(private failures = 0) {}
  async transaction(): Promise<SlotTransaction> {
    const n = this.log.filter((l) => l === 'begin').length;
    this.log.push('begin');
    return {
      sendBatch: async ({ topicMessages }: { topicMessages: OutTopic[] }) => { this.log.push(`send ${topicMessages.map((t) => `${t.topic}:${t.messages.length}`).join(',')}`); },
      sendOffsets: async ({ consumerGroupId, topics }) => { this.log.push(`offsets ${consumerGroupId} ${JSON.stringify(topics)}`); },
      commit: async () => { if (n < this.failures) throw new Error('broker went away'); this.log.push('commit'); },
      abort: async () => { this.log.push('abort'); },
    };
  }
}

const context = (over: Partial<CommitContext> = {}): CommitContext => ({ groupId: 'g', alertTopic: 'alerts', cases: new MemoryCaseStore(), stillAssigned: () => true, retryDelayMs: () => 0, ...over });

describe('slot commit (one transaction: outputs, then the cursor)', () => {
  it('turns a cut into Kafka offsets grouped by topic', () => {
    expect(cursorOffsets(cut({ 'a.b/0': 3, 'a.b/1': 4, 'c/0': 0 }))).toEqual([
      { topic: 'a.b', partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '4' }] },
      { topic: 'c', partitions: [{ partition: 0, offset: '0' }] },
    ]);
  });

  it('commits a slot with outputs at once, and an idle slot only when its cursor would move and the interval passed (or forced)', () => {
    const applied = cut({ 'a/0': 10 });
    const busy = slot(cut({ 'a/0': 10 }), [{ pk: 'a/0', offset: 9n, alert: alert('x', 'low') }], 1000);
    const idleBehind = slot(cut({ 'a/0': 5 }), [], 1000);
    const idleCurrent = slot(cut({ 'a/0': 10 }), [], 0);
    expect(dueSlots([busy, idleBehind, idleCurrent], applied, 1500, 1000, false)).toEqual([busy]);
    expect(dueSlots([busy, idleBehind, idleCurrent], applied, 2000, 1000, false)).toEqual([busy, idleBehind]);
    expect(dueSlots([idleBehind, idleCurrent], applied, 1001, 1000, true)).toEqual([idleBehind]);
  });

  it('with a publish interval, a slot with outputs waits for it since its last commit, unless forced or full', () => {
    const applied = cut({ 'a/0': 10 });
    const out = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: 'a/0', offset: BigInt(i), alert: alert(`x${i}`, 'low') }));
    const recent = slot(cut({ 'a/0': 10 }), out(1), 1000);
    const quietLong = slot(cut({ 'a/0': 10 }), out(1), 0);
    const full = slot(cut({ 'a/0': 10 }), out(MAX_PENDING_OUTPUTS), 1000);
    expect(dueSlots([recent, quietLong, full], applied, 1100, 1000, false, 200)).toEqual([quietLong, full]);
    expect(dueSlots([recent], applied, 1199, 1000, false, 200)).toEqual([]);
    expect(dueSlots([recent], applied, 1200, 1000, false, 200)).toEqual([recent]);
    expect(dueSlots([recent], applied, 1100, 1000, true, 200)).toEqual([recent]);
    // The cursor clause still applies: past `intervalMs` a slot whose cursor would move is due with its outputs.
    const behind = slot(cut({ 'a/0': 5 }), out(1), 1000);
    expect(dueSlots([behind], applied, 2000, 1000, false, 5000)).toEqual([behind]);
  });

  it('plans alerts and dead letters apart, with a cursor that never moves back', () => {
    const dead = { code: 'TW_JSON', reason: 'bad', origin: { topic: 'in' }, raw: '{' };
    const plan = planCommit(slot(cut({ 'a/0': 7, 'b/0': 1 }), [{ pk: 'a/0', offset: 7n, alert: alert('x', 'high') }, { pk: 'b/0', offset: 1n, dead }]), cut({ 'a/0': 3, 'b/0': 2 }));
    expect(plan.cursor).toEqual(cut({ 'a/0': 7, 'b/0': 2 }));
    expect(plan.alerts.map((a) => a.alertId)).toEqual(['x']);
    expect(plan.dead).toEqual([dead]);
  });

  it('with a lateness stage, publishes only the outputs of messages the new cursor passes; the others stay pending, and alone they make no commit due', () => {
    // a/0 offset 9 was applied while offset 4 still waits in the stage: the applied cut is 4.
    const early = { pk: 'a/0', offset: 2n, alert: alert('early', 'high') };
    const ahead = { pk: 'a/0', offset: 9n, alert: alert('ahead', 'high') };
    const o = slot(cut({ 'a/0': 0 }), [early, ahead]);
    const plan = planCommit(o, cut({ 'a/0': 4 }), true);
    expect(plan.cursor).toEqual(cut({ 'a/0': 4 }));
    expect(plan.alerts.map((a) => a.alertId)).toEqual(['early']);
    expect(splitPending(o.pending, plan, true)).toEqual({ taken: [early], kept: [ahead] });
    const waiting = slot(cut({ 'a/0': 4 }), [ahead]);
    expect(dueSlots([waiting], cut({ 'a/0': 4 }), 5000, 1000, false, 0, true)).toEqual([]);
    expect(dueSlots([waiting], cut({ 'a/0': 10 }), 5000, 1000, false, 0, true)).toEqual([waiting]);
    // Without the stage every pending output is published, as before.
    expect(planCommit(o, cut({ 'a/0': 4 })).alerts.map((a) => a.alertId)).toEqual(['early', 'ahead']);
    expect(splitPending(o.pending, plan)).toEqual({ taken: [early, ahead], kept: [] });
  });

  it('writes cases for medium and above, sends in chunks under the record-batch limit, then moves the cursor and commits', async () => {
    const producer = new RecordingProducer();
    const ctx = context();
    const alerts = Array.from({ length: 6 }, (_, i) => alert(`a${i}`, i === 0 ? 'low' : 'high', 100_000));
    expect(await commitSlot(producer, 1, { cursor: cut({ 'in/0': 6 }), alerts, dead: [] }, ctx)).toBe('committed');
    expect(producer.log).toEqual(['begin', 'send alerts:2', 'send alerts:2', 'send alerts:2', 'offsets g.slot-1 [{"topic":"in","partitions":[{"partition":0,"offset":"6"}]}]', 'commit']);
    expect((await ctx.cases.list()).flatMap((c) => c.alertIds).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('aborts and retries the same transaction when it fails, and gives up after the last attempt', async () => {
    const retries: number[] = [];
    const flaky = new RecordingProducer(2);
    expect(await commitSlot(flaky, 1, { cursor: cut({ 'in/0': 1 }), alerts: [], dead: [] }, context({ onRetry: (_, attempt) => retries.push(attempt) }))).toBe('committed');
    expect(flaky.log.filter((l) => l === 'abort' || l === 'commit')).toEqual(['abort', 'abort', 'commit']);
    expect(retries).toEqual([1, 2]);
    await expect(commitSlot(new RecordingProducer(5), 1, { cursor: cut({ 'in/0': 1 }), alerts: [], dead: [] }, context({ maxAttempts: 3 }))).rejects.toThrow('broker went away');
  });

  it('stops without a transaction once the group has moved the slot (its new owner fenced this producer)', async () => {
    const producer = new RecordingProducer(1);
    let assigned = true;
    const outcome = await commitSlot(producer, 1, { cursor: cut({ 'in/0': 1 }), alerts: [], dead: [] }, context({ stillAssigned: () => assigned, onRetry: () => { assigned = false; } }));
    expect(outcome).toBe('moved');
    expect(producer.log.filter((l) => l === 'begin')).toHaveLength(1);
  });

  it('asks for the slot to be taken again when a retry cannot begin a transaction (kafkajs after a commit refused half way)', async () => {
    // kafkajs leaves a transaction whose EndTxn the broker refused in COMMITTING: every later begin throws.
    const stuck = new RecordingProducer(1);
    const begin = stuck.transaction.bind(stuck);
    let begun = 0;
    stuck.transaction = async () => { if (begun++ > 0) throw new Error('Transaction state exception: Cannot call "beginTransaction" in state "COMMITTING"'); return begin(); };
    expect(await commitSlot(stuck, 1, { cursor: cut({ 'in/0': 1 }), alerts: [], dead: [] }, context())).toBe('retake');
    // The first begin failing is no such case: it is the failure it was.
    const down = new RecordingProducer();
    down.transaction = async () => { throw new Error('broker went away'); };
    await expect(commitSlot(down, 1, { cursor: cut({ 'in/0': 1 }), alerts: [], dead: [] }, context())).rejects.toThrow('broker went away');
  });

  it('asks for the slot to be taken again, without retrying, when another producer fenced this one', async () => {
    const fenced = new RecordingProducer();
    const begin = fenced.transaction.bind(fenced);
    fenced.transaction = async () => ({ ...(await begin()), commit: async () => { throw Object.assign(new Error('There is a newer producer with the same transactionalId which fences the current one'), { type: 'INVALID_PRODUCER_EPOCH' }); } });
    expect(await commitSlot(fenced, 1, { cursor: cut({ 'in/0': 1 }), alerts: [], dead: [] }, context())).toBe('retake');
    expect(fenced.log.filter((l) => l === 'begin')).toHaveLength(1);
  });

  it('once the monitor has failed, writes no case and begins no transaction, not even a retry of one in flight', async () => {
    // A commit started after the failure (a step still running when another slot's commit failed).
    const producer = new RecordingProducer();
    const ctx = context({ halted: () => true });
    await expect(commitSlot(producer, 1, { cursor: cut({ 'in/0': 9 }), alerts: [alert('h', 'high')], dead: [] }, ctx)).rejects.toThrow(HaltedCommit);
    expect(producer.log).toEqual([]);
    expect(await ctx.cases.list()).toEqual([]);
    // A commit in flight when the failure came: its first transaction failed, and no retry begins.
    let failed = false;
    const flaky = new RecordingProducer(1);
    await expect(commitSlot(flaky, 1, { cursor: cut({ 'in/0': 9 }), alerts: [], dead: [] }, context({ halted: () => failed, onRetry: () => { failed = true; } }))).rejects.toThrow(HaltedCommit);
    expect(flaky.log.filter((l) => l === 'begin' || l === 'commit')).toEqual(['begin']);
  });
});
