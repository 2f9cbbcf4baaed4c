/**
 * The monitor's periodic reads of the input's high watermarks (the tick's, the watch's) look once
 * a period and never throw: a kafkajs answer built from metadata its client lacks (a TypeError of
 * kafkajs' own, or partitions left out) is a failed look of that topic, and what the last good
 * look found stays in force. Read raw, the TypeError stopped the monitor (a failed step is
 * fatal), and a partition left out of the answer dropped out of what `/readyz` counts as owed.
 * The admin is kafkajs' own admin code over a scripted cluster (test/helpers/scripted-cluster.ts).
 */
import { describe, expect, it } from 'vitest';
import { FailingLooks, lookAtHighs, unreadAfter } from '../../src/monitor/input-highs.js';
import { adminOver, scriptedCluster, TOPIC } from '../helpers/scripted-cluster.js';

const nothingExpected = (): number[] => [];
const both = (): number[] => [0, 1];

describe('a periodic look at the input\'s high watermarks', () => {
  it('reports a topic the client metadata lacks as a failed look instead of throwing kafkajs\' TypeError (kafkajs#461), and reads it at the next look', async () => {
    const admin = adminOver(scriptedCluster(2));
    const first = await lookAtHighs(admin, [TOPIC], nothingExpected);
    expect(first.read).toEqual([]);
    expect(first.failed).toEqual([{ topic: TOPIC, reason: expect.stringMatching(/Cannot destructure property 'partitions'/) as unknown as string }]);
    const next = await lookAtHighs(admin, [TOPIC], nothingExpected);
    expect(next).toEqual({ failed: [], read: [{ topic: TOPIC, partition: 0, low: 0n, high: 10n }, { topic: TOPIC, partition: 1, low: 0n, high: 10n }] });
  });

  it('takes an answer that leaves out a partition known to exist as a gap, not as a read', async () => {
    const look = await lookAtHighs(adminOver(scriptedCluster(Number.POSITIVE_INFINITY, { lacking: [1] })), [TOPIC], both);
    expect(look).toEqual({ read: [], failed: [{ topic: TOPIC, reason: `no offsets for partition 1 of ${TOPIC}` }] });
  });

  it('keeps a partition the reader was not given owed while its topic\'s looks fail, until a good look finds the reader has it: the monitor is not told "nothing behind"', async () => {
    const notGiven = (pk: string): boolean => pk === `${TOPIC}/1`;
    const good = await lookAtHighs(adminOver(scriptedCluster(1)), [TOPIC], both);
    const owed = unreadAfter(new Map(), good, notGiven);
    expect([...owed]).toEqual([[`${TOPIC}/1`, 10n]]);
    const lacking = await lookAtHighs(adminOver(scriptedCluster(Number.POSITIVE_INFINITY, { lacking: [1] })), [TOPIC], both);
    expect([...unreadAfter(owed, lacking, notGiven)]).toEqual([[`${TOPIC}/1`, 10n]]);
    const none = await lookAtHighs(adminOver(scriptedCluster(Number.POSITIVE_INFINITY)), [TOPIC], both);
    expect([...unreadAfter(owed, none, notGiven)]).toEqual([[`${TOPIC}/1`, 10n]]);
    // Once the reader has it, the next good look drops it from what is owed.
    expect([...unreadAfter(owed, good, () => false)]).toEqual([]);
  });
});

describe('failed looks told once per run of failures', () => {
  const failed = { read: [], failed: [{ topic: TOPIC, reason: 'gap' }] };
  const read = { read: [{ topic: TOPIC, partition: 0, low: 0n, high: 1n }], failed: [] };

  it('tells the first failure of a run, then the recovery, then a new run\'s first failure', () => {
    const looks = new FailingLooks();
    expect(looks.note(failed)).toEqual({ first: failed.failed, recovered: [] });
    expect(looks.note(failed)).toEqual({ first: [], recovered: [] });
    expect(looks.note(read)).toEqual({ first: [], recovered: [TOPIC] });
    expect(looks.note(read)).toEqual({ first: [], recovered: [] });
    expect(looks.note(failed)).toEqual({ first: failed.failed, recovered: [] });
  });
});
