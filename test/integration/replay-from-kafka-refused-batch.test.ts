/**
 * `replay --from-kafka` meeting an input batch that inflates past KAFKA_MAX_INFLATED_BATCH_BYTES
 * stops at once with the codec's reason and exit 1, a run that failed after starting (session 40
 * QA: it waited 120 s, then exited 2 blaming another partition's silence).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/client.js';
import { kafka, newRun } from '../helpers/kafka.js';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const run = newRun();
const topic = `e2e-${run.id}-exchange.logins`;

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
});

describe('replay --from-kafka and a refused input batch (real Kafka)', () => {
  it('stops with the codec\'s reason and exit 1', async () => {
    await ensureTopics(kafka, [topic], 1);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: JSON.stringify({ schema: 'exchange.login.v1', eventId: 'ok-1', occurredAt: '2025-01-01T00:00:00Z', accountId: 'acct-1', ip: '198.51.100.1', ipCountry: 'US', vpn: false }) }] });
      // About 2.4 MB inflated, a few KB on the wire.
      await producer.send({ topic, acks: -1, compression: kafkajs.CompressionTypes.GZIP, messages: Array.from({ length: 24 }, (_, i) => ({ value: JSON.stringify({ schema: 'exchange.login.v1', eventId: `bomb-${i}`, pad: 'x'.repeat(100_000) }) })) });
    } finally {
      await producer.disconnect();
    }
    const r = spawnSync('node', [TIDEWATCH, 'replay', '--from-kafka', '--topics', topic, '--alerts', join(mkdtempSync(join(tmpdir(), 'tw-refused-')), 'alerts.jsonl')], {
      cwd: root, encoding: 'utf8', timeout: 110_000, env: { ...process.env, KAFKA_MAX_INFLATED_BATCH_BYTES: String(1 << 20) },
    });
    expect(r.status, r.stderr + r.stdout).toBe(1);
    expect(r.stderr).toMatch(/gzip record batch refused: it would inflate to more than the 1048576 bytes allowed/);
  }, 120_000);
});
