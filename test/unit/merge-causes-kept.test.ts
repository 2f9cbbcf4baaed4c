/**
 * An alert that reaches a labelled address through a co-spend cluster names the transactions
 * that merged it (`sameClusterAs.mergedBy`). A cluster's record holds those causes; it was swept
 * as stale once it had no touches and no labels, so a cluster built from a chain of co-spends and
 * followed by other clusters' creation named none of its merges (session 42 chain QA: `mergedBy: []`).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, btcAddress, DAY, label, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 3, 1);

describe('merge causes', () => {
  it('stay with a cluster that has no touches or labels while its merges are recent, and an alert names them all', () => {
    const rand = prng(42);
    const [a, b, c, d] = Array.from({ length: 4 }, () => btcAddress(rand));
    const lines: string[] = [];
    const txids: string[] = [];
    // a+b, b+c, c+d: one cluster of four, merged by three transactions.
    for (const [x, y] of [[a, b], [b, c], [c, d]] as const) {
      const line = bitcoinTx([{ address: x!, sats: 300_000 }, { address: y!, sats: 200_000 }], [{ address: btcAddress(rand), sats: 490_000 }], T0, rand);
      txids.push((JSON.parse(line) as { txid: string }).txid);
      lines.push(line);
    }
    // Other clusters made afterwards: each new cluster record sweeps two old ones.
    for (let i = 0; i < 30; i++) lines.push(bitcoinTx([{ address: btcAddress(rand), sats: 300_000 }, { address: btcAddress(rand), sats: 200_000 }], [{ address: btcAddress(rand), sats: 490_000 }], T0 + i * 60_000, rand));
    lines.push(label('bitcoin', d!, 'sanctioned', 'SDN entity', T0 + DAY));
    lines.push(transfer({ eventId: 'dep-1', kind: 'deposit', time: T0 + 2 * DAY, accountId: 'acct-1', chain: 'bitcoin', asset: 'BTC', amount: 0.01, from: [a!], to: btcAddress(rand) }, rand));

    const pipeline = new Pipeline({ rules: rules() });
    const alerts = lines.flatMap((line, i) => pipeline.process(line, { line: i + 1 }).alerts);
    const sanctions = alerts.filter((alert) => alert.typology === 'sanctions-exposure');
    expect(sanctions.length).toBeGreaterThan(0);
    const text = JSON.stringify(sanctions[0]!.evidence);
    const mergedBy = /"mergedBy":(\[[^\]]*\])/.exec(text);
    expect(mergedBy, text).not.toBeNull();
    const refs = (JSON.parse(mergedBy![1]!) as { ref: string }[]).map((m) => m.ref).sort();
    expect(refs).toEqual([...txids].sort());
  });
});
