/**
 * The journal log (src/checkpoint/journal-log.ts): applied messages kept as the next segment
 * writes them, in groups of RECORDS_PER_GROUP records or BYTES_PER_GROUP bytes, texts back to back.
 */
import { describe, expect, it } from 'vitest';
import { BYTES_PER_GROUP, JournalLog, RECORDS_PER_GROUP } from '../../src/checkpoint/journal-log.js';

const groupsOf = (log: JournalLog): { meta: unknown[]; bytes: Buffer }[] => [...log.groups()].map((g) => ({ meta: g.meta, bytes: Buffer.from(g.bytes) }));

describe('journal log', () => {
  it('keeps groups of RECORDS_PER_GROUP records, each its records\' origins, clock readings and byte lengths, and their UTF-8 texts back to back', () => {
    const log = new JournalLog();
    const texts = Array.from({ length: RECORDS_PER_GROUP + 3 }, (_, i) => `{"i":${i},"s":"${'é€𝄞'.repeat(i % 4)}"}`);
    texts.forEach((t, i) => log.append('in', i % 2, String(i), 1_765_000_000_000 + i, t));
    const groups = groupsOf(log);
    expect(log.length).toBe(RECORDS_PER_GROUP + 3);
    expect(groups.map((g) => g.meta.length)).toEqual([RECORDS_PER_GROUP, 3]);
    expect(groups[1]!.meta).toEqual(texts.slice(RECORDS_PER_GROUP).map((t, k) => ['in', (RECORDS_PER_GROUP + k) % 2, String(RECORDS_PER_GROUP + k), 1_765_000_000_000 + RECORDS_PER_GROUP + k, Buffer.byteLength(t)]));
    expect(groups[0]!.bytes.equals(Buffer.concat(texts.slice(0, RECORDS_PER_GROUP).map((t) => Buffer.from(t))))).toBe(true);
  });

  it('keeps the bytes it is given as they are (a message that is not UTF-8 stays so, and its replay refuses it again)', () => {
    const log = new JournalLog();
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    log.append('in', 0, '0', 1, bad);
    log.append('in', 0, '1', 2, 'ok');
    expect(groupsOf(log)).toEqual([{ meta: [['in', 0, '0', 1, 4], ['in', 0, '1', 2, 2]], bytes: Buffer.concat([bad, Buffer.from('ok')]) }]);
  });

  it('closes a group once it holds BYTES_PER_GROUP bytes, the record that reached it included', () => {
    const log = new JournalLog();
    log.append('in', 0, '0', 1, 'x'.repeat(BYTES_PER_GROUP - 1));
    log.append('in', 0, '1', 1, 'yy');
    log.append('in', 0, '2', 1, 'z');
    const groups = groupsOf(log);
    expect(groups.map((g) => g.meta.map((m) => (m as unknown[])[2]))).toEqual([['0', '1'], ['2']]);
    expect(groups[0]!.bytes.length).toBe(BYTES_PER_GROUP + 1);
    expect(groups[0]!.bytes.subarray(-2).toString()).toBe('yy');
  });
});
