import { describe, expect, it } from 'vitest';
import { commitErrorKind, GroupCommitRounds } from '../../src/monitor/group-commit-rounds.js';

const cut = (entries: Record<string, number>): Map<string, bigint> => new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));

describe('group commit rounds: one at a time', () => {
  it('skips a round while the previous one is in flight, and lets the next begin once it has ended', () => {
    const rounds = new GroupCommitRounds();
    expect(rounds.begin()).toBe(true);
    expect(rounds.begin()).toBe(false);
    rounds.end();
    expect(rounds.begin()).toBe(true);
  });
});

describe('group commit rounds: never backwards', () => {
  it('leaves out a partition whose cut is behind the last committed offset, keeping those that move', () => {
    const rounds = new GroupCommitRounds();
    rounds.committedNow(cut({ 't/0': 100, 't/1': 50 }));
    expect(rounds.committable(cut({ 't/0': 80, 't/1': 60 }))).toEqual(cut({ 't/1': 60 }));
  });

  it('commits nothing when no partition moves forward (an older cut, or the same one again)', () => {
    const rounds = new GroupCommitRounds();
    rounds.committedNow(cut({ 't/0': 100, 't/1': 50 }));
    expect(rounds.committable(cut({ 't/0': 90, 't/1': 50 })).size).toBe(0);
    expect(rounds.committable(cut({ 't/0': 100, 't/1': 50 })).size).toBe(0);
  });

  it('keeps unchanged partitions beside one that moves, and a partition never committed', () => {
    const rounds = new GroupCommitRounds();
    rounds.committedNow(cut({ 't/0': 100 }));
    expect(rounds.committable(cut({ 't/0': 100, 't/1': 5 }))).toEqual(cut({ 't/0': 100, 't/1': 5 }));
  });

  it('remembers the highest offset committed per partition even if an older cut is recorded after a newer one', () => {
    const rounds = new GroupCommitRounds();
    rounds.committedNow(cut({ 't/0': 100 }));
    rounds.committedNow(cut({ 't/0': 40, 't/1': 7 }));
    expect(rounds.lastCommitted()).toEqual(cut({ 't/0': 100, 't/1': 7 }));
  });
});

describe('group commit rounds: what an operator is told', () => {
  it('warns once per refusal kind, then stays at debug while the same refusal repeats every round', () => {
    const rounds = new GroupCommitRounds();
    expect(rounds.failed('GROUP_AUTHORIZATION_FAILED')).toBe('warn');
    expect(rounds.failed('GROUP_AUTHORIZATION_FAILED')).toBe('debug');
    expect(rounds.failed('TOPIC_AUTHORIZATION_FAILED')).toBe('warn');
    expect(rounds.failed('TOPIC_AUTHORIZATION_FAILED')).toBe('debug');
  });

  it('keeps a rebalance under way at debug', () => {
    const rounds = new GroupCommitRounds();
    for (const kind of ['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP']) expect(rounds.failed(kind)).toBe('debug');
  });

  it('says so (info) when a commit succeeds after a warned refusal, and warns again if the refusal comes back', () => {
    const rounds = new GroupCommitRounds();
    expect(rounds.committedNow(cut({ 't/0': 1 }))).toBe(false);
    rounds.failed('GROUP_AUTHORIZATION_FAILED');
    expect(rounds.committedNow(cut({ 't/0': 2 }))).toBe(true);
    expect(rounds.committedNow(cut({ 't/0': 3 }))).toBe(false);
    expect(rounds.failed('GROUP_AUTHORIZATION_FAILED')).toBe('warn');
  });

  it('does not announce a recovery after failures that were only a rebalance', () => {
    const rounds = new GroupCommitRounds();
    rounds.failed('REBALANCE_IN_PROGRESS');
    expect(rounds.committedNow(cut({ 't/0': 2 }))).toBe(false);
  });
});

describe('the kind of a failed commit', () => {
  it('is the broker error type kafkajs\' retrier wraps as the cause, else the error\'s own type, else its name', () => {
    const refusal = Object.assign(new Error('Not authorized to access group'), { name: 'KafkaJSProtocolError', type: 'GROUP_AUTHORIZATION_FAILED' });
    const wrapped = Object.assign(new Error('Not authorized to access group'), { name: 'KafkaJSNonRetriableError', cause: refusal });
    expect(commitErrorKind(wrapped)).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(commitErrorKind(refusal)).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(commitErrorKind(Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' }))).toBe('KafkaJSConnectionError');
  });
});
