import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createKafka, ensureTopics } from '../../src/kafka/client.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { DeadLetter } from '../../src/decode/events.js';
import { replayFiles } from '../../src/replay/replay.js';
import { KafkaSink } from '../../src/sinks/kafka-sink.js';
import { serialiseAlert } from '../../src/sinks/serialise.js';
import { readTopicRange } from '../../src/sources/kafka-range-source.js';
import type { Alert } from '../../src/contract/schemas.js';
import { ofacLabels, root, rules, sampleLines, samplePath } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const config = loadConfig();
const kafka = createKafka(config);
const run = randomUUID().slice(0, 8);
const inTopic = `tw-test-in-${run}`;
const alertTopic = `tw-test-alerts-${run}`;
const invalid = ['{"schema":"exchange.transfer.v1",', '[1,2]'];

describe('Kafka round trip through the project code (real broker)', () => {
  let fileAlerts: string[];

  beforeAll(async () => {
    await ensureTopics(kafka, [inTopic, alertTopic, `${inTopic}.dlq`], 1);
    const producer = kafka.producer();
    await producer.connect();
    const lines = sampleLines();
    const withBad = [...lines.slice(0, 100), invalid[0]!, ...lines.slice(100, 3000), invalid[1]!, ...lines.slice(3000)];
    for (let i = 0; i < withBad.length; i += 1000) await producer.send({ topic: inTopic, acks: -1, messages: withBad.slice(i, i + 1000).map((value) => ({ value })) });
    await producer.disconnect();
    const replay = await replayFiles({ files: [samplePath], rules: rules(), labels: ofacLabels() });
    fileAlerts = replay.alerts.map(serialiseAlert);
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [inTopic, alertTopic, `${inTopic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('consumes the sample, publishes alerts equal to a file replay, and dead-letters bad records with reasons in headers', async () => {
    const records = await readTopicRange(kafka, [inTopic]);
    expect(records).toHaveLength(sampleLines().length + invalid.length);
    const pipeline = new Pipeline({ rules: rules(), labels: ofacLabels() });
    const alerts: Alert[] = [];
    const dead: DeadLetter[] = [];
    for (const r of records) {
      const out = pipeline.process(r.value, { topic: r.topic, partition: r.partition, offset: r.offset });
      alerts.push(...out.alerts);
      if (out.deadLetter) dead.push(out.deadLetter);
    }
    const sink = new KafkaSink(kafka, alertTopic);
    await sink.connect();
    await sink.publish(alerts, dead);
    await sink.disconnect();

    const published = await readTopicRange(kafka, [alertTopic]);
    expect(published.map((r) => r.value)).toEqual(fileAlerts);

    const consumer = kafka.consumer({ groupId: `tw-test-dlq-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${inTopic}.dlq`, fromBeginning: true });
    const letters: { value: string; code: string; offset: string }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => {
        letters.push({ value: message.value!.toString(), code: message.headers!.code!.toString(), offset: message.headers!['source-offset']!.toString() });
        if (letters.length === 2) resolve();
      } });
    });
    await consumer.disconnect();
    expect(letters.map((l) => [l.value, l.code, l.offset])).toEqual([[invalid[0], 'TW_JSON', '100'], [invalid[1], 'TW_NOT_OBJECT', '3001']]);
  });

  it('`tidewatch replay --from-kafka` gives the same alert file as a file replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-kreplay-'));
    execFileSync('node', [TIDEWATCH, 'replay', '--from-kafka', '--topics', inTopic, '--since', '2000-01-01T00:00:00Z', '--alerts', join(dir, 'a.jsonl'), '--quiet'], { cwd: root, env: { ...process.env } });
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).toBe(fileAlerts.join('\n') + '\n');
  });
});
