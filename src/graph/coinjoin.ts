/**
 * CoinJoin detectors, per protocol (after GraphSense's heuristics service and docs/clustering.md),
 * plus a general equal-outputs rule. The classic BlockSci rule is deliberately not used: it
 * misses Whirlpool (p = 3 for 5 equal outputs) and Wasabi 1.x, and flags colored-coin
 * transfers. A co-spend merge is skipped whenever any detector fires.
 */
import type { BitcoinInput, BitcoinOutput } from '../chain/bitcoin.js';

export interface CoinJoinVerdict {
  protocol: 'whirlpool' | 'wasabi1' | 'wasabi2' | 'joinmarket' | 'equal-outputs';
  reason: string;
}

const WHIRLPOOL_POOLS = [100_000n, 1_000_000n, 5_000_000n, 50_000_000n];
const DUST = 2730n;

function valueCounts(outputs: BitcoinOutput[]): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  for (const o of outputs) if (o.type !== 'op_return') counts.set(o.value, (counts.get(o.value) ?? 0) + 1);
  return counts;
}

function mostCommon(counts: Map<bigint, number>, minValue = 0n): [bigint, number] {
  let best: [bigint, number] = [0n, 0];
  for (const [v, c] of counts) if (v > minValue && (c > best[1] || (c === best[1] && v > best[0]))) best = [v, c];
  return best;
}

function distinctCount(values: (string | null)[]): number {
  return new Set(values.filter((v) => v !== null)).size;
}

function topInputShare(inputs: BitcoinInput[]): number {
  const counts = new Map<string, number>();
  for (const i of inputs) if (i.address) counts.set(i.address, (counts.get(i.address) ?? 0) + 1);
  return Math.max(0, ...counts.values()) / Math.max(1, inputs.length);
}

function whirlpool(inputs: BitcoinInput[], outputs: BitcoinOutput[]): CoinJoinVerdict | undefined {
  const n = outputs.length;
  if (n < 5 || n > 8 || inputs.length !== n) return undefined;
  const d = outputs[0]!.value;
  if (!WHIRLPOOL_POOLS.includes(d) || outputs.some((o) => o.value !== d)) return undefined;
  if (distinctCount(outputs.map((o) => o.address)) !== n) return undefined;
  // Prevout values, where known, must lie in [d, d + 110,000 sat] (premix input = d + fee slack).
  if (inputs.some((i) => i.value > 0n && (i.value < d || i.value > d + 110_000n))) return undefined;
  return { protocol: 'whirlpool', reason: `${n}x${n} mix of ${d} sat` };
}

/**
 * Wasabi 1.x: a base denomination near 0.1 BTC (it drifted between rounds, e.g. 10,944,832 sat)
 * taken by most participants, plus mixing levels at about 2^k times it for larger inputs.
 */
function wasabi1(inputs: BitcoinInput[], outputs: BitcoinOutput[]): CoinJoinVerdict | undefined {
  if (inputs.length < 10 || topInputShare(inputs) > 0.1) return undefined;
  const [d, n] = mostCommon(valueCounts(outputs), DUST);
  if (n < 5 || d < 8_000_000n || d > 12_000_000n) return undefined;
  const near = (v: bigint, target: number): boolean => Math.abs(Number(v) - target) <= target * 0.01;
  const levels = outputs.filter((o) => [1, 2, 4, 8, 16].some((k) => near(o.value, Number(d) * k))).length;
  if (levels < (outputs.length - 1) / 2) return undefined;
  const distinctIn = distinctCount(inputs.map((i) => i.address));
  if (distinctIn < n || distinctIn > 7 * n) return undefined;
  if (distinctCount(outputs.map((o) => o.address)) !== outputs.filter((o) => o.address).length) return undefined;
  return { protocol: 'wasabi1', reason: `${n} outputs of ${d} sat and ${levels - n} at its mixing levels, ${inputs.length} inputs` };
}

function wasabi2(inputs: BitcoinInput[], outputs: BitcoinOutput[]): CoinJoinVerdict | undefined {
  if (inputs.length < 20 || topInputShare(inputs) > 0.1) return undefined;
  if (outputs.some((o) => o.value < 5000n)) return undefined;
  const counts = valueCounts(outputs);
  const denominations = [...counts].filter(([, c]) => c >= 2);
  const denominated = denominations.reduce((s, [, c]) => s + c, 0);
  // Every output denominated is a WabiSabi round too (its participants' change fell into
  // denominations): leaving it out had merged all 30 inputs of such a round (QA).
  if (denominations.length < 3 || denominated < (outputs.length - 1) / 2) return undefined;
  return { protocol: 'wasabi2', reason: `${denominations.length} repeated denominations over ${denominated} of ${outputs.length} outputs` };
}

/** Outputs other than the `n` of the equal value, OP_RETURN not counted. */
function othersThan(counts: Map<bigint, number>, n: number): number {
  let all = 0;
  for (const c of counts.values()) all += c;
  return all - n;
}

/**
 * Whether n equal outputs with `others` besides them look like a batch payout rather than a
 * join: a join's participants each take change (n - 1 or more besides the equal outputs, or
 * none at all when every one put in an exact amount); a wallet paying n payees the same sum
 * takes one change output (QA: 3 payouts of 1,000,000 sat with one change were read as a
 * JoinMarket round, the payees labelled mixer and the payer's inputs left unmerged).
 */
const batchPayout = (n: number, others: number): boolean => others > 0 && others < n - 1;

function joinmarket(inputs: BitcoinInput[], outputs: BitcoinOutput[]): CoinJoinVerdict | undefined {
  const counts = valueCounts(outputs);
  const [d, n] = mostCommon(counts, DUST);
  if (n < 3 || n < outputs.length / 2) return undefined;
  if (n > distinctCount(inputs.map((i) => i.address))) return undefined;
  if (distinctCount(outputs.map((o) => o.address)) !== outputs.filter((o) => o.address).length) return undefined;
  if (outputs.length === n) return undefined; // JoinMarket always has change outputs
  if (batchPayout(n, othersThan(counts, n))) return undefined;
  if (fundersOf(inputs, d) < n) return undefined;
  if (inputs.length >= 50 && (inputs.length / n > 20 || outputs.length / n < 1.7)) return undefined;
  return { protocol: 'joinmarket', reason: `${n} equal outputs of ${d} sat with change` };
}

/**
 * How many participants (distinct input addresses; an input without one is a participant of its
 * own) put in at least `d` each: in a join each of the n who take an equal output funded it. A
 * wallet paying n payees the same sum from inputs that do not each reach it is no join (QA: 3
 * payouts of 1,000,000 sat from inputs of 1.1, 1.2 and 0.8 million were read as one, the payees
 * labelled mixer). Infinity when an input's value is unknown (0): then nothing is concluded.
 */
function fundersOf(inputs: readonly BitcoinInput[], d: bigint): number {
  const byAddress = new Map<string, bigint>();
  let own = 0;
  for (const input of inputs) {
    if (input.value <= 0n) return Number.POSITIVE_INFINITY;
    if (input.address === null) {
      if (input.value >= d) own++;
    } else byAddress.set(input.address, (byAddress.get(input.address) ?? 0n) + input.value);
  }
  let funders = own;
  for (const total of byAddress.values()) if (total >= d) funders++;
  return funders;
}

/** A general guard: many equal-valued outputs funded by several distinct input addresses, each able to fund one. */
function equalOutputs(inputs: BitcoinInput[], outputs: BitcoinOutput[]): CoinJoinVerdict | undefined {
  const counts = valueCounts(outputs);
  const [d, n] = mostCommon(counts, DUST);
  const distinctIn = distinctCount(inputs.map((i) => i.address));
  if (n >= 3 && distinctIn >= 3 && n <= distinctIn && n >= outputs.length / 3 && !batchPayout(n, othersThan(counts, n)) && fundersOf(inputs, d) >= n) {
    return { protocol: 'equal-outputs', reason: `${n} outputs of ${d} sat from ${distinctIn} input addresses` };
  }
  return undefined;
}

function isStonewall(outputs: BitcoinOutput[]): boolean {
  if (outputs.length < 3 || outputs.length > 4) return false;
  const repeated = [...valueCounts(outputs).values()].filter((c) => c >= 2);
  return repeated.length === 1 && repeated[0] === 2;
}

const DETECTORS = [whirlpool, wasabi1, wasabi2, joinmarket, equalOutputs];

/**
 * Returns why a transaction is a CoinJoin, or undefined. `exchangeInput` drops the JoinMarket
 * and Wasabi 1.x verdicts, whose shapes an exchange batch payout can mimic.
 */
export function detectCoinJoin(inputs: BitcoinInput[], outputs: BitcoinOutput[], exchangeInput = false): CoinJoinVerdict | undefined {
  if (inputs.length < 2) return undefined;
  for (const detect of DETECTORS) {
    const verdict = detect(inputs, outputs);
    if (!verdict) continue;
    if (exchangeInput && (verdict.protocol === 'joinmarket' || verdict.protocol === 'wasabi1')) continue;
    // Stonewall mimics a mini-CoinJoin but is one wallet's spend: only the Whirlpool shape survives it.
    if (verdict.protocol !== 'whirlpool' && isStonewall(outputs)) return undefined;
    return verdict;
  }
  return undefined;
}
