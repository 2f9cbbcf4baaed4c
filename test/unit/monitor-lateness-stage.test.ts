/**
 * The monitor's lateness stage (src/monitor/lateness-stage.ts, MONITOR_LATENESS_MS): messages of
 * a partition out of event time within the lateness come out in event order, the applied cut
 * waits at the first message still held (so a slot cursor never passes a message not applied),
 * and a quiet input or a cut releases everything.
 */
import { describe, expect, it } from 'vitest';
import { LatenessStage, type StagedMessage } from '../../src/monitor/lateness-stage.js';
import type { Cut } from '../../src/monitor/ownership.js';

const MIN = 60_000;
const msg = (pk: string, offset: number, minute: number, fetchedAt = 0): StagedMessage => ({ pk, offset: BigInt(offset), time: minute * MIN, fetchedAt });
const names = (ms: StagedMessage[]): string[] => ms.map((m) => `${m.pk}@${m.offset}`);
const cut = (entries: Record<string, number>): Cut => new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));

describe('monitor lateness stage', () => {
  it('releases a partition read out of event time within the lateness in event order', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    // Partition a/0 carries minutes 3, 1, 2 (offsets 0..2), then minutes 13 and 14, which move the clock past them.
    for (const m of [msg('a/0', 0, 3), msg('a/0', 1, 1), msg('a/0', 2, 2)]) stage.add(m);
    expect(stage.release()).toEqual([]);
    stage.add(msg('a/0', 3, 13));
    expect(names(stage.release())).toEqual(['a/0@1', 'a/0@2']);
    stage.add(msg('a/0', 4, 14));
    expect(names(stage.release())).toEqual(['a/0@0']);
    expect(stage.size).toBe(2);
  });

  it('holds the applied cut at the first offset still waiting while later ones of the partition are applied', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    // Offset 0 is dated minute 5, offset 1 minute 1: minute 12 releases offset 1 only (11 minutes past it).
    stage.add(msg('a/0', 0, 5));
    stage.add(msg('a/0', 1, 1));
    stage.add(msg('b/0', 0, 12));
    expect(names(stage.release())).toEqual(['a/0@1']);
    // The reorder buffer's cut passed everything taken; the stage holds a/0 at offset 0 and b/0 at 0.
    expect(stage.appliedCut(cut({ 'a/0': 2, 'b/0': 1, 'c/0': 7 }))).toEqual(cut({ 'a/0': 0, 'b/0': 0, 'c/0': 7 }));
    stage.add(msg('b/0', 1, 16));
    expect(names(stage.release())).toEqual(['a/0@0']);
    // Offset 1 went before offset 0: with 0 applied the cut passes both.
    expect(stage.appliedCut(cut({ 'a/0': 2, 'b/0': 2 }))).toEqual(cut({ 'a/0': 2, 'b/0': 0 }));
    expect(stage.lowWater('a/0')).toBeUndefined();
  });

  it("holds the cut at a partition's least offset waiting when an instant put its offsets out of order", () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    // One step's instant in the instant order: offsets 5, 3, 4 of a/0; offset 3 is dated latest.
    stage.add(msg('a/0', 5, 2));
    stage.add(msg('a/0', 3, 9));
    stage.add(msg('a/0', 4, 1));
    expect(stage.appliedCut(cut({ 'a/0': 6 }))).toEqual(cut({ 'a/0': 3 }));
    stage.add(msg('b/0', 0, 14));
    expect(names(stage.release())).toEqual(['a/0@4', 'a/0@5']);
    expect(stage.appliedCut(cut({ 'a/0': 6, 'b/0': 1 }))).toEqual(cut({ 'a/0': 3, 'b/0': 0 }));
    stage.add(msg('b/0', 1, 20));
    expect(names(stage.release())).toEqual(['a/0@3']);
    expect(stage.appliedCut(cut({ 'a/0': 6, 'b/0': 2 }))).toEqual(cut({ 'a/0': 6, 'b/0': 0 }));
  });

  it('keeps input in event order in its own order, each message waiting the lateness of event time', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    const out: StagedMessage[] = [];
    for (let i = 0; i < 30; i++) {
      stage.add(msg('a/0', i, i));
      out.push(...stage.release());
    }
    expect(out.map((m) => Number(m.offset))).toEqual(Array.from({ length: 19 }, (_, i) => i)); // minute 29 released minutes 0..18
    expect(out.concat(stage.releaseAll()).map((m) => Number(m.offset))).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('is quiet once nothing was fetched for the hold; releaseAll then gives everything in event order and starts afresh', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 60 * MIN });
    stage.add(msg('a/0', 0, 9, 1000));
    stage.add(msg('a/0', 1, 4, 1500));
    expect(stage.quiet(3000, 2000)).toBe(false); // fetched 1.5 s ago
    expect(stage.quiet(3500, 2000)).toBe(true);
    stage.fetched(3000); // the reader fetched more (waiting before the stage): not quiet
    expect(stage.quiet(4000, 2000)).toBe(false);
    expect(stage.quiet(5000, 2000)).toBe(true);
    expect(names(stage.releaseAll())).toEqual(['a/0@1', 'a/0@0']);
    expect(stage.quiet(9999, 2000)).toBe(false); // nothing waits
    expect(stage.appliedCut(cut({ 'a/0': 2 }))).toEqual(cut({ 'a/0': 2 }));
    // Afresh: a message dated before those released waits again rather than going at once.
    stage.add(msg('a/0', 2, 1, 4000));
    expect(stage.release()).toEqual([]);
    expect(stage.appliedCut(cut({ 'a/0': 3 }))).toEqual(cut({ 'a/0': 2 }));
  });

  it("does not hold a skewed producer's partition for a day: its two day-ahead messages read among ordinary traffic are released within the lateness of the stream, and the ordinary partition comes out in event order", () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    const DAY = 24 * 60;
    // a/0 is ordinary traffic a minute apart (minute 5 read after 8); s/0's producer runs a day fast.
    const input = [msg('a/0', 0, 0), msg('a/0', 1, 1), msg('s/0', 0, DAY), msg('a/0', 2, 2), msg('s/0', 1, DAY + 1), msg('a/0', 3, 3), msg('a/0', 4, 8), msg('a/0', 5, 5)];
    for (let m = 9; m <= 40; m++) input.push(msg('a/0', m - 3, m));
    const out: StagedMessage[] = [];
    for (const m of input) { stage.add(m); out.push(...stage.release()); }
    const ordinary = out.filter((m) => m.pk === 'a/0').map((m) => m.time / MIN);
    expect(ordinary).toEqual([...ordinary].sort((x, y) => x - y));
    expect(stage.lowWater('s/0')).toBeUndefined();
    expect(stage.size).toBeLessThanOrEqual(11);
  });

  it('clear forgets what waits (a re-read)', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    stage.add(msg('a/0', 4, 1));
    stage.clear();
    expect(stage.size).toBe(0);
    expect(stage.appliedCut(cut({ 'a/0': 5 }))).toEqual(cut({ 'a/0': 5 }));
  });

  it('drains everything held, in event order, after the message that moves its clock into a later cell of the cut grid, and counts cells afresh from the next message (a straggler read first does not make the next message cut again)', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN, cutEveryMs: 60 * MIN });
    // Minute 49 sets the stage's cell (0: 49 + 10 is before 60); 58, 55 wait; 61 reaches cell 1.
    for (const [o, m] of [[0, 49], [1, 58], [2, 55]] as const) { stage.add(msg('a/0', o, m)); expect(stage.cutDue).toBe(false); expect(stage.release()).toEqual([]); }
    stage.add(msg('a/0', 3, 61));
    expect(stage.cutDue).toBe(true);
    expect(names(stage.releaseAll())).toEqual(['a/0@0', 'a/0@2', 'a/0@1', 'a/0@3']);
    expect([stage.size, stage.cutDue]).toEqual([0, false]);
    // A straggler of minute 59 first: its cell is that of 59 + 10 (1), so 62 and 119 cut nothing; 121 does.
    for (const [o, m] of [[4, 59], [5, 62], [6, 119]] as const) { stage.add(msg('a/0', o, m)); expect(stage.cutDue).toBe(false); stage.release(); }
    stage.add(msg('a/0', 7, 121));
    expect(stage.cutDue).toBe(true);
    // Without a grid the stage never cuts.
    const plain = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    for (let i = 0; i < 500; i++) { plain.add(msg('a/0', i, i * 7)); expect(plain.cutDue).toBe(false); plain.release(); }
  });
});
