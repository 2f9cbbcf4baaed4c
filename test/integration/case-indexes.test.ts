/**
 * The queue's index sets on a real Redis with thousands of cases: a filtered page sends one query
 * script and reads only the case documents it returns, where reading the whole list reads every
 * case; and the rebuild indexes cases written before the indexes existed.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, TEST_REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { queuePriority, type Case, type CaseStatus } from '../../src/cases/case-model.js';
import { matchesQuery, type CaseQuery } from '../../src/cases/case-query.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseKeys } from '../../src/cases/redis-keys.js';
import type { Alert } from '../../src/contract/schemas.js';
import { alert } from '../conformance/case-store-suite.js';

const CASES = 3000;
const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefix = uniquePrefix('idx');
const severities: Alert['severity'][] = ['critical', 'high', 'medium'];
const typologies = ['sanctions-exposure', 'dprk-it-payroll', 'pass-through', 'dprk-consolidation'];

/** A client that counts the commands it sends and the case documents they read. */
function countingClient(): { redis: Redis; sent: { name: string; key: string }[] } {
  const client = testRedis({ maxRetriesPerRequest: 3 });
  const sent: { name: string; key: string }[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: { name: string; args: unknown[] }, stream?: unknown) => {
    if (!['info', 'script', 'select', 'client'].includes(command.name)) sent.push({ name: command.name, key: String(command.args[0] ?? '') });
    return original(command as never, stream as never);
  }) as typeof client.sendCommand;
  return { redis: client, sent };
}

/**
 * Redis's MONITOR feed on a plain socket (ioredis's monitor mode can lose its place when lines
 * arrive with the reply to MONITOR): each command as its source (`lua` inside a script) and its
 * arguments. Resolves once the server has started the feed.
 */
async function monitorFeed(onCommand: (source: string, args: string[]) => void): Promise<Socket> {
  const u = new URL(TEST_REDIS_URL);
  const socket = connect(Number(u.port || 6379), u.hostname);
  socket.setEncoding('utf8');
  let buffered = '';
  let oks = 0;
  let started: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => { started = resolve; socket.once('error', reject); });
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (line === '+OK' && ++oks === (u.password ? 2 : 1)) started(); // AUTH's, then MONITOR's
      const m = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (m) onCommand(m[1]!, [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!));
    }
  });
  await once(socket, 'connect');
  if (u.password) socket.write(`AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ''}${decodeURIComponent(u.password)}\r\n`);
  socket.write('MONITOR\r\n');
  await ready;
  return socket;
}

let store: RedisCaseStore;
let all: Case[];

beforeAll(async () => {
  store = new RedisCaseStore(redis, prefix);
  for (let start = 0; start < CASES; start += 200) {
    await Promise.all(Array.from({ length: Math.min(200, CASES - start) }, (_, j) => {
      const i = start + j;
      const a = alert(`idx-${i}`, `acct-${i}`, 50 + (i * 37) % 50, severities[i % 3]!, typologies[i % 4]!);
      return store.addAlert({ ...a, triggeredAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString() });
    }));
  }
  const sue = { name: 'sue', role: 'supervisor' as const };
  for (let i = 0; i < 60; i++) await store.assign((await store.query({ typology: typologies[i % 4]!, assignee: '-', limit: 1 })).cases[0]!.caseId, i % 2 ? 'ana' : 'bob', sue, 3_600_000, 1_000);
  all = await store.list();
}, 120_000);

afterAll(() => deleteKeysAndQuit(redis, prefix));

describe(`queue index sets on real Redis (${CASES} cases)`, () => {
  it('answers a filtered page with one script and one read per returned case, the same cases as filtering every case', async () => {
    const { redis: client, sent } = countingClient();
    const counted = new RedisCaseStore(client, prefix);
    const q: CaseQuery = { severities: ['critical', 'high'], typology: 'pass-through', assignee: '-', limit: 25, offset: 25 };
    const expected = all.filter((c) => matchesQuery(c, q));
    await client.ping(); // connected: a command sent while connecting passes through sendCommand twice
    sent.length = 0;
    const page = await counted.query(q);
    expect(page.total).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(400);
    expect(page.cases.map((c) => c.caseId)).toEqual(expected.slice(25, 50).map((c) => c.caseId));
    const docReads = sent.filter((s) => s.key.startsWith(caseKeys(prefix).caseDoc('')));
    expect(docReads).toHaveLength(25);
    expect(sent.filter((s) => !s.key.startsWith(caseKeys(prefix).caseDoc(''))).map((s) => s.name)).toEqual(['evalsha']);
    sent.length = 0;
    await counted.list();
    expect(sent.filter((s) => s.key.startsWith(caseKeys(prefix).caseDoc(''))).length).toBe(CASES); // what the console did before
    client.disconnect();
  });

  it('pages by assignee and by age from the sets, and leaves no working sets behind', async () => {
    const byAna = await store.query({ assignee: 'ana', statuses: ['claimed'] });
    expect(byAna.total).toBe(30);
    expect(byAna.cases.every((c) => c.analyst === 'ana')).toBe(true);
    const from = Date.UTC(2025, 0, 1) + 1000 * 60_000;
    const old = await store.query({ openedFrom: from, openedTo: from + 99 * 60_000, limit: 1000 });
    expect(old.total).toBe(all.filter((c) => matchesQuery(c, { openedFrom: from, openedTo: from + 99 * 60_000 })).length);
    expect(old.total).toBeGreaterThan(90);
    expect(await redis.keys(`${caseKeys(prefix).index.prefix}tmp:*`)).toEqual([]);
  });

  it('answers one subject\'s page from its own index set: no set operation walks the status or all-cases sets whole', async () => {
    const k = caseKeys(prefix);
    const subject = 'acct-1234';
    const every: CaseStatus[] = ['open', 'claimed', 'pending-approval', 'resolved'];
    const expected = all.filter((c) => c.subject === subject);
    expect(expected).toHaveLength(1);
    const { redis: client, sent } = countingClient();
    const counted = new RedisCaseStore(client, prefix);
    await client.ping();
    // Redis's MONITOR lists the commands the script runs; a marker read after the queries says the list is complete.
    const run: string[][] = [];
    const marker = `${prefix}monitor-marker`;
    let sawMarker: () => void = () => undefined;
    const seenMarker = new Promise<void>((resolve) => { sawMarker = resolve; });
    const monitor = await monitorFeed((source, args) => {
      if (args.includes(marker)) sawMarker();
      else if (source === 'lua' && args.some((a) => a.startsWith(prefix))) run.push(args);
    });
    sent.length = 0;
    const page = await counted.query({ subject, statuses: every });
    const unresolvedOfType = await counted.query({ subject, typology: expected[0]!.typologies[0]! });
    const later = Date.UTC(2030, 0, 1);
    const agedAndBreached = await counted.query({ subject, openedFrom: 0, openedTo: later, breachCutoffs: { critical: later, high: later, medium: later } });
    await redis.get(marker);
    await seenMarker;
    monitor.destroy();
    expect(page.cases.map((c) => c.caseId)).toEqual(expected.map((c) => c.caseId));
    expect(page.total).toBe(1);
    const unresolved = expected.filter((c) => c.status !== 'resolved').map((c) => c.caseId);
    expect(unresolved).toHaveLength(1);
    expect(unresolvedOfType.cases.map((c) => c.caseId)).toEqual(unresolved);
    expect(agedAndBreached.cases.map((c) => c.caseId)).toEqual(unresolved);
    expect(sent.filter((s) => !s.key.startsWith(k.caseDoc(''))).map((s) => s.name)).toEqual(['evalsha', 'evalsha', 'evalsha']);
    expect(sent.filter((s) => s.key.startsWith(k.caseDoc('')))).toHaveLength(3);
    // Each set operation reads the subject's set or a working set made from it (ZINTERSTORE walks its
    // smallest input); a union or a range reads working sets only. The script before this one unioned
    // the four status sets whole, every case of the store, for each page.
    const setOps = run.filter(([name]) => /^(zinterstore|zunionstore|zrangestore)$/i.test(name!));
    expect(setOps.length).toBeGreaterThanOrEqual(3); // one or more per query: the monitor saw the scripts run
    const narrow = (key: string): boolean => key === k.index.subject(subject) || key.startsWith(`${k.index.prefix}tmp:`);
    const wide = setOps.filter(([name, , ...rest]) => {
      const inputs = /zrangestore/i.test(name!) ? [rest[0]!] : rest.slice(1, 1 + Number(rest[0]));
      return /zinterstore/i.test(name!) ? !inputs.some(narrow) : !inputs.every(narrow);
    });
    expect(wide).toEqual([]);
    client.disconnect();
  });

  it('rebuilds the sets for cases written before them, and takes out members that do not belong', async () => {
    const k = caseKeys(prefix);
    const before = await store.query({ severities: ['medium'], typology: 'dprk-it-payroll', limit: 1000 });
    const subjectBefore = await store.query({ subject: 'acct-7', statuses: ['open', 'claimed', 'pending-approval', 'resolved'] });
    expect(subjectBefore.total).toBe(1);
    const indexSets = (await redis.keys(`${k.index.prefix}*`)).filter((key) => key !== k.index.typologyNames);
    await redis.del(...indexSets); // as a store written before this version
    expect(await store.unindexedCount()).toBe(CASES);
    expect((await store.query({})).total).toBe(0);
    await redis.zadd(k.index.severity('low'), 99, before.cases[0]!.caseId); // a member that does not belong
    await redis.zadd(k.index.all, 99, 'case-gone'); // and one whose case is gone
    await redis.zadd(k.index.subject('acct-7'), 99, before.cases[0]!.caseId); // another subject's case
    const result = await store.rebuildIndexes();
    expect(result).toEqual({ cases: CASES, removed: 3 });
    expect(await store.unindexedCount()).toBe(0);
    expect(await store.query({ severities: ['medium'], typology: 'dprk-it-payroll', limit: 1000 })).toEqual(before);
    expect(await redis.zcard(k.index.severity('low'))).toBe(0);
    expect(await store.query({ subject: 'acct-7', statuses: ['open', 'claimed', 'pending-approval', 'resolved'] })).toEqual(subjectBefore);
    expect(await redis.zrange(k.index.subject('acct-7'), 0, -1)).toEqual(subjectBefore.cases.map((c) => c.caseId));
  });

  it('rewrites sets that a version before severity-first order scored by the bare case score, the open set the claim reads too', async () => {
    const k = caseKeys(prefix);
    const before = await store.query({ limit: 1000 });
    expect(before.cases.slice(0, 3).map((c) => c.severity)).toEqual(['critical', 'critical', 'critical']);
    const open = await redis.zrange(k.open, 0, -1);
    const bare = (await Promise.all(open.map((id) => store.get(id)))).flatMap((c) => [c!.score, c!.caseId]);
    await redis.zadd(k.open, ...bare); // as the older version wrote them
    await redis.zadd(k.index.all, ...bare);
    expect((await store.query({ limit: 1000 })).cases.map((c) => c.caseId)).not.toEqual(before.cases.map((c) => c.caseId));
    await store.rebuildIndexes();
    expect(await store.query({ limit: 1000 })).toEqual(before);
    const scored = await redis.zrange(k.open, 0, -1, 'WITHSCORES');
    for (let i = 0; i < scored.length; i += 2) expect(Number(scored[i + 1])).toBe(queuePriority((await store.get(scored[i]!))!));
  });
});
