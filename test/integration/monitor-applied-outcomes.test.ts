/**
 * Every input message the monitor applies is counted by what became of it
 * (`tidewatch_messages_applied_total{topic,outcome}`), so an operator can check count in =
 * accepted + duplicates + ignored + dead-lettered. Session 62's black-box pass fed a deposit's
 * redelivery and a reuse of its eventId with another amount through the console producer: both
 * were dropped as duplicates and counted nowhere (consumed 29, dead-lettered 22, the other 7 not
 * told apart), so a lost message could not be told from a dropped copy. A suspect field
 * (`tidewatch_suspect_fields_total`) is counted for each message applied, not again for a copy,
 * and warned of once per field, naming the field, the one it resembles and the account, never a
 * value (the warning had no test before session 65).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caughtUp, cleanupRun, kafka, keyOf, newRun, produceSample, startMonitor, stopMonitor, waitFor, type MonitorProcess, type Run } from '../helpers/kafka.js';
import { sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const run: Run = newRun();
const lines = sampleLines().slice(0, 400);
const deposits = run.topics.find((t) => t.endsWith('exchange.deposits'))!;
const sampleDeposits = lines.filter((l) => (JSON.parse(l) as { kind?: string }).kind === 'deposit');
const copy = sampleDeposits[0]!;
const reusedId = JSON.stringify({ ...(JSON.parse(sampleDeposits[1]!) as Record<string, unknown>), amount: '123456' });
/** A new deposit whose `session` came as `sesion` (a suspect field, session 63), sent twice: the copy is dropped as a duplicate. */
const misspelt = JSON.stringify({ ...(JSON.parse(sampleDeposits[2]!) as Record<string, unknown>), eventId: `suspect-${run.id}`, sesion: { ip: '203.0.113.7', ipCountry: 'DE', vpn: false, deviceId: 'dev-1' } });
/** Another deposit with the same misspelling: counted again, not warned of again. */
const misspeltAgain = JSON.stringify({ ...(JSON.parse(sampleDeposits[3]!) as Record<string, unknown>), eventId: `suspect-again-${run.id}`, sesion: { ip: '203.0.113.8', ipCountry: 'DE', vpn: false, deviceId: 'dev-2' } });
const SUSPECT_WARNING = /^an applied message holds the unknown field sesion: did you mean session\?/;

afterAll(async () => {
  await cleanupRun(run, redis);
  await redis.quit();
});

const metricsPort = (monitor: MonitorProcess): number | undefined => monitor.logs
  .map((l) => { try { return JSON.parse(l) as { msg?: string; metricsPort?: number }; } catch { return {}; } })
  .find((l) => l.msg === 'metrics and /healthz listening')?.metricsPort;

/** The samples of one counter, as `labels value` lines. */
async function samples(port: number, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`)) out.set(line.slice(name.length, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
  return out;
}
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** The monitor's log lines whose message matches `pattern`, as logged (JSON). */
const logLines = (monitor: MonitorProcess, pattern: RegExp): string[] => monitor.logs.filter((l) => {
  try { return pattern.test((JSON.parse(l) as { msg?: string }).msg ?? ''); } catch { return false; }
});

describe('applied messages counted by outcome (real Kafka)', () => {
  it('counts a redelivered deposit and a reused eventId as duplicates, a malformed record and a tombstone as dead-lettered, and every message consumed once; a suspect field per message applied, not again for a dropped copy, and warned of once per field without its value', async () => {
    expect(sampleDeposits.length).toBeGreaterThan(10);
    await produceSample(run, lines);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: deposits, acks: -1, messages: [
        { key: keyOf(JSON.parse(copy)), value: copy },
        { key: keyOf(JSON.parse(reusedId)), value: reusedId },
        { key: 'acct-x', value: '{"schema":"exchange.transfer.v1",' },
        { key: 'acct-x', value: null },
        { key: keyOf(JSON.parse(misspelt)), value: misspelt },
        { key: keyOf(JSON.parse(misspelt)), value: misspelt },
        { key: keyOf(JSON.parse(misspeltAgain)), value: misspeltAgain },
      ] });
    } finally {
      await producer.disconnect();
    }
    const monitor = startMonitor(run, 'a', { LOG_LEVEL: 'info' });
    try {
      await waitFor(() => caughtUp(run), 180_000, 'the monitor to catch up');
      await waitFor(async () => metricsPort(monitor) !== undefined, 30_000, 'the metrics port in the log');
      const port = metricsPort(monitor)!;
      await waitFor(async () => total(await samples(port, 'tidewatch_messages_applied_total')) >= lines.length + 7, 60_000, 'every message applied');
      const applied = await samples(port, 'tidewatch_messages_applied_total');
      const of = (outcome: string): number => applied.get(`{topic="${deposits}",outcome="${outcome}"}`) ?? 0;
      expect(of('duplicate')).toBe(3);
      expect(of('dead-lettered')).toBe(2);
      expect(of('accepted')).toBe(sampleDeposits.length + 2);
      expect(total(applied)).toBe(lines.length + 7);
      expect(total(await samples(port, 'tidewatch_messages_consumed_total'))).toBe(lines.length + 7);
      // Each misspelt deposit's suspect field is counted once: the copy, dropped as a duplicate, is not counted again.
      expect([...await samples(port, 'tidewatch_suspect_fields_total')]).toEqual([[`{topic="${deposits}",field="sesion",nearest="session"}`, 2]]);
      // Warned of once for the field (the first deposit's), naming it, the field it resembles and the account; no value of it (personal data).
      const warnings = logLines(monitor, SUSPECT_WARNING);
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, topic: deposits, field: 'sesion', nearest: 'session', accountId: (JSON.parse(misspelt) as { accountId: string }).accountId });
      expect(warnings[0]).not.toMatch(/203\.0\.113|dev-[12]|ipCountry/);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 420_000);
});
