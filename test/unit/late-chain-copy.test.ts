/**
 * One transfer known twice (an exchange withdrawal and the chain's log of it) is one flow edge,
 * however late the chain's copy is read and however many other transfers the hot wallet made in
 * between. The copy was looked for among the sender's newest eight edges only: chain data read
 * 27 days late met a hot wallet that had since paid other customers' withdrawals, the transfer
 * was counted twice, and no forward of the DPRK cell it paid swept it (session 45 QA: no merge,
 * dprk-consolidation and dprk-it-payroll lost; 25 days late, or without the other customers, it
 * was caught).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { Decimal } from '../../src/money/decimal.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, USDT_ETH, prng, tokenLog, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const T0 = Date.UTC(2025, 0, 6);
const MINUTE = 60_000;
const usdt = (amount: string, time: number, ref: string) => ({ asset: 'USDT', amount: Decimal.parse(amount), usd: Decimal.parse(amount), time, ref });

describe('the chain copy of an exchange transfer', () => {
  it('is the same edge after the sender has paid more than eight others since (read late)', () => {
    const graph = new EntityGraph();
    const [hot, mid] = [graph.id('evm:hot'), graph.id('evm:mid')];
    graph.tick(T0 + 30 * DAY);
    expect(graph.addEdge(hot, mid, usdt('5943.24', T0, 'exchange-record'))).toBe(true);
    for (let i = 0; i < 12; i++) graph.addEdge(hot, graph.id(`evm:customer-${i}`), usdt('8000', T0 + 25 * DAY + i * HOUR, `other-${i}`));
    // The chain's log of the withdrawal, a minute later in block time, read after all of them.
    expect(graph.addEdge(hot, mid, usdt('5943.241222', T0 + MINUTE, 'chain-log'))).toBe(false);
    expect(graph.edgesIn(mid).map((e) => e.ref)).toEqual(['exchange-record']);
    // A second transfer of the same amount a day later is another edge.
    expect(graph.addEdge(hot, mid, usdt('5943.24', T0 + DAY, 'next-day'))).toBe(true);
  });

  it('is the same edge when a busy hot wallet paid many others between the two records\' times', () => {
    const graph = new EntityGraph();
    const [hot, mid] = [graph.id('evm:hot'), graph.id('evm:mid')];
    graph.tick(T0 + DAY);
    expect(graph.addEdge(hot, mid, usdt('100', T0, 'exchange-record'))).toBe(true);
    // Twenty withdrawals in the ten minutes before the block: too many to read on the sender's side.
    for (let i = 1; i <= 20; i++) graph.addEdge(hot, graph.id(`evm:customer-${i}`), usdt('50', T0 + i * 30_000, `other-${i}`));
    expect(graph.addEdge(hot, mid, usdt('100', T0 + 11 * MINUTE, 'chain-log'))).toBe(false);
    expect(graph.edgesIn(mid)).toHaveLength(1);
  });

  it('lets a worker\'s intermediate address that forwards its salary merge, with other customers\' withdrawals read before the late chain data', () => {
    const rand = prng(46);
    const hot = derivedEvm(50, 1);
    const mid = derivedEvm(51, 1);
    const consolidation = derivedEvm(52, 1);
    const withdrawal = transfer({ eventId: 'wd-worker', kind: 'withdrawal', time: T0, accountId: 'worker', chain: 'ethereum', asset: 'USDT', amount: 5_943.24, from: [hot], to: mid }, rand);
    const others = Array.from({ length: 10 }, (_, i) =>
      transfer({ eventId: `wd-other-${i}`, kind: 'withdrawal', time: T0 + 25 * DAY + i * HOUR, accountId: `other-${i}`, chain: 'ethereum', asset: 'USDT', amount: 8_000 + i, from: [hot], to: derivedEvm(60 + i, 1) }, rand));
    // The chain's copy of the withdrawal (its own hash, as the exchange's record need not carry the chain's) and the forward.
    const copy = tokenLog('ethereum', USDT_ETH, hot, mid, 5_943.241222, T0 + MINUTE, rand);
    const forward = tokenLog('ethereum', USDT_ETH, mid, consolidation, 5_913.52, T0 + 14 * HOUR, rand);
    const pipeline = new Pipeline({ rules: loadRuleSet(DEFAULT_RULES_DIR) });
    [withdrawal, ...others, copy, forward].forEach((line, i) => expect(pipeline.process(line, { file: 'test', line: i + 1 }).deadLetter).toBeUndefined());
    const cluster = (address: string): string => pipeline.graph.clusterName(pipeline.graph.id(`evm:${address.toLowerCase()}`));
    expect(cluster(mid)).toBe(cluster(consolidation));
    expect(pipeline.stats.merges).toBe(1);
  });
});
