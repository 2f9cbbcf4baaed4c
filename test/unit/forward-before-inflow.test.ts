/**
 * Forwarding (deposit-address reuse) merges an address into the cluster it forwards to. The
 * forward may reach the monitor before the inflow it forwards: chain data ahead of the exchange's
 * withdrawal, or logs out of order. The merge must not depend on which came first (it was made
 * only when the forward arrived after its inflow, and the consolidation typology was lost when
 * the chain topic was read first).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, USDT_ETH, prng, tokenLog, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { scoreAlerts, type Score, type Truth } from '../../src/replay/score.js';
import { ofacLabels, sampleLines, truthPath } from '../helpers/sample.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 2, 3);
const worker = derivedEvm(40, 1);
const consolidation = derivedEvm(41, 1);
const funder = derivedEvm(42, 1);

/** A withdrawal to the worker's address, and the worker forwarding `share` of it an hour later. */
function messages(share: number): { withdrawal: string; forward: string; inflowLog: string } {
  const rand = prng(9);
  return {
    withdrawal: transfer({ eventId: 'wd-1', kind: 'withdrawal', time: T0, accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: 4_000, to: worker }, rand),
    forward: tokenLog('ethereum', USDT_ETH, worker, consolidation, 4_000 * share, T0 + HOUR, rand),
    inflowLog: tokenLog('ethereum', USDT_ETH, funder, worker, 4_000, T0 - DAY, rand),
  };
}

function replay(lines: string[]): Pipeline {
  const pipeline = new Pipeline({ rules });
  lines.forEach((line, i) => {
    const result = pipeline.process(line, { file: 'test', line: i + 1 });
    expect(result.deadLetter).toBeUndefined();
  });
  return pipeline;
}

const clusterOf = (p: Pipeline, address: string): string => p.graph.clusterName(p.graph.id(`evm:${address.toLowerCase()}`));

describe('a forward seen before the inflow it forwards', () => {
  it('merges the forwarding address as when the inflow came first, with the same cause (withdrawal inflow)', () => {
    const m = messages(0.98);
    const inOrder = replay([m.withdrawal, m.forward]);
    const reversed = replay([m.forward, m.withdrawal]);
    expect(clusterOf(inOrder, worker)).toBe(clusterOf(inOrder, consolidation));
    expect(clusterOf(reversed, worker)).toBe(clusterOf(reversed, consolidation));
    expect(clusterOf(reversed, worker)).toBe(clusterOf(inOrder, worker));
    expect(reversed.stats.merges).toBe(1);
    const causes = (p: Pipeline): unknown => p.graph.mergeCauses(p.graph.id(`evm:${worker.toLowerCase()}`));
    expect(causes(reversed)).toEqual(causes(inOrder));
  });

  it('merges the same way when the inflow is a chain log that arrives after the forward', () => {
    const m = messages(0.95);
    const inOrder = replay([m.inflowLog, m.forward]);
    const reversed = replay([m.forward, m.inflowLog]);
    expect(clusterOf(inOrder, worker)).toBe(clusterOf(inOrder, consolidation));
    expect(clusterOf(reversed, worker)).toBe(clusterOf(inOrder, worker));
  });

  it('does not merge in either order when the outflow is not most of the inflow', () => {
    const m = messages(0.5);
    for (const order of [[m.withdrawal, m.forward], [m.forward, m.withdrawal]]) {
      const p = replay(order);
      expect(clusterOf(p, worker)).not.toBe(clusterOf(p, consolidation));
      expect(p.stats.merges).toBe(0);
    }
  });
});

describe('the bundled sample read one topic after another', () => {
  const lines = sampleLines();
  const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as Truth;
  const isChain = (line: string): boolean => line.includes('"schema":"chain.');
  const scored = (ordered: string[]): Score => {
    const pipeline = new Pipeline({ rules, labels: ofacLabels() });
    const alerts = ordered.flatMap((line, i) => pipeline.process(line, { file: 'sample', line: i + 1 }).alerts);
    return scoreAlerts(alerts, truth);
  };

  it('finds every planted typology and no wrong account whether the chain topics are read first or last', () => {
    for (const ordered of [[...lines.filter(isChain), ...lines.filter((l) => !isChain(l))], [...lines.filter((l) => !isChain(l)), ...lines.filter(isChain)]]) {
      const score = scored(ordered);
      for (const [typology, r] of Object.entries(score.recall)) expect([typology, r.found]).toEqual([typology, r.planted]);
      expect(score.precision.wrong).toEqual([]);
    }
  });
});
