/**
 * Stored transaction refs (tx-ref.ts): a 64-hex transaction id, bare or after `0x`, is packed
 * into 33 one-byte code units; every other ref is kept as text. Whatever the form, the text
 * comes back exact, two stored refs are equal exactly when their texts are, and comparing them
 * orders them as their texts.
 */
import { describe, expect, it } from 'vitest';
import { graphFromSection, graphSectionBytes } from '../helpers/graph-section.js';
import { byCauseTime, EntityGraph, type StoredCause } from '../../src/graph/entity-graph.js';
import { compareStoredRefs, sameTransactionRef, shownRef, storeRef } from '../../src/graph/tx-ref.js';
import { Decimal } from '../../src/money/decimal.js';
import { prng } from '../../src/simulate/builders.js';

const hex64 = (rand: () => number): string => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

/** Every form that reaches the graph, and the near misses that must stay text. */
function refForms(): string[] {
  const rand = prng(7);
  const id = hex64(rand);
  const forms = [
    id, // a chain event's hash, bare: EVM, Tron and Bitcoin ids alike
    `0x${id}`, // an exchange record's hash as sent
    `0X${id}`,
    id.toUpperCase(),
    `0x${id.toUpperCase()}`,
    `${id.slice(0, 10)}A${id.slice(11)}`, // one digit in upper case
    id.slice(1), // 63 digits
    `${id}0`, // 65 digits
    `0x${id.slice(1)}`,
    `0x${id}0`,
    `${id.slice(0, 63)}g`,
    `${id.slice(0, 63)}\u0660`, // a digit of another script
    `${id.slice(0, 63)}\uff41`, // full-width a
    'wd-000123', // the event id an exchange withdrawal without a hash falls back to
    'ev-dep',
    '0x',
    '',
    '\u0000',
    '\u0001',
    `\u0001${id.slice(0, 32)}`, // text that looks like a packed id
    `\u0002${id}`,
    '\u0003tx',
    'tx-é',
    '0000000000000000000000000000000000000000000000000000000000000000',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    `0x${'f'.repeat(64)}`,
  ];
  for (let i = 0; i < 40; i++) {
    const more = hex64(rand);
    forms.push(more, `0x${more}`, more.slice(0, 20), `0x${more.slice(0, 30)}`);
  }
  // Ids that share long prefixes: order decided late in the digits.
  forms.push(`${id.slice(0, 62)}00`, `${id.slice(0, 62)}0f`, `${id.slice(0, 62)}f0`, `0x${id.slice(0, 62)}ff`);
  return [...new Set(forms)];
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const textOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const bare = (ref: string): string => (ref.startsWith('0x') || ref.startsWith('0X') ? ref.slice(2) : ref).toLowerCase();

describe('stored transaction refs', () => {
  it('give back the exact text of every form', () => {
    for (const text of refForms()) expect(shownRef(storeRef(text))).toBe(text);
  });

  it('pack a lower-case 64-hex id, bare or after 0x, into 33 code units, and keep anything else as it came', () => {
    const id = 'ab'.repeat(32);
    expect(storeRef(id)).toHaveLength(33);
    expect(storeRef(`0x${id}`)).toHaveLength(33);
    for (const text of [id.toUpperCase(), `0X${id}`, id.slice(2), 'wd-000123', '']) expect(storeRef(text)).toBe(text);
    // Text whose first unit could pass for a packed id's marker is escaped, so it cannot meet one.
    expect(storeRef(`\u0001${'\u00ab'.repeat(32)}`)).not.toBe(storeRef(id));
  });

  it('are equal exactly when their texts are, whichever was stored first', () => {
    const forms = refForms();
    const stored = forms.map(storeRef);
    const again = [...forms].reverse().map(storeRef).reverse();
    for (let i = 0; i < forms.length; i++) {
      for (let j = 0; j < forms.length; j++) expect(stored[i] === again[j], `${JSON.stringify(forms[i])} vs ${JSON.stringify(forms[j])}`).toBe(forms[i] === forms[j]);
    }
  });

  it('compare as their texts do, for every pair of forms', () => {
    const forms = refForms();
    const stored = forms.map(storeRef);
    for (let i = 0; i < forms.length; i++) {
      for (let j = 0; j < forms.length; j++) expect(sign(compareStoredRefs(stored[i]!, stored[j]!)), `${JSON.stringify(forms[i])} vs ${JSON.stringify(forms[j])}`).toBe(textOrder(forms[i]!, forms[j]!));
    }
  });

  it('name one transaction as the texts do, with or without 0x and in any letter case', () => {
    const forms = refForms();
    const stored = forms.map(storeRef);
    for (let i = 0; i < forms.length; i++) {
      for (let j = 0; j < forms.length; j++) expect(sameTransactionRef(stored[i]!, stored[j]!)).toBe(bare(forms[i]!) === bare(forms[j]!));
    }
  });

  it('sort merge causes as their texts sorted them', () => {
    const rand = prng(11);
    const forms = refForms();
    const causes = Array.from({ length: 300 }, () => ({ heuristic: rand() < 0.5 ? 'co-spend' as const : 'forwarding' as const, text: forms[Math.floor(rand() * forms.length)]!, time: Math.floor(rand() * 3) }));
    const byText = [...causes].sort((a, b) => a.time - b.time || textOrder(a.text, b.text) || textOrder(a.heuristic, b.heuristic));
    const stored = causes.map((c): StoredCause => ({ heuristic: c.heuristic, ref: storeRef(c.text), time: c.time })).sort(byCauseTime);
    expect(stored.map((c) => [c.time, shownRef(c.ref), c.heuristic])).toEqual(byText.map((c) => [c.time, c.text, c.heuristic]));
  });

  it('leave the graph as the text they came in as: merge causes, and edges through a checkpoint', async () => {
    const id = '7e'.repeat(32);
    const graph = new EntityGraph();
    const [a, b, c] = ['evm:0xa', 'evm:0xb', 'evm:0xc'].map((k) => graph.id(k)) as [number, number, number];
    for (const x of [a, b, c]) graph.addTouch({ eventId: `t${x}`, accountId: 'acct', kind: 'deposit', time: 1, address: x });
    graph.addEdge(a, b, { asset: 'USDC', amount: Decimal.parse('1'), usd: null, time: 1, ref: `0x${id}` });
    graph.addEdge(b, c, { asset: 'USDC', amount: Decimal.parse('1'), usd: null, time: 2, ref: id });
    graph.addEdge(c, a, { asset: 'USDC', amount: Decimal.parse('1'), usd: null, time: 3, ref: 'wd-9' });
    graph.merge(a, b, { heuristic: 'forwarding', ref: id, time: 2 }, 'm1');
    expect(graph.edgesOut(a)[0]!.ref).toHaveLength(33);
    expect(graph.mergeCauses(a).map((x) => shownRef(x.ref))).toEqual([id]);

    const bytes = await graphSectionBytes(graph);
    // The checkpoint holds the refs' text, as before packing: no format change.
    expect(bytes.includes(`"0x${id}"`)).toBe(true);
    expect(bytes.includes(`"${id}"`)).toBe(true);
    const copy = await graphFromSection(bytes);
    const refsOf = (g: EntityGraph): string[] => [a, b, c].flatMap((x) => [...g.edgesOut(x), ...g.edgesIn(x)].map((e) => shownRef(e.ref)));
    expect(refsOf(copy)).toEqual(refsOf(graph));
    expect(refsOf(copy)).toEqual([`0x${id}`, 'wd-9', id, `0x${id}`, 'wd-9', id]);
    expect(copy.edgesOut(a)[0]!.ref).toBe(graph.edgesOut(a)[0]!.ref);
    expect(copy.mergeCauses(a).map((x) => shownRef(x.ref))).toEqual([id]);
  });
});
