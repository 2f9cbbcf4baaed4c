/**
 * Message bytes that are not UTF-8 are refused as TW_ENCODING on every input path, and the dead
 * letter keeps the original bytes. Before, every path decoded them as UTF-8 anyway: each bad
 * sequence became U+FFFD, so a login whose account id held a stray 0xFF byte was accepted as
 * another account's, and the dead letter of a message that failed later held the mended text.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/checkpoint/directory-store.js';
import { decodeBytes, firstInvalidUtf8 } from '../../src/decode/encoding.js';
import type { DeadLetter } from '../../src/decode/events.js';
import { restoreNewestUsable, saveMonitorCheckpoint, saveMonitorJournal } from '../../src/monitor/checkpoints.js';
import { Ordering } from '../../src/monitor/ordering.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { replayFiles } from '../../src/replay/replay.js';
import { toTopicMessages } from '../../src/sinks/kafka-sink.js';
import { readJsonLines } from '../../src/sources/file-source.js';
import { emptyPipeline, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { cutAt, start, stateBytes, TOPIC } from '../helpers/journal-chain.js';
import { rules, sampleLines } from '../helpers/sample.js';

afterAll(removeTempDirs);

const NOW = Date.parse('2026-12-01T00:00:00Z');

/** A real login from the sample whose account id holds the given bytes in its middle. */
function loginWithAccountBytes(middle: number[], eventId = 'enc-1'): Buffer {
  const login = JSON.parse(sampleLines().find((l) => l.includes('"exchange.login.v1"'))!);
  const [head, tail] = JSON.stringify({ ...login, eventId, accountId: 'acct-@@' }).split('@@');
  return Buffer.concat([Buffer.from(head!), Buffer.from(middle), Buffer.from(tail!)]);
}

describe('bytes that are not UTF-8', () => {
  it('are found exactly where Node finds them: the first bad offset, with every byte before it well-formed', () => {
    const mutated = fc.tuple(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, b]) => {
      const bytes = Buffer.from(s, 'utf8');
      if (bytes.length > 0) bytes[at % bytes.length] = b;
      return bytes;
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)), mutated), (bytes) => {
      const at = firstInvalidUtf8(bytes);
      expect(at === -1).toBe(isUtf8(bytes));
      if (at >= 0) expect(isUtf8(bytes.subarray(0, at))).toBe(true);
    }), { numRuns: 3000 });
    // Overlong, surrogate, past U+10FFFF, truncated at the end.
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0x42, 0xed, 0xa0, 0x80]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xe2, 0x82]))).toBe(1);
  });

  it('are refused by a file replay as TW_ENCODING, naming the offset, with the original bytes in the dead letter; a literal U+FFFD (what a producer leaves of such bytes) is refused too', async () => {
    const dir = tempDir('tw-enc-');
    const bad = loginWithAccountBytes([0xff, 0xfe], 'enc-bad');
    const literal = Buffer.from(loginWithAccountBytes([0xef, 0xbf, 0xbd], 'enc-literal')); // U+FFFD encoded properly
    const crlf = Buffer.from(loginWithAccountBytes([0x41], 'enc-crlf').toString() + '\r');
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, Buffer.concat([literal, Buffer.from('\n'), bad, Buffer.from('\n\n'), crlf, Buffer.from('\n')]));
    const dlqPath = join(dir, 'dlq.jsonl');
    const result = await replayFiles({ files: [file], rules: rules(), labels: [], dlqPath });
    expect(result.summary).toMatchObject({ read: 3, accepted: 1, rejected: 2 });
    const [replaced, letter, ...rest] = readFileSync(dlqPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rest).toEqual([]);
    // Kafka's console producer turns bytes that are not UTF-8 into U+FFFD before they reach Kafka
    // (session 28 QA): the account id it mangled must not be accepted as another account's.
    expect(replaced).toMatchObject({ code: 'TW_ENCODING', line: 1 });
    expect(replaced!.reason).toMatch(/^holds U\+FFFD at character \d+: the replacement character a producer writes/);
    expect(letter).toMatchObject({ code: 'TW_ENCODING', line: 2 });
    expect(letter!.reason).toContain(`at byte ${bad.indexOf(0xff)} of ${bad.length}`);
    expect(Buffer.from(letter!.rawBase64 as string, 'base64').equals(bad)).toBe(true);
  });

  it('a lone surrogate escape in an id is refused as TW_ENCODING too (written out, two different ones are both U+FFFD); a pair, or an escaped backslash before u, is text', () => {
    const login = JSON.parse(sampleLines().find((l) => l.includes('"exchange.login.v1"'))!);
    const withAccount = (escaped: string): string => JSON.stringify({ ...login, accountId: 'acct-@@' }).replace('@@', escaped);
    const p = new Pipeline({ rules: [] });
    for (const lone of ['\\ud800', '\\uDBFF', '\\udc00x', 'x\\uDFFF']) {
      const result = p.decode(withAccount(lone));
      expect(result.ok, lone).toBe(false);
      expect(!result.ok && result.reject.code, lone).toBe('TW_ENCODING');
      expect(!result.ok && result.reject.reason, lone).toMatch(/lone UTF-16 surrogate/);
    }
    // Two different lone surrogates are the same bytes once written: that is why they are refused.
    expect(Buffer.from('\ud800').equals(Buffer.from('\udbff'))).toBe(true);
    for (const text of ['\\ud83d\\ude00', '\\\\ud800']) expect(p.decode(withAccount(text)).ok, text).toBe(true);
  });

  it('are read intact across the reader\'s chunk boundary, and a character split there is not mistaken for one', async () => {
    const dir = tempDir('tw-enc-chunk-');
    const file = join(dir, 'long.jsonl');
    const pad = 'a'.repeat((1 << 20) - 3); // the 3-byte character of line 1 straddles the first 1 MiB chunk
    writeFileSync(file, `${pad}€b\nnext\n`);
    const lines = [];
    for await (const l of readJsonLines(file)) lines.push(l);
    expect(lines.map((l) => [l.line, l.text.length, l.invalidBytes])).toEqual([[1, pad.length + 2, undefined], [2, 4, undefined]]);
    expect(lines[0]!.text.endsWith('€b')).toBe(true);
  });

  it('are refused by the monitor as they arrive, and its journal replays the refusal instead of accepting the mended text', async () => {
    const bad = loginWithAccountBytes([0xff]);
    const ordering = new Ordering();
    ordering.register(TOPIC, 0, 0n, 1n);
    const live = new Pipeline({ rules: rules(), labels: [] });
    ordering.accept({ topic: TOPIC, partition: 0, highWatermark: '1', messages: [{ offset: '0', timestamp: '0', value: bad }] }, (raw) => live.decode(raw, NOW), NOW);
    const [entry] = ordering.next(10, NOW, 0);
    expect(entry!.value.decoded.ok).toBe(false);
    expect(entry!.value.decoded.ok ? undefined : entry!.value.decoded.reject.code).toBe('TW_ENCODING');
    // The mended text holds U+FFFD, refused on its own since session 28; the dead letter below
    // still carries the original bytes, not the mended text.
    const mended = live.decode(entry!.value.raw);
    expect(mended.ok ? undefined : mended.reject.reason).toMatch(/^holds U\+FFFD/);

    const dir = tempDir('tw-enc-journal-');
    const store = new DirectoryStore(dir);
    const base = await saveMonitorCheckpoint(store, live, rules(), 'g', cutAt(0), 3);
    const out = live.processDecoded(entry!.value.decoded, entry!.value.raw, { topic: TOPIC, partition: 0, offset: '0' });
    expect(out.deadLetter?.bytes?.equals(bad)).toBe(true);
    const reject = entry!.value.decoded.ok ? undefined : entry!.value.decoded.reject;
    await saveMonitorJournal(store, [{ topic: TOPIC, partition: 0, offset: '0', decodedAt: NOW, raw: entry!.value.raw, bytes: reject?.bytes }], rules(), 'g', cutAt(1), { base: base.name, previous: base.name });
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: () => undefined });
    expect(restored?.journal?.messages).toBe(1);
    expect(restored!.pipeline.stats).toMatchObject({ accepted: 0, rejected: 1 });
    expect((await stateBytes(restored!.pipeline)).equals(await stateBytes(live))).toBe(true);
    expect(decodeBytes(bad, (t) => live.decode(t)).decoded.ok).toBe(false);
  });

  it('go to their Kafka dead-letter topic as the original bytes, cut where they fall when too large', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(3000, 0xff), Buffer.from('"}')]);
    const letter: DeadLetter = { code: 'TW_ENCODING', reason: 'not UTF-8', origin: { topic: 'exchange.logins', partition: 0, offset: '7' }, raw: bytes.toString('utf8'), bytes };
    const [whole] = toTopicMessages('alerts', [], [letter]);
    expect(Buffer.isBuffer(whole!.messages[0]!.value) && whole!.messages[0]!.value.equals(bytes)).toBe(true);
    const [cut] = toTopicMessages('alerts', [], [letter], () => 2048);
    const value = cut!.messages[0]!.value as Buffer;
    expect(value.equals(bytes.subarray(0, value.length))).toBe(true);
    expect(cut!.messages[0]!.headers['raw-bytes']).toBe(String(bytes.length));
  });
});
