import kafkajs from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { simulate } from '../../src/simulate/scenarios.js';
import { caseViews, cleanupRun, caughtUp, expectedOf, type CaseView, type Expected, kafka, monitorOrder, newRun, produceSample, readAll, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];
// Big enough (about 25 k messages) that hand-overs land while the instances are still reading.
const bigLines = monitorOrder([...sampleLines(), ...simulate({ seed: 11, scale: 120 }).lines]);
let big: Expected;
let sample: Expected;

beforeAll(async () => {
  big = await expectedOf(bigLines);
  sample = await expectedOf(monitorOrder(sampleLines()));
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

const casesOf = async (run: Run): Promise<CaseView[]> => caseViews(await new RedisCaseStore(redis, run.prefix).list());

/** The slots (ownership-topic partitions) each member of a stable group holds. */
async function slotsByMember(run: Run): Promise<number[][]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([run.group]);
    if (groups[0]?.state !== 'Stable') return [];
    return groups[0].members.map((m) => [...(kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[run.topics[0]!] ?? [])].sort());
  } finally {
    await admin.disconnect();
  }
}

const splitInTwo = async (run: Run): Promise<boolean> => { const s = await slotsByMember(run); return s.length === 2 && s.every((x) => x.length === 1); };
const heldByOne = async (run: Run): Promise<boolean> => { const s = await slotsByMember(run); return s.length === 1 && s[0]!.length === 2; };

describe('monitor scale-out (real Kafka and Redis)', () => {
  it.each([
    { path: 'from its log', env: {} as Record<string, string> },
    { path: 'by re-reading from the start (its log overflowed)', env: { MONITOR_UNOWNED_LOG_CAP: '100' } },
  ])('two instances split the slots and publish what one would; a SIGKILL hand-over mid-stream, served $path, then a SIGTERM one, lose and double nothing', async ({ env }) => {
    const run = newRun();
    runs.push(run);
    await produceSample(run, []);
    // b starts alone and is reading when a joins, so a is behind b when it dies: b holds outputs
    // past a's cursor, which it must publish when it takes a's slot.
    const b = startMonitor(run, 'b', { LOG_LEVEL: 'info', ...env });
    await waitFor(() => heldByOne(run), 60_000);
    await produceSample(run, bigLines);
    let a = startMonitor(run, 'a', { LOG_LEVEL: 'info' });
    const midStream: boolean[] = [];
    try {
      await waitFor(() => splitInTwo(run), 60_000);
      // a dies outright: after the session timeout b holds both slots and publishes what a had not.
      midStream.push(!(await caughtUp(run)));
      await stopMonitor(a, 'SIGKILL');
      await waitFor(() => heldByOne(run), 60_000);
      // a comes back (it re-reads from the start) and takes one slot back; then b leaves cleanly.
      a = startMonitor(run, 'a', { LOG_LEVEL: 'info' });
      await waitFor(() => splitInTwo(run), 60_000);
      midStream.push(!(await caughtUp(run)));
      expect(await stopMonitor(b, 'SIGTERM')).toBe(0);
      await waitFor(() => caughtUp(run), 180_000);
      const alerts = (await readAll(run.alertTopic)).sort();
      expect(new Set(alerts).size).toBe(alerts.length);
      expect(alerts.length).toBe(big.alerts.length);
      expect(alerts).toEqual(big.alerts);
      expect(await casesOf(run)).toEqual(big.cases);
      expect(midStream[0]).toBe(true);
      const taken = b.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'slot taken' && l.fromLog !== 0);
      const rereads = b.logs.filter((l) => l.includes('re-reading from the start')).length;
      if (env.MONITOR_UNOWNED_LOG_CAP) expect(rereads).toBeGreaterThan(0);
      else expect(taken.some((l) => l.fromLog > 0)).toBe(true);
      console.log(`scale-out: ${bigLines.length} messages; hand-overs mid-stream ${JSON.stringify(midStream)}; b took a slot with ${JSON.stringify(taken.map((l) => l.fromLog))} outputs from its log, re-read ${rereads} time(s); ${alerts.length} alerts, 0 lost, 0 doubled`);
    } finally {
      await stopMonitor(a, 'SIGTERM');
      await stopMonitor(b, 'SIGKILL');
    }
  }, 400_000);

  it('two instances started before any input publish each live alert once, with the topics produced one after another', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run, []);
    // The hold covers the whole production, so the chain topics that arrive last do not count as lagging.
    const a = startMonitor(run, 'a', { MONITOR_HOLD_MS: '15000' });
    const b = startMonitor(run, 'b', { MONITOR_HOLD_MS: '15000' });
    try {
      await waitFor(() => splitInTwo(run), 60_000);
      await produceSample(run);
      await waitFor(() => caughtUp(run), 120_000);
      expect((await readAll(run.alertTopic)).sort()).toEqual(sample.alerts);
      expect(await casesOf(run)).toEqual(sample.cases);
    } finally {
      await stopMonitor(a, 'SIGTERM');
      await stopMonitor(b, 'SIGTERM');
    }
  }, 300_000);
});
