/**
 * The monitor's checkpoint decisions on their own: positions as a cut and back, which checkpoint
 * a start may use (topics, deleted records, slot cursors), when one is due, and the retention the
 * topics it creates get (with the config rule that ties input retention to checkpoints).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { neededInputRetention, retentionOf } from '../../src/kafka/topics.js';
import { CheckpointSchedule, cutOf, positionsOf, unusableReason, type StartingPoint } from '../../src/monitor/checkpoints.js';
import { HistoryHorizon } from '../../src/monitor/horizon.js';

const cut = new Map([['in.a/0', 10n], ['in.a/1', 0n], ['in.b/0', 7n]]);
const start = (over: Partial<StartingPoint> = {}): StartingPoint => ({ topics: ['in.a', 'in.b'], earliest: new Map([['in.a/0', 0n], ['in.a/1', 0n], ['in.b/0', 7n]]), cursors: [new Map([['in.a/0', 12n], ['in.b/0', 7n]]), new Map(cut)], ...over });

describe('monitor checkpoint positions', () => {
  it('positions are the cut, sorted by topic and partition, and read back to the same cut', () => {
    const p = positionsOf('g', new Map([['in.b/0', 7n], ['in.a/1', 0n], ['in.a/0', 10n]]));
    expect(p.monitor.inputs.map((i) => `${i.topic}/${i.partition}`)).toEqual(['in.a/0', 'in.a/1', 'in.b/0']);
    expect(cutOf(JSON.parse(JSON.stringify(p)))).toEqual(cut);
  });

  it('a replay checkpoint or malformed positions are not a cut, with the reason', () => {
    expect(cutOf({ files: [{ file: 'x.jsonl', line: 3 }] })).toMatch(/not written by a monitor/);
    expect(cutOf({ monitor: { group: 'g', inputs: [{ topic: 'in.a', partition: 0, offset: '-1' }] } })).toMatch(/not a topic, partition and offset/);
  });
});

describe('which checkpoint a start may restore', () => {
  it('one covered by every slot cursor, with every record past it still on the broker, is usable', () => {
    expect(unusableReason(cut, start())).toBeUndefined();
  });

  it('refuses one whose records past its cut were deleted, naming the partition and offsets', () => {
    expect(unusableReason(cut, start({ earliest: new Map([['in.a/0', 11n], ['in.a/1', 0n], ['in.b/0', 0n]]) }))).toBe('it needs in.a/0 from offset 10, and the earliest record left there is at 11 (retention or deleteRecords removed the rest)');
  });

  it('refuses one ahead of a slot cursor: outputs before its cut could never be published', () => {
    expect(unusableReason(cut, start({ cursors: [new Map(cut), new Map([['in.a/0', 9n], ['in.b/0', 7n]])] }))).toMatch(/^slot 1's committed cursor has not reached it/);
  });

  it('refuses one over other topics, or a partition that is gone', () => {
    expect(unusableReason(cut, start({ topics: ['in.a', 'in.c'] }))).toMatch(/covers the topics in.a, in.b, and this monitor reads in.a, in.c/);
    expect(unusableReason(cut, start({ earliest: new Map([['in.a/0', 0n], ['in.b/0', 0n]]) }))).toBe('its partition in.a/1 no longer exists');
  });
});

describe('checkpoint schedule', () => {
  it('is due after N applied messages or T of wall clock, and never without new messages', () => {
    const s = new CheckpointSchedule(100, 1000, 0);
    expect(s.due(5000)).toBe(false);
    s.applied(99);
    expect(s.due(999)).toBe(false);
    expect(s.due(1000)).toBe(true);
    s.applied(1);
    expect(s.due(1)).toBe(true);
    s.saved(2000);
    expect(s.dirty).toBe(false);
    expect(s.due(9000)).toBe(false);
    s.applied(1);
    expect(s.dirty).toBe(true);
    expect(s.due(2999)).toBe(false);
    expect(s.due(3000)).toBe(true);
  });
});

describe('history horizon', () => {
  it('reports each rebuilt partition once, from its first record, saying whether older records were deleted', () => {
    const h = new HistoryHorizon();
    h.expect('t/0', 40n);
    h.expect('t/1', 0n);
    expect(h.awaits('t/0')).toBe(true);
    expect(h.observe('t', 0, 't/0', { offset: '40', timestamp: String(Date.UTC(2026, 0, 2)) }, Date.UTC(2025, 5, 1))).toEqual({ topic: 't', partition: 0, earliestOffset: '40', earliestRecordTime: '2026-01-02T00:00:00.000Z', earliestEventTime: '2025-06-01T00:00:00.000Z', historyDeleted: true });
    expect(h.awaits('t/0')).toBe(false);
    expect(h.observe('t', 0, 't/0', { offset: '41', timestamp: '0' })).toBeUndefined();
    expect(h.observe('t', 1, 't/1', { offset: '0', timestamp: '0' })).toMatchObject({ historyDeleted: false, earliestEventTime: null });
    expect(h.observe('t', 2, 't/2', { offset: '0', timestamp: '0' })).toBeUndefined();
  });
});

describe('topic retention', () => {
  const topics = { inputs: ['in.a', 'in.b'], alerts: 'alerts' };

  it('inputs keep KAFKA_INPUT_RETENTION_MS with checkpoints and everything without; alerts and dead letters their own', () => {
    const on = loadConfig({});
    expect(retentionOf(on, topics, 'in.a')).toBe(7 * 86_400_000);
    expect(retentionOf(on, topics, 'alerts')).toBe(-1);
    expect(retentionOf(on, topics, 'in.b.dlq')).toBe(30 * 86_400_000);
    const off = loadConfig({ CHECKPOINT_DIR: '', KAFKA_INPUT_RETENTION_MS: '-1' });
    expect(retentionOf(off, topics, 'in.a')).toBe(-1);
    expect(neededInputRetention(on)).toBe(3 * 300_000 + 3_600_000);
    // Checkpoints in Redis are on whatever CHECKPOINT_DIR says.
    const redis = loadConfig({ CHECKPOINT_STORE: 'redis', CHECKPOINT_DIR: '' });
    expect(retentionOf(redis, topics, 'in.a')).toBe(7 * 86_400_000);
    expect(neededInputRetention(redis)).toBe(3 * 300_000 + 3_600_000);
  });

  it('a config whose input retention cannot cover the checkpoints kept, or that turns checkpoints off without infinite retention, is refused naming the variable', () => {
    expect(() => loadConfig({ KAFKA_INPUT_RETENTION_MS: String(3_600_000), CHECKPOINT_EVERY_SECONDS: '600' })).toThrow(/KAFKA_INPUT_RETENTION_MS: must be -1/);
    expect(() => loadConfig({ CHECKPOINT_DIR: '' })).toThrow(/KAFKA_INPUT_RETENTION_MS/);
    expect(() => loadConfig({ CHECKPOINT_EVERY_MESSAGES: '0' })).toThrow(/CHECKPOINT_EVERY_MESSAGES/);
    expect(() => loadConfig({ CHECKPOINT_STORE: 's3' })).toThrow(/CHECKPOINT_STORE/);
  });
});
