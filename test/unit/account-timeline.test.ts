/** Which exchange events the timeline recorder keeps (accounts with a case only), and the store's bound. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import type { DecodedEvent } from '../../src/decode/events.js';
import { buildDemo } from '../../src/cli/console-demo.js';
import { MemoryAccountTimeline } from '../../src/timeline/account-timeline.js';
import { TimelineRecorder } from '../../src/timeline/timeline-recorder.js';
import { alert } from '../conformance/case-store-suite.js';
import { samplePath } from '../helpers/sample.js';

function login(eventId: string, accountId: string, minute: number): DecodedEvent {
  const occurredAt = new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
  return { type: 'login', eventId, time: Date.parse(occurredAt), msg: { schema: 'exchange.login.v1', eventId, occurredAt, accountId, ip: '203.0.113.9', ipCountry: 'KP', vpn: true, deviceId: 'dev-1' } } as DecodedEvent;
}

const none: Alert[] = [];

describe('timeline recorder', () => {
  it('keeps nothing for an account without a case; on its first alert, its held history, then each new event', async () => {
    const store = new MemoryAccountTimeline();
    const recorder = new TimelineRecorder(store);
    const history = new Map<string, DecodedEvent[]>([['acct-a', [login('l1', 'acct-a', 1), login('l2', 'acct-a', 2)]]]);
    const read = (a: string) => history.get(a) ?? [];
    recorder.observe({ alerts: none, event: login('l0', 'acct-a', 0) }, read);
    recorder.observe({ alerts: none, event: login('x1', 'acct-b', 1) }, read);
    await recorder.flush();
    expect(await store.read('acct-a')).toEqual([]);
    recorder.observe({ alerts: [alert('al-1', 'acct-a', 80)], event: login('l2', 'acct-a', 2) }, read);
    recorder.observe({ alerts: none, event: login('l3', 'acct-a', 3) }, read);
    recorder.observe({ alerts: [alert('al-low', 'acct-b', 10, 'low')], event: login('x2', 'acct-b', 3) }, read);
    await recorder.flush();
    const kept = await store.read('acct-a');
    expect(kept.map((e) => e.eventId)).toEqual(['l1', 'l2', 'l3']);
    expect(kept[0]).toMatchObject({ kind: 'login', country: 'KP', vpn: true, deviceId: 'dev-1', ip: '203.0.113.9' });
    expect(await store.read('acct-b')).toEqual([]); // a low alert opens no case
  });

  it('leaves accounts another instance owns to that instance', async () => {
    const store = new MemoryAccountTimeline();
    const recorder = new TimelineRecorder(store);
    recorder.observe({ alerts: [alert('al-2', 'acct-c', 80)], event: login('c1', 'acct-c', 1) }, () => [], (a) => a !== 'acct-c');
    await recorder.flush();
    expect(await store.read('acct-c')).toEqual([]);
  });

  it('keeps the newest events of an account up to its bound, each once', async () => {
    const store = new MemoryAccountTimeline(3);
    const recorder = new TimelineRecorder(store);
    recorder.observe({ alerts: [alert('al-3', 'acct-d', 80)], event: login('d0', 'acct-d', 0) }, () => []);
    for (const m of [1, 2, 3, 2]) recorder.observe({ alerts: none, event: login(`d${m}`, 'acct-d', m) }, () => []);
    await recorder.flush();
    expect((await store.read('acct-d')).map((e) => e.eventId)).toEqual(['d1', 'd2', 'd3']);
  });
});

describe('demo timelines', () => {
  it('keeps, from the replay alone, the timeline of every case subject with its evidence events', async () => {
    const demo = await buildDemo(samplePath);
    const cases = await demo.cases.list();
    let evidenceKept = 0;
    for (const c of cases) {
      const kept = await demo.timelines.read(c.subject);
      const ids = new Set(kept.map((e) => e.eventId));
      const evidence = (await demo.cases.alerts(c.caseId)).flatMap((a) => a.eventIds).filter((id) => demo.events.event(id)?.accountId === c.subject);
      expect(evidence.filter((id) => !ids.has(id)), c.caseId).toEqual([]);
      evidenceKept += evidence.length;
      expect(kept.every((e) => e.accountId === c.subject)).toBe(true);
    }
    expect(evidenceKept).toBeGreaterThan(cases.length);
    const subjects = new Set(cases.map((c) => c.subject));
    const accounts = new Set(readFileSync(samplePath, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { accountId?: string }).accountId).filter((a): a is string => !!a));
    const withoutCase = [...accounts].filter((a) => !subjects.has(a));
    expect(withoutCase.length).toBeGreaterThan(0);
    for (const a of withoutCase) expect(await demo.timelines.read(a), a).toEqual([]);
    // The rule state keeps transfers slimmed (no txHash): the record of an event applied while
    // its account had a case, the alert's own triggering event first of all, is the whole message.
    const txHashOf = new Map<string, string>();
    for (const line of readFileSync(samplePath, 'utf8').split('\n').filter(Boolean)) {
      const m = JSON.parse(line) as { schema: string; eventId?: string; txHash?: string };
      if (m.schema === 'exchange.transfer.v1' && m.eventId && m.txHash) txHashOf.set(m.eventId, m.txHash);
    }
    let triggersWithHash = 0;
    for (const c of cases) {
      const kept = new Map((await demo.timelines.read(c.subject)).map((e) => [e.eventId, e]));
      const first = (await demo.cases.alerts(c.caseId))[0]!;
      const trigger = first.eventIds.map((id) => kept.get(id)).filter((e) => e !== undefined && txHashOf.has(e.eventId) && e.at === first.triggeredAt)[0];
      if (!trigger) continue;
      expect(trigger.txHash, `${c.caseId} ${trigger.eventId}`).toBe(txHashOf.get(trigger.eventId));
      triggersWithHash++;
    }
    expect(triggersWithHash).toBeGreaterThan(0);
  }, 120_000);
});
