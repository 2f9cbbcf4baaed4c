/**
 * Account timelines on a real Redis: bounded, deduplicated, expiring with the case retention; and
 * the console showing a case's timeline, evidence marked, from what the replay kept (no --events).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { timelineKeys } from '../../src/cases/redis-keys.js';
import { MemoryUserBackend, Users } from '../../src/cases/users.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';
import { replayFiles } from '../../src/replay/replay.js';
import { RedisAccountTimeline } from '../../src/timeline/redis-account-timeline.js';
import type { TimelineEvent } from '../../src/timeline/timeline-event.js';
import { TimelineRecorder } from '../../src/timeline/timeline-recorder.js';
import { ofacLabels, rules, samplePath } from '../helpers/sample.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefixes: string[] = [];
const fresh = (): string => {
  const p = uniquePrefix('tl');
  prefixes.push(p);
  return p;
};
const ev = (eventId: string, minute: number): TimelineEvent => ({ eventId, kind: 'login', at: new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString(), accountId: 'acct-r', country: 'KP', vpn: true });

afterAll(() => deleteKeysAndQuit(redis, ...prefixes));

describe('account timelines in redis', () => {
  it('keeps each event once, the newest up to the bound, with the case retention as TTL', async () => {
    const prefix = fresh();
    const store = new RedisAccountTimeline(redis, prefix, 7_200, 3);
    await store.append(new Map([['acct-r', [ev('e1', 1), ev('e2', 2)]]]));
    await store.append(new Map([['acct-r', [ev('e2', 2), ev('e3', 3), ev('e4', 4)]]]));
    expect((await store.read('acct-r')).map((e) => e.eventId)).toEqual(['e2', 'e3', 'e4']);
    const ttl = await redis.ttl(timelineKeys(prefix).account('acct-r'));
    expect(ttl).toBeGreaterThan(7_000);
    expect(ttl).toBeLessThanOrEqual(7_200);
    expect(await store.read('acct-none')).toEqual([]);
  });

  it('lets the console show a case\'s timeline with its evidence marked from what the replay kept, with no --events', async () => {
    const prefix = fresh();
    const cases = new RedisCaseStore(redis, prefix);
    const timelines = new RedisAccountTimeline(redis, prefix, 86_400);
    await replayFiles({ files: [samplePath], rules: rules(), labels: ofacLabels(), caseStore: cases, timeline: new TimelineRecorder(timelines) });
    const users = new Users(new MemoryUserBackend());
    await users.add('vic', 'viewer', 'a-long-enough-password', 0);
    const app = await buildConsole({ cases, users, timelines, sla: parseSla('critical=4'), clock: Date.now, sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: 60_000 });
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { user: 'vic', password: 'a-long-enough-password' } });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const [top] = (await app.inject({ method: 'GET', url: '/api/cases?typology=dprk-it-payroll', headers: { cookie } })).json<{ cases: { caseId: string; subject: string }[] }>().cases;
    const detail = (await app.inject({ method: 'GET', url: `/api/cases/${top!.caseId}`, headers: { cookie } })).json<{ timelineAvailable: boolean; timeline: { accountId: string; kind: string; evidence: boolean }[] }>();
    expect(detail.timelineAvailable).toBe(true);
    expect(detail.timeline.some((e) => e.evidence)).toBe(true);
    expect(detail.timeline.some((e) => e.kind === 'deposit')).toBe(true);
    expect(detail.timeline.every((e) => e.accountId === top!.subject)).toBe(true);
    const sar = (await app.inject({ method: 'GET', url: `/api/cases/${top!.caseId}/sar`, headers: { cookie } })).json<{ activity: { totalUsd: number } }>();
    expect(sar.activity.totalUsd).toBeGreaterThan(0);
    await app.close();
    // The cost figure in the README: bytes Redis uses per kept event.
    const keys = await redis.keys(`${timelineKeys(prefix).account('')}*`);
    let bytes = 0;
    let events = 0;
    for (const key of keys) {
      bytes += (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number;
      events += await redis.zcard(key);
    }
    console.log(`account timelines: ${keys.length} accounts, ${events} events, ${Math.round(bytes / events)} B per event`);
    expect(bytes / events).toBeLessThan(1024);
  });
});
