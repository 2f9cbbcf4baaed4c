/**
 * Bitcoin value flow (chain QA, session 28): co-spend makes a transaction's inputs one cluster,
 * so each output is one flow edge from that cluster, in full. An edge per input and output, each
 * a share, had split a sanctioned wallet's payment from two coins under the per-hop floor, and a
 * transaction with more than 2,500 input-output pairs made no edge at all.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, prng } from '../../src/simulate/builders.js';
import { derivedBtc } from '../../src/simulate/derived.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 1);
const HOUR = 3_600_000;
const BTC = 100_000_000; // sats; about $95,000 at the default price table

const label = (address: string): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'bitcoin', address, label: 'sanctioned', entity: 'Listed wallet', source: 'test', confidence: 1, observedAt: new Date(T0 - HOUR).toISOString() });
const deposit = (id: string, from: string, btc: number, time: number): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: new Date(time).toISOString(), accountId: `acct-${id}`, chain: 'bitcoin', asset: 'BTC', amount: String(btc), from: [from], to: derivedBtc(99, 1) });

function sanctionsAlerts(lines: string[]): string[] {
  const p = new Pipeline({ rules: rules(), labels: [] });
  const out: string[] = [];
  for (const line of lines) {
    const r = p.process(line, { file: 't' });
    expect(r.deadLetter).toBeUndefined();
    for (const a of r.alerts) if (a.typology === 'sanctions-exposure') out.push(`${a.subject.accountId} ${a.severity} ${/in (\d+) hop/.exec(a.explanation)?.[1] ?? '?'}`);
  }
  return out;
}

describe('Bitcoin value flow', () => {
  it('traces a payment from a listed wallet that spends two coins as one payment, over the per-hop floor', () => {
    const rand = prng(3);
    const [listed, sibling, payee] = [derivedBtc(1, 1), derivedBtc(1, 2), derivedBtc(1, 3)];
    // $1,425 in all to the payee, from two coins of the listed wallet: two $712 shares before.
    const pay = bitcoinTx([{ address: listed, sats: BTC / 100 }, { address: sibling, sats: BTC / 100 }], [{ address: payee, sats: 1_500_000 }, { address: derivedBtc(1, 4), sats: 490_000 }], T0, rand);
    expect(sanctionsAlerts([label(listed), pay, deposit('payee', payee, 0.15, T0 + HOUR)])).toEqual(['acct-payee high 1']);
  });

  it('traces an output of a transaction with more inputs times outputs than 2,500', () => {
    const rand = prng(4);
    const listed = derivedBtc(2, 1);
    const inputs = [{ address: listed, sats: 10 * BTC }, ...Array.from({ length: 27 }, (_, i) => ({ address: derivedBtc(2, 100 + i), sats: 10_000 }))];
    const outputs = Array.from({ length: 90 }, (_, i) => ({ address: derivedBtc(2, 200 + i), sats: 10 * BTC / 100 }));
    const payout = bitcoinTx(inputs, outputs, T0, rand);
    expect(sanctionsAlerts([label(listed), payout, deposit('payee', outputs[7]!.address, 0.1, T0 + HOUR)])).toEqual(['acct-payee high 1']);
  });

  it('makes no edge for change: an output back to an input address', () => {
    const rand = prng(5);
    const [listed, payee] = [derivedBtc(3, 1), derivedBtc(3, 2)];
    const pay = bitcoinTx([{ address: listed, sats: BTC }], [{ address: payee, sats: BTC / 10 }, { address: listed, sats: BTC - BTC / 10 - 1_000 }], T0, rand);
    const p = new Pipeline({ rules: rules(), labels: [] });
    const result = p.process(pay, { file: 't' });
    expect(result.event?.type === 'chain' && result.event.transfers.map((t) => [t.from, t.to, t.amount.toString()])).toEqual([[`btc:${listed}`, `btc:${payee}`, '0.1']]);
  });
});
