import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../src/state/recent-ids.js';

describe('recent ids (bounded dedupe)', () => {
  it('remembers ids inside the event-time window and forgets those older than it', () => {
    const ids = new RecentIds(1000);
    ids.add('old', 0);
    ids.add('mid', 700);
    expect(ids.has('old')).toBe(true);
    for (let t = 600; t <= 1600; t += 50) ids.add(`t${t}`, t);
    expect(ids.has('old')).toBe(false);
    expect(ids.has('mid')).toBe(true);
    expect(ids.has('t1600')).toBe(true);
  });

  it('stays bounded over a long stream', () => {
    const ids = new RecentIds(1000);
    for (let t = 0; t < 100_000; t++) ids.add(`e${t}`, t);
    expect(ids.size).toBeLessThanOrEqual(1100);
  });

  it('tells the caller each id a sweep forgets, and only those', () => {
    const forgotten: string[] = [];
    const ids = new RecentIds(1000, (id) => forgotten.push(id));
    ids.add('a', 0);
    ids.add('b', 900);
    ids.add('c', 1500);
    expect(forgotten).toEqual(['a']);
  });
});

describe('rule novelty memory', () => {
  it('forgets rule + subject pairs that stay silent for 400 days of event time, and still alerts on new evidence', async () => {
    const { Pipeline } = await import('../../src/pipeline/pipeline.js');
    const { ofacLabels, rules, sampleLines } = await import('../helpers/sample.js');
    const pipeline = new Pipeline({ rules: rules(), labels: ofacLabels() });
    const lines = sampleLines();
    let alerts = 0;
    lines.forEach((l, i) => { alerts += pipeline.process(l, { line: i + 1 }).alerts.length; });
    const before = pipeline.engine.noveltySize;
    expect(before).toBeGreaterThan(20);
    // A direct sanctions withdrawal 500 days after the sample, by an account already alerted on.
    const direct = lines.map((l) => JSON.parse(l)).find((m) => m.schema === 'exchange.transfer.v1' && m.kind === 'withdrawal' && String(m.to).toLowerCase() === '0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c');
    const later = new Date(Date.parse(direct.occurredAt) + 500 * 86_400_000).toISOString();
    const out = pipeline.process(JSON.stringify({ ...direct, eventId: 'ev-much-later', occurredAt: later }), { line: lines.length + 1 });
    expect(out.alerts.map((a) => a.ruleId)).toContain('sanctions-exposure.direct');
    expect(pipeline.engine.noveltySize).toBeLessThan(5);
    expect(alerts).toBe(257);
  });
});
