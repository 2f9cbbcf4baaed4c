/**
 * Label history is the same whatever order its listings and removals arrive in (enrichment QA,
 * session 26: a listing restated with an earlier time, or a removal read before its listing,
 * left an address sanctioned for ever), a delisting of an SDN entry removes the `dprk-linked`
 * label it gave too, and a transfer made before its counterparty was listed is a look-back
 * finding (high), not a critical one.
 */
import { describe, expect, it } from 'vitest';
import { LabelHistory, MAX_INTERVALS, type LabelRecord } from '../../src/graph/labels.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { addressKey } from '../../src/chain/address.js';
import { rules } from '../helpers/sample.js';

const listing = (from: number, entity = 'Party'): LabelRecord => ({ label: 'sanctioned', source: 'intel', confidence: 1, entity, from });

type Step = [record: LabelRecord, removed: boolean];

function history(steps: readonly Step[]): LabelHistory {
  const h = new LabelHistory();
  for (const [record, removed] of steps) h.apply(7, { ...record }, removed);
  return h;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('label history', () => {
  it('closes a listing restated with an earlier time at its removal', () => {
    const h = history([[listing(5), false], [listing(1), false], [listing(15), true]]);
    expect(h.labelsAt(7, 10).map((r) => r.from)).toEqual([1]);
    expect(h.labelsAt(7, 20)).toEqual([]);
  });

  it('applies a removal read before its listing once the listing comes', () => {
    const early = new LabelHistory();
    expect(early.apply(7, listing(15), true)).toBe(false); // kept, but nothing holds or stops holding yet
    expect(early.apply(7, listing(1), false)).toBe(true);
    expect(early.labelsAt(7, 20)).toEqual([]);
    const h = history([[listing(15), true], [listing(1), false]]);
    expect(h.labelsAt(7, 10)).toHaveLength(1);
    expect(h.labelsAt(7, 20)).toEqual([]);
  });

  it('gives the same records in every arrival order of listings, removals and relistings', () => {
    const steps: Step[] = [[listing(1), false], [listing(5), false], [listing(10), true], [listing(20, 'Party again'), false], [listing(30), true]];
    const expected = history(steps).recordsOf(7);
    expect(expected.filter((r) => r.from !== r.until).map((r) => [r.from, r.until])).toEqual([[1, 10], [20, 30]]);
    for (const order of permutations(steps)) expect(history(order).recordsOf(7)).toEqual(expected);
  });

  it('lets a removal win over a listing at the same instant, in either order', () => {
    for (const order of permutations<Step>([[listing(4), false], [listing(4), true]])) expect(history(order).labelsAt(7, 4)).toEqual([]);
  });

  it('reports no change for a listing or removal it already holds', () => {
    const h = history([[listing(1), false], [listing(10), true]]);
    expect(h.apply(7, listing(1), false)).toBe(false);
    expect(h.apply(7, listing(10), true)).toBe(false);
    expect(h.apply(7, listing(3), false)).toBe(false); // inside the interval already
  });
});

const DPRK = '0x0330070fd38ec3bb94f58fa55d40368271e9e54a';
const at = (day: number): string => new Date(Date.UTC(2025, 1, day)).toISOString();
const deposit = (id: string, day: number): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at(day), accountId: `acct-${id}`, chain: 'ethereum', asset: 'ETH', amount: '1', usdValue: 3000, from: [DPRK], to: '0x52908400098527886e0f7030069857d2e4169ee7',
});
const intel = (label: string, day: number, source: string, removed = false): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address: DPRK, label, entity: 'DPRK front', source, confidence: 1, observedAt: at(day), ...(removed ? { removed } : {}) });
const sanctionsAlerts = (p: Pipeline, line: string): { severity: string; lookBack: unknown }[] =>
  p.process(line, { file: 't' }).alerts.filter((a) => a.typology === 'sanctions-exposure').map((a) => ({ severity: a.severity, lookBack: a.evidence.listedAfterTransfer }));

describe('delistings and look-back findings', () => {
  it('removes the dprk-linked label an SDN entry gave when its sanctioned label is removed', () => {
    const key = addressKey('ethereum', DPRK);
    const sdn = (label: string): { key: string; record: LabelRecord } => ({ key, record: { label, entity: 'DPRK front', source: 'ofac-sdn', confidence: 1, from: 0 } });
    const p = new Pipeline({ rules: rules(), labels: [sdn('sanctioned'), sdn('dprk-linked')] });
    expect(sanctionsAlerts(p, deposit('before-delisting', 2))).toEqual([{ severity: 'critical', lookBack: false }]);
    p.process(intel('sanctioned', 10, 'ofac-sdn', true), { file: 't' });
    expect(sanctionsAlerts(p, deposit('after-delisting', 12))).toEqual([]);
  });

  it('calls a transfer made before its counterparty was listed a high look-back finding', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    expect(sanctionsAlerts(p, deposit('early', 2))).toEqual([]);
    expect(sanctionsAlerts(p, intel('sanctioned', 10, 'intel'))).toEqual([{ severity: 'high', lookBack: true }]);
    expect(sanctionsAlerts(p, deposit('late', 12))).toEqual([{ severity: 'critical', lookBack: false }]);
  });
});

describe('a label listed and removed again and again', () => {
  it('keeps its newest MAX_INTERVALS intervals, so each change costs a bounded fold, and still answers as of now', () => {
    const h = new LabelHistory();
    const HOUR = 3_600_000;
    for (let i = 0; i < 2_000; i++) h.apply(7, listing(i * 2 * HOUR), false), h.apply(7, listing(i * 2 * HOUR + HOUR), true);
    h.apply(7, listing(4_000 * HOUR), false);
    expect(h.recordsOf(7).length).toBe(MAX_INTERVALS);
    expect(h.labelsAt(7, 4_000 * HOUR + 1).map((r) => r.label)).toEqual(['sanctioned']);
    expect(h.labelsAt(7, 3_999 * HOUR + 1)).toEqual([]); // inside the last removal
    expect(h.labelsAt(7, 3_998 * HOUR + 1).map((r) => r.label)).toEqual(['sanctioned']);
  });
});
