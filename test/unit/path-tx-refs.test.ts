/**
 * The transaction a hop of an exposure path went through, as an analyst pastes it into an
 * explorer: an EVM hash with its `0x` (the graph keeps chain hashes bare so that an exchange's
 * record and the chain's log of one transaction compare equal), a Tron id without one.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, label, prng, tokenLog, transfer, tronAddress, USDC_ETH, USDT_TRON } from '../../src/simulate/builders.js';
import { rules, sampleLines } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 4, 1);

interface Hop { address: string; via?: { ref: string } }

function sanctionsPathRefs(chain: 'ethereum' | 'tron', seed: number): { sent: string; shown: string[] } {
  const rand = prng(seed);
  const [listed, mid, deposit] = chain === 'ethereum' ? [evmAddress(rand), evmAddress(rand), evmAddress(rand)] : [tronAddress(rand), tronAddress(rand), tronAddress(rand)];
  const hop = tokenLog(chain, chain === 'ethereum' ? USDC_ETH : USDT_TRON, listed, mid, 9_000, T0 + DAY, rand);
  const lines = [
    label(chain, listed, 'sanctioned', 'SDN entry', T0),
    hop,
    transfer({ eventId: 'ev-dep', kind: 'deposit', time: T0 + 2 * DAY, accountId: 'acct-1', chain, asset: chain === 'ethereum' ? 'USDC' : 'USDT', amount: 9_000, from: [mid], to: deposit }, rand),
  ];
  const p = new Pipeline({ rules: rules() });
  const alerts: Alert[] = lines.flatMap((l, i) => p.process(l, { line: i + 1 }).alerts);
  const withPath = alerts.find((a) => Array.isArray(a.evidence.path) && (a.evidence.path as Hop[]).length > 1);
  expect(withPath, 'an alert with a hop path').toBeDefined();
  const shown = (withPath!.evidence.path as Hop[]).flatMap((h) => (h.via ? [h.via.ref] : []));
  return { sent: (JSON.parse(hop) as { txHash: string }).txHash, shown };
}

describe('exposure path hops name their transaction as an explorer does', () => {
  it('an Ethereum hop keeps the 0x of its hash', () => {
    const { sent, shown } = sanctionsPathRefs('ethereum', 5);
    expect(sent.startsWith('0x')).toBe(true);
    expect(shown).toContain(sent.toLowerCase());
  });

  it('a Tron hop has no 0x', () => {
    const { sent, shown } = sanctionsPathRefs('tron', 6);
    const bare = sent.replace(/^0x/, '').toLowerCase();
    expect(shown).toContain(bare);
    expect(shown.every((r) => !r.startsWith('0x'))).toBe(true);
  });

  it("a graph change's cause names addresses and EVM transactions as an explorer does, on the sample", () => {
    const p = new Pipeline({ rules: rules() });
    const changes = sampleLines().flatMap((l, i) => p.process(l, { line: i + 1 }).alerts).flatMap((a) => (a.evidence.graphChange ? [a.evidence.graphChange as { kind: string; cause: Record<string, string> }] : []));
    const flows = changes.filter((c) => c.kind === 'flow');
    const merges = changes.filter((c) => c.kind === 'merge' && c.cause.heuristic === 'forwarding');
    expect(flows.length).toBeGreaterThan(0);
    expect(merges.length).toBeGreaterThan(0);
    expect(JSON.stringify(changes)).not.toMatch(/"(evm|btc|tron):/);
    for (const c of flows) expect(c.cause.flow).toMatch(/^0x[0-9a-f]{64}$/);
    for (const c of merges) expect(c.cause.ref).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
