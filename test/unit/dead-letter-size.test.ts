/**
 * A dead letter carries its raw message to `<topic>.dlq`. A message larger than the broker
 * takes (a TW_OVERSIZED one can be as large as its input topic allows) failed its slot's
 * transaction on every retry and stopped the monitor, again after each restart: it is cut to what
 * its topic takes, and its headers say how long it was and what its SHA-256 is.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../src/decode/events.js';
import { chunkTopicMessages, deadLetterRawLimit, toTopicMessages } from '../../src/sinks/kafka-sink.js';

const letter = (raw: string): DeadLetter => ({ code: 'TW_OVERSIZED', reason: 'too large', origin: { topic: 'exchange.deposits', partition: 2, offset: '41' }, raw });

describe('a dead letter on its Kafka topic', () => {
  it('keeps the record key, and a tombstone stays a tombstone (it became an empty string with no key)', () => {
    const [topic] = toTopicMessages('alerts', [], [
      { code: 'TW_JSON', reason: 'empty message', origin: { topic: 'exchange.logins', partition: 1, offset: '9', key: 'acct-7', tombstone: true }, raw: '' },
      { code: 'TW_JSON', reason: 'malformed JSON', origin: { topic: 'exchange.logins', partition: 1, offset: '10', key: 'acct-8' }, raw: '{oops' },
    ]);
    expect(topic!.messages.map((m) => [m.key, m.value, m.headers.tombstone])).toEqual([['acct-7', null, 'true'], ['acct-8', '{oops', undefined]]);
    expect(chunkTopicMessages([topic!])).toHaveLength(1);
  });


  it('carries a message of ordinary size whole, with no size headers', () => {
    const [topic] = toTopicMessages('alerts', [], [letter('{"schema":"nope"}')]);
    expect(topic!.topic).toBe('exchange.deposits.dlq');
    expect(topic!.messages[0]!.value).toBe('{"schema":"nope"}');
    expect(topic!.messages[0]!.headers['raw-truncated']).toBeUndefined();
    expect(topic!.messages[0]!.headers['source-offset']).toBe('41');
  });

  it('cuts a message past what its topic takes at a character boundary and names its length and digest', () => {
    const raw = '{"pad":"' + 'é'.repeat(2_500_000) + '"}'; // 5 MB of two-byte characters
    const [topic] = toTopicMessages('alerts', [], [letter(raw)], (t) => (t === 'exchange.deposits.dlq' ? 4 * 1024 * 1024 : undefined));
    const m = topic!.messages[0]!;
    const bytes = Buffer.byteLength(m.value!);
    const limit = deadLetterRawLimit(4 * 1024 * 1024);
    expect(bytes).toBeLessThanOrEqual(limit);
    expect(bytes).toBeGreaterThan(limit - 4);
    expect(typeof m.value).toBe('string'); // text stays text; only bytes that are not UTF-8 go as bytes
    expect(m.value!.includes('\uFFFD')).toBe(false);
    expect(raw.startsWith(m.value as string)).toBe(true);
    expect(m.headers['raw-truncated']).toBe('true');
    expect(m.headers['raw-bytes']).toBe(String(Buffer.byteLength(raw)));
    expect(m.headers['raw-sha256']).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(m.headers.code).toBe('TW_OVERSIZED');
  });

  it("fits a topic whose limit is unknown to the broker's default, and carries whole what its topic takes", () => {
    const raw = 'x'.repeat(1_048_440); // as large as an input topic with the broker's default takes
    const unknown = toTopicMessages('alerts', [], [letter(raw)])[0]!.messages[0]!;
    expect(Buffer.byteLength(unknown.value!)).toBe(deadLetterRawLimit());
    expect(unknown.headers['raw-bytes']).toBe('1048440');
    const roomy = toTopicMessages('alerts', [], [letter(raw)], () => 4 * 1024 * 1024)[0]!.messages[0]!;
    expect(roomy.value).toBe(raw);
    expect(roomy.headers['raw-truncated']).toBeUndefined();
  });
});
