/**
 * The group's committed offsets (KAFKA_GROUP_ID, what `kafka-consumer-groups --describe` shows)
 * never go backwards (session 61 review): kafkajs retries a commit internally, so a round could
 * outlast the 5 s interval; later rounds then committed newer cuts, and the slow round's older cut
 * landed after them. Here the broker is slow for the first commit only (it is held until the
 * monitor has published the whole input), on a real broker, with the monitor in process.
 */
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { loadConfig } from '../../src/config/config.js';
import { createKafka, type KafkaClient } from '../../src/kafka/client.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { caughtUp, cleanupRun, highWatermarks, kafka, newRun, produceSample, waitFor, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

type Offsets = { topic: string; partition: number; offset: string }[];

/** The monitor's client, except that the group member's first offsets commit waits for `open` (a slow broker). */
class FirstCommitHeld {
  calls = 0;
  heldOffsets: Offsets = [];
  private openGate: () => void = () => undefined;
  private readonly gate = new Promise<void>((r) => { this.openGate = r; });
  private landedFirst: () => void = () => undefined;
  /** Settles once the held commit has reached the broker (or failed there). */
  readonly firstLanded = new Promise<void>((r) => { this.landedFirst = r; });

  constructor(readonly client: KafkaClient, groupId: string) {
    const consumer = client.consumer.bind(client);
    client.consumer = (cfg) => {
      const member = consumer(cfg);
      if (cfg.groupId !== groupId) return member;
      const commit = member.commitOffsets.bind(member);
      member.commitOffsets = async (offsets) => {
        if (++this.calls > 1) return commit(offsets);
        this.heldOffsets = offsets;
        await this.gate;
        try {
          await commit(offsets);
        } finally {
          this.landedFirst();
        }
      };
      return member;
    };
  }

  open(): void {
    this.openGate();
  }
}

/** The group's committed offsets, as `topic/partition` → offset (absent: none committed). */
async function groupOffsets(run: Run): Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out = new Map<string, bigint>();
    for (const t of await admin.fetchOffsets({ groupId: run.group, topics: run.topics })) for (const p of t.partitions) if (p.offset !== '-1') out.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** The partitions where `later` is behind `earlier` (a partition committed once stays committed). */
function wentBack(earlier: Map<string, bigint>, later: Map<string, bigint>): string[] {
  return [...earlier].filter(([pk, offset]) => (later.get(pk) ?? -1n) < offset).map(([pk, offset]) => `${pk}: ${offset} -> ${later.get(pk) ?? 'none'}`);
}

describe('the group\'s committed offsets while a commit is slow (real Kafka, in process)', () => {
  it('never go backwards when the first, older commit lands after the monitor has published everything, and reach every high watermark', async () => {
    const run = newRun();
    runs.push(run);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    await produceSample(run, lines.slice(0, half));
    const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_SESSION_TIMEOUT_MS: '10000' });
    const broker = new FirstCommitHeld(createKafka(config), run.group);
    const logs: string[] = [];
    const labels = ofacLabels();
    const monitor = new Monitor({
      config, kafka: broker.client, cases: new MemoryCaseStore(), createPipeline: (r) => new Pipeline({ rules: r, labels }),
      rules: rules(), logger: pino({ level: 'debug' }, { write: (line: string) => { logs.push(line); } }), instanceId: `group-order-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic,
    });
    await monitor.start();
    try {
      await waitFor(async () => broker.calls > 0, 120_000, 'the first group commit (held)');
      await produceSample(run, lines.slice(half));
      await waitFor(() => caughtUp(run), 180_000, 'every slot cursor to reach the end of the input');
      const highs = new Map([...(await highWatermarks(run))].filter(([, high]) => high > 0n));
      const held = new Map(broker.heldOffsets.map((o) => [`${o.topic}/${o.partition}`, BigInt(o.offset)]));
      expect([...highs].some(([pk, high]) => (held.get(pk) ?? 0n) < high), 'the held commit is an older cut than the end of the input').toBe(true);
      // A round has come round since everything was published: it committed, or it was skipped.
      const roundsSeen = (): number => broker.calls + logs.filter((l) => l.includes('round skipped')).length;
      const roundsAtEnd = roundsSeen();
      await waitFor(async () => roundsSeen() > roundsAtEnd, 60_000, 'a group commit round after the monitor caught up');
      const beforeLanding = await groupOffsets(run);
      broker.open();
      await broker.firstLanded;
      const afterLanding = await groupOffsets(run);
      expect(wentBack(beforeLanding, afterLanding), 'partitions whose committed offset went back when the slow commit landed').toEqual([]);
      let last = afterLanding;
      const backwards: string[] = [];
      await waitFor(async () => {
        const now = await groupOffsets(run);
        backwards.push(...wentBack(last, now));
        last = now;
        return [...highs].every(([pk, high]) => now.get(pk) === high);
      }, 90_000, `the group ${run.group} to commit every input partition's high watermark`);
      expect(backwards, 'partitions whose committed offset went back afterwards').toEqual([]);
    } finally {
      broker.open();
      await monitor.stop();
    }
  }, 600_000);
});
