/**
 * The enrich stage's writers: chain events and labels change the graph, exchange transfers add
 * value-flow edges and touches. Heuristics:
 * - Bitcoin co-spend: the input addresses of a transaction merge, unless a CoinJoin detector fires.
 *   Change outputs are detected and reported, never merged.
 * - EVM/Tron forwarding (deposit-address reuse): an unlabelled address that sweeps what it
 *   received since its previous outflow of the asset (within `forwardWithin`), at least
 *   `forwardRatio` of it, to one address joins the receiver's cluster. A deposit address sweeps
 *   its balance; a hot wallet that pays a withdrawal out of many inflows pays a piece of it and
 *   stays apart (QA: matching any one inflow had merged a busy service's hot wallet into a
 *   sanctioned payee's cluster, and with it every other customer of that service). Never on a
 *   token no registry knows, through a contract that passes inflows on in the same transaction,
 *   into the exchange's own addresses, or into a cluster listed as a risk (only unlabelled
 *   clusters and custodial services' absorb forwards; session 28's chain QA).
 * - Split sweeps (session 65): a sweep paid in 2 to SPLIT_PARTS parts into one address, each
 *   within SPLIT_GAP of the one before, and no outflow of the asset elsewhere between them, is
 *   judged as one outflow of their sum, by both rules (the 72-hour one and the held one): a worker's
 *   wallet that passed each salary on in two or three transfers never joined (qa-payroll
 *   `--split`: 0 of 10 and 0 of 12 via-own workers per seed). Every prefix of the parts is
 *   tried, as event order would have tried it at each part, so the parts' arrival order does not
 *   change the outcome (splitSweeps).
 * - Held pay: past `forwardWithin`, up to `heldForwardWithin`, only a held wallet's sweep joins
 *   (sweepsHeldPay): one inflow since the wallet's previous outflow, swept whole (98% to 100.01%
 *   of it) by the wallet's next outflow. A worker's wallet may hold the pay a few days before it
 *   sweeps into the consolidation address (typologies.md: forwarded "within days"; session 46 QA
 *   saw holds of 80 to 140 hours, 0 of 8 joined at 72 h), and only into an address another
 *   wallet paid in the 30 days before, in the sweep's asset and a tenth of it or more (a shared
 *   destination, not one's own deposit address at a service); a saver paying rent out of the pay, a wallet with other income and a hot wallet
 *   with many inflows do not qualify.
 */
import type { ParsedBitcoinTx } from '../chain/bitcoin.js';
import { isUnregisteredToken } from '../chain/evm.js';
import type { ChainEvent, LabelEvent, TransferEvent } from '../decode/events.js';
import { Decimal } from '../money/decimal.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { detectCoinJoin, type CoinJoinVerdict } from './coinjoin.js';
import { sameAmount, type EntityGraph, type FlowEdge, type GraphChange } from './entity-graph.js';
import { sameTransactionRef, shownRef, storeRef } from './tx-ref.js';
import { COINJOIN_LABEL, CoinJoinLabeller, coinJoinKey, isCoinJoinKey } from './coinjoin-labels.js';
import { CUSTODIAL_SERVICE_LABELS } from './label-scope.js';

export interface ClusteringOptions {
  /** @defaultValue 0.9 */
  forwardRatio: number;
  /** ms. @defaultValue 72 hours */
  forwardWithin: number;
  /** ms: how long a held wallet may keep one inflow and still join where it sweeps it whole (sweepsHeldPay). @defaultValue 7 days */
  heldForwardWithin: number;
}

export const DEFAULT_CLUSTERING: ClusteringOptions = { forwardRatio: 0.9, forwardWithin: 72 * 3_600_000, heldForwardWithin: 7 * 24 * 3_600_000 };

const FORWARD_CEILING = Decimal.parse('1.0001');
/** The least share of a held wallet's one inflow its sweep must carry past forwardWithin (fees and gas aside, all of it). */
const HELD_SWEEP_FLOOR = Decimal.parse('0.98');
/** Outflows at one time that heldSweepsOf reads at most (a wallet that holds pay has few). */
const HELD_LOOK = 4;
/** In-edges at or before a sweep that sweepsHeldPay reads at most (gas in other assets, the pay): a busy address gives up in a few. */
const HELD_INFLOWS_READ = 16;
/** How far back a held sweep's receiver must have been paid by another wallet (T4's 30 days). */
const SHARED_DESTINATION_WITHIN = 30 * 24 * 3_600_000;
/** The least share of a held sweep another wallet's payment into its receiver must carry to make it a shared destination (not dust). */
const SHARED_PAYMENT_FLOOR = Decimal.parse('0.1');
/** Parts of one split sweep at most: a wallet paying one address more often than this, each within SPLIT_GAP of the last, is no sweep of one pay. */
const SPLIT_PARTS = 4;
/** The longest gap between two parts of one split sweep (payer-risk's `paymentGroupWithin` of the consolidation rules: a day). */
const SPLIT_GAP = 24 * 3_600_000;
/** Out-edges of another asset stepped over at most while a split sweep's parts are read, each way. */
const SPLIT_OTHER_ASSETS_READ = 4;
/** Outflows of an address read to tell a pass-through contract (see GraphWriter.passesThrough). */
const PASS_THROUGH_LOOK = 4;
/** The label an SDN import gives beside `sanctioned` for DPRK programs, from the same source. */
const DERIVED_FROM_SANCTIONED = 'dprk-linked';
const SPLIT_PLACES = 18;
/** Inputs of one co-spend linked to its payer at most (GraphWriter.linkCoSpent). */
export const MAX_COSPEND_LINKS = 64;

/** What a chain event did to the graph, for evidence and for the rules. */
export interface ChainOutcome {
  changes: GraphChange[];
  coinjoin?: CoinJoinVerdict;
  /** Output address a change heuristic picked (reported only). */
  change?: { address: string; heuristic: string };
  /**
   * Each transfer's sender and receiver ids, two per transfer in order, as interned while the
   * event was applied (a reader of the same message need not look the addresses up again).
   * Absent for a CoinJoin, whose transfers the writer does not apply.
   */
  transferIds?: number[];
  /**
   * The forwarding address of each merge that a forward seen before its inflow caused (see
   * GraphWriter.forwardedAlready): where a re-examination starts, as it would from the forward.
   */
  forwarders?: Map<GraphChange, number>;
  /**
   * The id of the event's first input address, else of its first transfer's sender, when the
   * writer interned it: where a re-examination of its changes starts upstream (workOfChain).
   */
  originId?: number;
}

/** What applying an exchange transfer did to the graph. */
export interface TransferOutcome {
  /** The external addresses' ids (a deposit's senders, a withdrawal's receiver), in order. */
  counterpartyIds: readonly number[];
  /** Merges its withdrawal edge caused: its receiver had already forwarded the funds (see forwardedAlready). */
  changes: readonly GraphChange[];
}

/** Shared by every outcome without changes; never written (a list is made for the first change). */
const NO_CHANGES: readonly GraphChange[] = Object.freeze([]);
/** Shared by every look-up that finds no edge; never written. */
const NO_EDGES: readonly FlowEdge[] = Object.freeze([]);

/**
 * GraphSense's one-time-change rule, and direct change (output pays an input address), for a
 * transaction at `time`; `outputIds` holds each output's id (-1: no address), as interned for it.
 */
export function detectChange(graph: EntityGraph, tx: ParsedBitcoinTx, outputIds: readonly number[], time: number): { address: string; heuristic: string } | undefined {
  const inputAddresses = new Set(tx.inputs.map((i) => i.address).filter((a) => a !== null));
  const direct = tx.outputs.find((o) => o.address !== null && inputAddresses.has(o.address));
  if (direct) return { address: direct.address!, heuristic: 'direct-change' };
  if (tx.outputs.length < 2 || tx.outputs.length > 10) return undefined;
  const inputTypes = new Set(tx.inputs.map((i) => (i.address ?? '').slice(4, 7)));
  const minInput = tx.inputs.reduce((m, i) => (i.value < m ? i.value : m), tx.inputs[0]?.value ?? 0n);
  const candidates = tx.outputs.filter((o, k) => {
    if (o.address === null || o.value % 1000n === 0n || o.value >= minInput) return false;
    if (inputTypes.size !== 1 || !inputTypes.has(o.address.slice(4, 7))) return false;
    return !graph.seenBefore(outputIds[k]!, time);
  });
  return candidates.length === 1 ? { address: candidates[0]!.address!, heuristic: 'one-time-change' } : undefined;
}

export class GraphWriter {
  /** CoinJoin participants become mixer-labelled (bounded; src/graph/coinjoin-labels.ts). */
  readonly coinjoinLabels: CoinJoinLabeller;
  /** options.forwardRatio as the exact decimal its text names. */
  private readonly forwardRatio: Decimal;

  constructor(readonly graph: EntityGraph, readonly options: ClusteringOptions = DEFAULT_CLUSTERING) {
    this.coinjoinLabels = new CoinJoinLabeller(graph);
    this.forwardRatio = Decimal.fromNumber(options.forwardRatio);
  }

  applyLabel(event: LabelEvent): GraphChange[] {
    const m = event.msg;
    const id = this.graph.id(event.key);
    const record = { label: m.label, source: m.source, confidence: m.confidence ?? 1, from: event.time, ...(m.entity !== undefined ? { entity: m.entity } : {}), ...(event.detail ? { detail: event.detail } : {}) };
    const change = this.graph.addLabel(id, record, m.removed === true, event.eventId);
    const changes = change ? [change] : [];
    // A delisting removes what the listing gave: an SDN entry under a DPRK program is also
    // `dprk-linked` from the same source (src/intel/ofac.ts), which a removal of `sanctioned` alone
    // had left in force (QA).
    if (m.removed === true && m.label === 'sanctioned' && this.graph.labelRecords(id).some((r) => r.label === DERIVED_FROM_SANCTIONED && r.source === m.source)) {
      const derived = this.graph.addLabel(id, { ...record, label: DERIVED_FROM_SANCTIONED }, true, event.eventId);
      if (derived) changes.push(derived);
    }
    return changes;
  }

  applyChain(event: ChainEvent): ChainOutcome {
    const graph = this.graph;
    const changes: GraphChange[] = [];
    const outcome: ChainOutcome = { changes };
    // A Bitcoin transaction's addresses are interned once each, here: its transfers and co-spend
    // links find their ids again by address among them (an index look-up is a cache miss or two).
    let spent: SpentInputs | undefined;
    let outputIds: number[] | undefined;
    if (event.bitcoin) {
      const tx = event.bitcoin;
      spent = spentInputs(tx);
      const { inputs } = spent;
      const inputIds = (spent.ids = inputs.map((a) => graph.id(a)));
      if (tx.inputs[0]?.address != null) outcome.originId = inputIds[0]; // the first input is the first of `inputs`
      const exchangeInput = inputIds.some((id) => graph.clusterLabels(id, event.time).some((l) => l.record.label === 'exchange'));
      const coinjoin = detectCoinJoin(tx.inputs, tx.outputs, exchangeInput);
      if (coinjoin) {
        outcome.coinjoin = coinjoin;
        const participants = [...inputs, ...tx.outputs.flatMap((o) => (o.address === null ? [] : [o.address])), coinJoinKey(tx.txid)];
        changes.push(...this.coinjoinLabels.label(participants, coinjoin, tx.txid, event.time, event.eventId));
      }
      // Interned before the change is guessed (which reads whether each was seen before), marked
      // seen after. An output paying an input address (change) has that input's id.
      outputIds = new Array<number>(tx.outputs.length);
      for (let k = 0; k < tx.outputs.length; k++) {
        const address = tx.outputs[k]!.address;
        outputIds[k] = address === null ? -1 : spent.idOf(address) ?? graph.id(address);
      }
      // Change is reported, never merged, and not guessed at all inside a CoinJoin.
      const change = coinjoin ? undefined : detectChange(graph, tx, outputIds, event.time);
      if (change) outcome.change = change;
      for (const id of inputIds) graph.markSeen(id, event.time);
      for (const id of outputIds) if (id >= 0) graph.markSeen(id, event.time);
      if (!coinjoin && inputIds.length > 1) {
        const first = inputIds[0]!;
        for (let i = 1; i < inputIds.length; i++) {
          const c = graph.merge(first, inputIds[i]!, { heuristic: 'co-spend', ref: tx.txid, time: event.time }, event.eventId);
          if (c) changes.push(c);
        }
      }
    }
    // CoinJoin outputs are not traced: who paid which output is what the mix hides.
    if (outcome.coinjoin) return outcome;
    if (spent) this.linkCoSpent(event, spent);
    const ids = (outcome.transferIds = new Array<number>(2 * event.transfers.length));
    // The decoder lists a transaction's transfers in the order of the outputs they pay.
    let output = 0;
    for (let i = 0; i < event.transfers.length; i++) {
      const t = event.transfers[i]!;
      let from: number | undefined;
      let to: number | undefined;
      if (spent && outputIds) {
        from = spent.idOf(t.from);
        let k = output;
        while (k < outputIds.length && event.bitcoin!.outputs[k]!.address !== t.to) k++;
        if (k < outputIds.length) to = outputIds[(output = k)];
      }
      from = ids[2 * i] = from ?? graph.id(t.from);
      to = ids[2 * i + 1] = to ?? graph.id(t.to);
      // A zero-value transfer moves nothing: address poisoning sends them from look-alike or
      // listed addresses. It makes no flow edge, no forward and no sighting.
      if (t.amount.isZero()) continue;
      graph.markSeen(from, event.time);
      graph.markSeen(to, event.time);
      if (!graph.addFlowEdge({ from, to, asset: t.asset, amount: t.amount, usd: t.usd, time: event.time, ref: storeRef(event.txHash) })) continue;
      // A token no registry knows proves no one's control: anyone can emit its Transfer logs
      // between any two addresses (QA: fake-token logs put a customer into a sanctioned cluster).
      if (!event.bitcoin && !isUnregisteredToken(t.asset)) {
        const c = this.forwarding(from, to, t.asset, t.amount, event);
        if (c) changes.push(c);
        for (const m of this.forwardedAlready(from, to, t.asset, t.amount, event.time, event.eventId)) {
          changes.push(m);
          (outcome.forwarders ??= new Map()).set(m, to);
        }
      }
    }
    if (outcome.originId === undefined && ids.length > 0) outcome.originId = ids[0];
    return outcome;
  }

  /**
   * A co-spend's inputs other than its payer (the largest, the sender of every edge the decoder
   * gives it) each get a link to the payer (FlowEdge.coSpend): funds of any input reach what the
   * transaction pays, at the hop the payer's edges are at (QA: three accounts' withdrawals spent
   * together into a listed address, and only the largest input's account met it). The largest
   * MAX_COSPEND_LINKS other inputs by value, so a consolidation of thousands of coins writes a
   * bounded number of edges and flushes no more of the payer's in-list.
   */
  private linkCoSpent(event: ChainEvent, spent: SpentInputs): void {
    const payerKey = event.transfers[0]?.from;
    if (payerKey === undefined) return; // pays only its own inputs (change): nothing to reach
    const values = new Map<string, bigint>();
    for (const i of event.bitcoin!.inputs) if (i.address !== null && i.address !== payerKey) values.set(i.address, (values.get(i.address) ?? 0n) + i.value);
    if (values.size === 0) return;
    const graph = this.graph;
    const payer = spent.idOf(payerKey) ?? graph.id(payerKey);
    const inputs = [...values].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let k = 0, linked = 0; k < inputs.length && linked < MAX_COSPEND_LINKS; k++) {
      const [address, value] = inputs[k]!;
      const input = spent.idOf(address)!; // every input address is among them
      // A merge held back (a cluster past its size bound) joins no owners: nor does a link.
      if (graph.root(input) !== graph.root(payer)) continue;
      linked++;
      // The input's value, for display; no reader weighs a link's (a walk judges the payer's edges).
      graph.addCoSpendLink(input, payer, { asset: 'BTC', amount: Decimal.fromUnits(value, 8), usd: null, time: event.time, ref: storeRef(event.txHash) });
    }
  }

  /**
   * Deposit-address reuse seen from the inflow's side: a new edge `from` → `to` that `to` had
   * already forwarded on (its forward arrived first: chain data ahead of the exchange's
   * withdrawal, or logs out of order). Each forward that `forwarding` would have matched with this
   * inflow, had the inflow come first, merges as it would have: the forward's receiver absorbs
   * `to`, with the forward's transaction and time as the cause. Forwards into the exchange's own
   * addresses are left out (an edge into them may come from an exchange deposit, which
   * `forwarding` never reads), as are Bitcoin addresses (their flows merge by co-spend). In event
   * order the forwards after a new inflow are none, and this reads no edge.
   */
  private forwardedAlready(from: number, to: number, asset: string, amount: Decimal, time: number, eventId: string): readonly GraphChange[] {
    const graph = this.graph;
    if (graph.isOwn(to)) return NO_CHANGES;
    const outs = graph.edgesOut(to);
    const first = lowerBound(outs, time); // sorted by time: the forwards at or after the inflow, found by binary search (a hot wallet's later outflows are not stepped over one by one)
    if (first === outs.length || graph.key(to).startsWith('btc:')) return NO_CHANGES;
    const low = amount.times(this.forwardRatio);
    let changes: GraphChange[] | undefined;
    for (let i = first; i < outs.length; i++) {
      const e = outs[i]!;
      if (e.time > time + this.options.forwardWithin) break;
      // A forward sweeps at least forwardRatio of inflows that include this one (or it is not this inflow's).
      if (e.asset !== asset || e.to === from || graph.isOwn(e.to) || e.amount.compare(low) < 0) continue;
      if (graph.clusterLabels(to, e.time).length > 0 || !this.absorbsForwards(e.to, e.time)) continue;
      if (this.passesThrough(to) || this.passesThrough(e.to) || !this.sweepsUnswept(to, e.asset, e.amount, e.time, e.to)) continue;
      const c = graph.mergeForward(e.to, to, { heuristic: 'forwarding', ref: shownRef(e.ref), time: e.time }, eventId);
      if (c) (changes ??= []).push(c);
    }
    for (const held of this.heldSweepsOf(from, to, asset, time)) {
      const c = graph.mergeForward(held.to, to, { heuristic: 'forwarding', ref: shownRef(held.ref), time: held.time }, eventId);
      if (c) (changes ??= []).push(c);
    }
    const split = this.splitSweepAfter(from, to, asset, time, first);
    if (split) {
      const c = graph.mergeForward(split.to, to, { heuristic: 'forwarding', ref: shownRef(split.ref), time: split.time }, eventId);
      if (c) (changes ??= []).push(c);
    }
    return changes ?? NO_CHANGES;
  }

  /**
   * A split sweep seen from the inflow's side: the parts of the first outflow of `asset` from
   * `to` at or after an inflow read late at `time` (`first`: the index of the first out-edge at or
   * after it), within heldForwardWithin, judged as splitSweeps judges them; the last part of the
   * prefix that sweeps, if one does.
   */
  private splitSweepAfter(from: number, to: number, asset: string, time: number, first: number): FlowEdge | undefined {
    const outs = this.graph.edgesOut(to);
    // Other assets' outflows within forwardWithin are all stepped over (forwardedAlready reads them
    // too): event order's 72-hour rule does not see them. Past it only the held rule could join,
    // and an outflow between the pay and the sweep fails that, so a few are enough there.
    for (let i = first, read = 0; i < outs.length && read <= SPLIT_OTHER_ASSETS_READ; i++) {
      const e = outs[i]!;
      if (e.time > time + this.options.heldForwardWithin) return undefined;
      if (e.asset !== asset) { if (e.time > time + this.options.forwardWithin) read++; continue; }
      if (e.to === from || !this.mayForward(to, e.to, e.time)) return undefined;
      return this.splitSweeps(to, asset, e.to, i);
    }
    return undefined;
  }

  /** The guards every forward passes (see forwarding): neither side the exchange's own, the sender unlabelled, the receiver absorbing, no pass-through contract. */
  private mayForward(from: number, to: number, time: number): boolean {
    const graph = this.graph;
    if (graph.isOwn(from) || graph.isOwn(to) || graph.clusterLabels(from, time).length > 0 || !this.absorbsForwards(to, time)) return false;
    return !this.passesThrough(from) && !this.passesThrough(to);
  }

  /**
   * A sweep in parts: the run of `address`'s outflows of `asset` to `receiver` that holds out-edge
   * `at`, each part within SPLIT_GAP of the one before and no outflow of the asset elsewhere
   * between (other assets' are stepped over, at most SPLIT_OTHER_ASSETS_READ each way), 2 to
   * SPLIT_PARTS parts (a longer run is a wallet that pays the address again and again, not one
   * pay split). Each prefix of two parts or more is judged as one outflow of its sum at its last
   * part's time, with the run's first part as where it began (sweepsUnswept, sweepsHeldPay): the
   * last part of the first prefix that sweeps, else undefined. In event order each part was
   * judged on arrival with the parts before it; judging every prefix of what is stored gives
   * that outcome whichever part, or the inflow, is read last. The chain's and the exchange's
   * records of one transfer count once.
   */
  private splitSweeps(address: number, asset: string, receiver: number, at: number): FlowEdge | undefined {
    const outs = this.graph.edgesOut(address);
    const parts = splitRun(outs, asset, receiver, at);
    if (parts === undefined) return undefined;
    const firstTime = parts[0]!.time;
    let sum = parts[0]!.amount;
    for (let k = 1; k < parts.length; k++) {
      const part = parts[k]!;
      sum = sum.plus(part.amount);
      if (this.sweepsUnswept(address, asset, sum, part.time, receiver, firstTime) || this.sweepsHeldPay(address, asset, sum, part.time, receiver, firstTime)) return part;
    }
    return undefined;
  }

  /**
   * Held pay seen from the inflow's side: the outflows of `to` at the first time after a new
   * inflow at `time`, when that comes later than forwardWithin (within heldForwardWithin), that
   * sweep the inflow whole as sweepsHeldPay asks. Every outflow at that time is read (at most
   * HELD_LOOK), not only the first stored: an outflow of another asset in the sweep's second hid
   * the sweep when the pay was read late, and each sweep merges as it would have in event order
   * (session 64 review). A few edges besides sweepsHeldPay's.
   */
  private heldSweepsOf(from: number, to: number, asset: string, time: number): readonly FlowEdge[] {
    const outs = this.graph.edgesOut(to);
    const first = lowerBound(outs, time);
    const sweepTime = outs[first]?.time;
    if (sweepTime === undefined || sweepTime <= time + this.options.forwardWithin || sweepTime > time + this.options.heldForwardWithin) return NO_EDGES;
    let sweeps: FlowEdge[] | undefined;
    for (let i = first; i < outs.length && i < first + HELD_LOOK && outs[i]!.time === sweepTime; i++) {
      const e = outs[i]!;
      if (this.sweepsHeldPayOf(from, to, asset, e)) (sweeps ??= []).push(e);
    }
    return sweeps ?? NO_EDGES;
  }

  /** Whether outflow `e` of `to` is a held sweep of an inflow of `asset` from `from` (heldSweepsOf). */
  private sweepsHeldPayOf(from: number, to: number, asset: string, e: FlowEdge): boolean {
    const graph = this.graph;
    if (e.asset !== asset || e.to === from || graph.isOwn(e.to)) return false;
    if (graph.clusterLabels(to, e.time).length > 0 || !this.absorbsForwards(e.to, e.time)) return false;
    return !this.passesThrough(to) && !this.passesThrough(e.to) && this.sweepsHeldPay(to, e.asset, e.amount, e.time, e.to);
  }

  /**
   * Whether a forward into `receiver` may merge the forwarder into its cluster as of `time`: the
   * cluster is unlabelled, or labelled only as a custodial service (an exchange, a payroll
   * platform, an OTC desk…), whose deposit addresses are what the heuristic finds (Victor 2020).
   * A cluster that intelligence lists as a risk (sanctioned, DPRK-linked, a mixer, an operator's
   * own label) never grows by this heuristic: one forward into it is a flow of funds, traced with
   * its hops (typologies.md S2: two forwards into a DPRK-linked address are a 3-node path,
   * medium), not proof that the sender is the listed party. Before, a customer's wallet, a
   * router or a small service's hot wallet that once paid a listed address became that address
   * for every later deposit (QA).
   */
  private absorbsForwards(receiver: number, time: number): boolean {
    for (const l of this.graph.clusterLabels(receiver, time)) if (!CUSTODIAL_SERVICE_LABELS.has(l.record.label)) return false;
    return true;
  }

  /**
   * Whether `address` passed funds on in the very transaction that brought them: one of its
   * newest PASS_THROUGH_LOOK outflows shares its transaction with an inflow. A deposit address
   * or a consolidation address sweeps in a transaction of its own; a router, aggregator or
   * multisend contract passes each inflow on at once, for whoever called it, so neither its
   * forwards nor a sweep into it says who controls what (QA: two customers who swapped through
   * one router joined the cluster of a sanctioned address the router had paid for one of them).
   * Read from the edges, so a checkpoint needs nothing more; a few edges a call.
   */
  private passesThrough(address: number): boolean {
    const graph = this.graph;
    const outs = graph.edgesOut(address);
    if (outs.length === 0) return false;
    const ins = graph.edgesIn(address);
    for (let o = outs.length - 1; o >= 0 && o >= outs.length - PASS_THROUGH_LOOK; o--) {
      const out = outs[o]!;
      // In-edges are sorted by time: those of the outflow's transaction share its time, found by
      // binary search (a hot wallet may have received thousands since its last outflow).
      const first = lowerBound(ins, out.time);
      const end = Math.min(ins.length, first + PASS_THROUGH_LOOK * 4); // a multisend's many inflows at one time: a few are enough
      for (let i = first; i < end && ins[i]!.time === out.time; i++) {
        if (ins[i]!.ref === out.ref) return true;
      }
    }
    return false;
  }

  /**
   * Whether an outflow of `amount` at `time` from `address` sweeps what reached it since its
   * previous outflow of the asset, within forwardWithin and not counting inflows from the
   * outflow's own receiver: exactly, at least forwardRatio of their sum and at most the sum plus
   * 0.01% (rounding). Inflows are read newest first from `time` (a binary search steps over later
   * ones) and the read stops once they pass what the outflow could sweep, so a busy hot wallet
   * costs a few edges, not its list. A split sweep (splitSweeps) `began` at its first part: the
   * previous outflow and the window are read from there, its inflows up to its last part.
   */
  private sweepsUnswept(address: number, asset: string, amount: Decimal, time: number, receiver: number, began = time): boolean {
    const graph = this.graph;
    const oldest = began - this.options.forwardWithin;
    let since = oldest - 1;
    const outs = graph.edgesOut(address);
    // From the last outflow before `began` (a binary search): a hot wallet's later outflows are
    // not stepped over one by one when a late-read inflow has an older sweep judged again.
    for (let i = lowerBound(outs, began) - 1; i >= 0; i--) {
      const e = outs[i]!;
      if (e.time < oldest) break;
      if (e.asset === asset) { since = e.time; break; }
    }
    const ins = graph.edgesIn(address);
    let unswept: Decimal | undefined;
    let counted: FlowEdge[] | undefined;
    for (let i = upperBound(ins, time) - 1; i >= 0; i--) {
      const e = ins[i]!;
      if (e.time <= since) break;
      if (e.asset !== asset || e.from === receiver) continue;
      // One transfer known twice: the exchange's withdrawal record without its `from` (an edge
      // from the exchange's pseudo hot wallet) and the chain's record of the same transaction
      // (from the real one). Counted twice, no forward swept "both" (session 42 QA: a
      // consolidation cell of five gave no merge when withdrawals left out `from`).
      if (counted !== undefined && counted.some((c) => sameTransactionRef(c.ref, e.ref) && sameAmount(c.amount, e.amount))) continue;
      (counted ??= []).push(e);
      unswept = unswept === undefined ? e.amount : unswept.plus(e.amount);
      if (amount.compare(unswept.times(this.forwardRatio)) < 0) return false; // more came in than this could sweep
    }
    return unswept !== undefined && !unswept.isZero() && amount.compare(unswept.times(FORWARD_CEILING)) <= 0;
  }

  /**
   * Whether an outflow of `amount` at `time` from `address` to `receiver` is a held wallet's sweep
   * (past forwardWithin, within heldForwardWithin): since the address's previous outflow (of any
   * asset) one inflow of this asset reached it, not from `receiver`, and this outflow carries
   * HELD_SWEEP_FLOOR to FORWARD_CEILING of it. A second inflow of the asset (other income, a hot
   * wallet's customers) or a part paid on (rent out of the pay) is no held sweep; gas in another
   * asset is not counted. The chain's and the exchange's records of one transfer count once (as in
   * sweepsUnswept). The receiver must be a shared destination (paidByAnother). Edges later than
   * the sweep are stepped over by binary search, not read, so what came after the sweep does not
   * decide it (session 64 review: a pay read after four more outflows or sixteen more inflows of
   * the wallet gave no merge, in event order it did); reads at most one out-edge and
   * HELD_INFLOWS_READ in-edges at or before `time` of each address. A split sweep (splitSweeps)
   * `began` at its first part: the previous outflow, the hold and the shared destination are
   * read from there, the inflows up to its last part (`time`).
   */
  private sweepsHeldPay(address: number, asset: string, amount: Decimal, time: number, receiver: number, began = time): boolean {
    const graph = this.graph;
    const oldest = began - this.options.heldForwardWithin;
    const outs = graph.edgesOut(address);
    const previous = lowerBound(outs, began) - 1; // the previous outflow, before the sweep's (first part's) time
    const since = previous >= 0 ? outs[previous]!.time : oldest - 1;
    const ins = graph.edgesIn(address);
    const end = upperBound(ins, time);
    let pay: FlowEdge | undefined;
    for (let i = end - 1; i >= 0; i--) {
      const e = ins[i]!;
      if (i < end - HELD_INFLOWS_READ) return false; // a busy address
      if (e.asset !== asset) continue; // gas in the chain's coin
      if (e.time <= since) break;
      if (e.time < oldest) return false; // held longer than heldForwardWithin
      if (pay !== undefined && sameTransactionRef(pay.ref, e.ref) && sameAmount(pay.amount, e.amount)) continue;
      if (pay !== undefined) return false; // a second inflow of the asset: no held pay
      pay = e;
    }
    if (pay === undefined || pay.from === receiver || began - pay.time <= this.options.forwardWithin) return false;
    if (amount.compare(pay.amount.times(HELD_SWEEP_FLOOR)) < 0 || amount.compare(pay.amount.times(FORWARD_CEILING)) > 0) return false;
    return this.paidByAnother(receiver, address, asset, amount, began);
  }

  /**
   * Whether `receiver` was paid by a wallet other than `address` in the SHARED_DESTINATION_WITHIN
   * before `time`: a consolidation address, shared across workers (typologies.md: worker
   * addresses feed a small number of shared consolidation addresses), not a deposit address of
   * one's own at a service, which only its owner pays (session 64: savers holding pay a week
   * before moving it to their savings platform had joined its hot wallet's cluster with the
   * held rule alone). The other wallet's payment is of the sweep's asset and carries at least
   * SHARED_PAYMENT_FLOOR of the sweep: a service's gas top-up of its deposit address (the chain's
   * coin), a Transfer log of a token no registry knows (anyone can emit one) and a poisoner's dust
   * say nothing of who else uses the address (session 64 review: each had made one's own deposit
   * address a shared destination). Reads the receiver's in-edges at or before `time`, newest
   * first, at most HELD_INFLOWS_READ of them after a binary search.
   */
  private paidByAnother(receiver: number, address: number, asset: string, amount: Decimal, time: number): boolean {
    const ins = this.graph.edgesIn(receiver);
    const end = upperBound(ins, time);
    const least = amount.times(SHARED_PAYMENT_FLOOR);
    for (let i = end - 1; i >= 0 && i >= end - HELD_INFLOWS_READ; i--) {
      const e = ins[i]!;
      if (e.time < time - SHARED_DESTINATION_WITHIN) return false;
      if (e.from !== address && e.coSpend !== true && e.asset === asset && e.amount.compare(least) >= 0) return true;
    }
    return false;
  }

  /** Deposit-address reuse: `from` sweeps what it received since its last outflow to `to`. */
  private forwarding(from: number, to: number, asset: string, amount: Decimal, event: ChainEvent): GraphChange | undefined {
    const graph = this.graph;
    // Nor into the exchange's own addresses: a customer's wallet that sweeps into its deposit
    // address is the customer's, not the exchange's (forwardedAlready leaves them out alike).
    if (!this.mayForward(from, to, event.time)) return undefined;
    if (this.sweepsUnswept(from, asset, amount, event.time, to) || this.sweepsHeldPay(from, asset, amount, event.time, to)) {
      return graph.mergeForward(to, from, { heuristic: 'forwarding', ref: event.txHash, time: event.time }, event.eventId);
    }
    // A part of a sweep paid in parts: the run it belongs to, read from the stored edges. The new
    // edge is the last of its time (an edge goes in after those of its time), so found at once.
    const outs = graph.edgesOut(from);
    const at = upperBound(outs, event.time) - 1;
    if (at < 0 || outs[at]!.to !== to || outs[at]!.asset !== asset) return undefined;
    const part = this.splitSweeps(from, asset, to, at);
    return part && graph.mergeForward(to, from, { heuristic: 'forwarding', ref: shownRef(part.ref), time: part.time }, event.eventId);
  }

  /**
   * The sender of a deposit whose `from` the exchange left empty (the contract allows it when
   * unknown): the chain data read before it names the transaction's sender into the deposit
   * address (for Bitcoin, the largest input; co-spend makes the others its cluster). Without it a
   * deposit straight from a listed address went unscreened (detection QA F15).
   */
  private senderOnChain(toId: number, txHash: string | undefined): number | undefined {
    if (txHash === undefined) return undefined;
    const ref = txHash.toLowerCase().replace(/^0x/, '');
    const stored = storeRef(ref);
    const ins = this.graph.edgesIn(toId);
    for (let i = ins.length - 1; i >= 0; i--) if (ins[i]!.ref === stored && ins[i]!.coSpend !== true) return ins[i]!.from;
    return this.coinJoinOf(ref, toId);
  }

  /**
   * The CoinJoin a Bitcoin deposit came straight out of, when its transaction is one the
   * detectors labelled (its outputs are not traced, so no edge names a sender): the deposit's
   * counterparty is then the mix itself (session 42's chain QA: such a deposit met no mixer rule).
   */
  private coinJoinOf(txid: string, toId: number): number | undefined {
    if (!this.graph.key(toId).startsWith('btc:')) return undefined;
    const id = this.graph.index.lookup(coinJoinKey(txid));
    if (id === undefined || !this.graph.labelRecords(id).some((r) => r.label === COINJOIN_LABEL)) return undefined;
    return id;
  }

  /**
   * An exchange transfer: its on-chain leg is a flow edge; its external address is touched by
   * the account. A withdrawal whose receiver already forwarded the funds merges as the forward
   * would have (forwardedAlready).
   */
  applyTransfer(event: TransferEvent): TransferOutcome {
    const graph = this.graph;
    const m = event.msg;
    // Each key is interned once, `to` first, then `from` in order (ids are given in first-seen order).
    // The event keeps the index's own copies of its keys: a retained transfer then holds no
    // second copy of each address string (about 70 bytes each).
    const toId = graph.id(event.to);
    event.to = graph.key(toId);
    const deposit = m.kind === 'deposit';
    const recovered = deposit && event.from.length === 0 ? this.senderOnChain(toId, m.txHash) : undefined;
    if (recovered !== undefined) event.from = [graph.key(recovered)];
    const fromIds = new Array<number>(event.from.length);
    for (let i = 0; i < event.from.length; i++) {
      fromIds[i] = graph.id(event.from[i]!);
      event.from[i] = graph.key(fromIds[i]!);
    }
    if (deposit) graph.markOwn(toId);
    else for (const id of fromIds) graph.markOwn(id);
    if (deposit) {
      this.applySenders(event, toId, fromIds, m.txHash ?? m.eventId);
      return { counterpartyIds: fromIds, changes: NO_CHANGES };
    }
    graph.markSeen(toId, event.time);
    graph.addTouch({ eventId: m.eventId, accountId: m.accountId, kind: m.kind, time: event.time, address: toId });
    let changes = NO_CHANGES;
    if (m.status === 'completed') {
      // A named sender was marked the exchange's own above; the chain's hot wallet is marked here.
      const hot = fromIds.length > 0 ? fromIds[0]! : ownHotWallet(graph, m.chain);
      if (graph.addFlowEdge({ from: hot, to: toId, asset: m.asset, amount: event.amount, usd: event.usd, time: event.time, ref: storeRef(m.txHash ?? m.eventId) })) {
        changes = this.forwardedAlready(hot, toId, m.asset, event.amount, event.time, m.eventId);
      }
    }
    return { counterpartyIds: [toId], changes };
  }

  /**
   * A deposit's senders in the graph: each is seen and touched by the account, and gets an edge
   * into the deposit address of the transaction `ref` (k senders an edge of a k-th each, rounded
   * toward zero at 18 places). A deposit whose senders are unknown (the contract allows an empty
   * `from`) adds neither. A deposit straight out of a mix names the mix as its counterparty, but
   * the mix is no one's address: it gets no touch and no edge, so accounts paid by one mix share
   * no cluster and the mix funds no one (session 44 review: it had gained both).
   */
  private applySenders(event: TransferEvent, toId: number, fromIds: readonly number[], ref: string): void {
    const graph = this.graph;
    const m = event.msg;
    const k = fromIds.length;
    if (k === 0 || (k === 1 && isCoinJoinKey(graph.key(fromIds[0]!)))) return;
    for (const id of fromIds) {
      graph.markSeen(id, event.time);
      graph.addTouch({ eventId: m.eventId, accountId: m.accountId, kind: m.kind, time: event.time, address: id });
    }
    const amount = k === 1 ? event.amount : event.amount.dividedBy(k, SPLIT_PLACES);
    const usd = event.usd === null || k === 1 ? event.usd : event.usd.dividedBy(k, SPLIT_PLACES);
    const stored = storeRef(ref);
    for (const id of fromIds) graph.addFlowEdge({ from: id, to: toId, asset: m.asset, amount, usd, time: event.time, ref: stored });
  }

  /**
   * The sender of a retained deposit that had none, named by its chain record (transaction
   * `txHash`) read after it: found as applyTransfer finds it when the record comes first.
   * Undefined when the graph's record of the transaction pays another address.
   */
  lateSender(event: TransferEvent, txHash: string): number | undefined {
    const toId = this.graph.index.lookup(event.to);
    return toId === undefined ? undefined : this.senderOnChain(toId, txHash);
  }

  /**
   * The late sender (lateSender) applied to the graph as applyTransfer would have applied it had
   * the chain record come first: the touch, first sighting and edge of applySenders, the edge's
   * ref made from `txHash` as the exchange sent it.
   */
  applyLateSender(event: TransferEvent, sender: number, txHash: string): void {
    const toId = this.graph.index.lookup(event.to);
    if (toId !== undefined) this.applySenders(event, toId, [sender], txHash);
  }
}

/** Each chain's hot-wallet key, one string per chain: a key built per withdrawal was a new string to hash each time. */
const HOT_WALLET_KEYS = new Map<string, string>();

/** The graph key of the exchange's hot wallet on `chain` (a withdrawal that names no sender is paid from it). */
function hotWalletKey(chain: string): string {
  let key = HOT_WALLET_KEYS.get(chain);
  if (key === undefined) HOT_WALLET_KEYS.set(chain, (key = `self:hot-wallet:${chain}`));
  return key;
}

/** The id of the exchange's hot wallet on `chain`, marked as the exchange's own. */
function ownHotWallet(graph: EntityGraph, chain: string): number {
  const id = graph.id(hotWalletKey(chain));
  graph.markOwn(id);
  return id;
}

/** A Bitcoin transaction's distinct input addresses in first-spent order, and the ids applyChain interned them under. */
interface SpentInputs {
  readonly inputs: readonly string[];
  ids: readonly number[];
  /** The id of one of the input addresses, undefined for any other address. */
  idOf(address: string): number | undefined;
}

function spentInputs(tx: ParsedBitcoinTx): SpentInputs {
  const place = new Map<string, number>();
  const inputs: string[] = [];
  for (const i of tx.inputs) if (i.address !== null && !place.has(i.address)) place.set(i.address, inputs.push(i.address) - 1);
  const spent: SpentInputs = {
    inputs,
    ids: [],
    idOf: (address) => {
      const at = place.get(address);
      return at === undefined ? undefined : spent.ids[at];
    },
  };
  return spent;
}

/**
 * The parts of a split sweep around out-edge `at` of a sorted out-list (GraphWriter.splitSweeps):
 * the outflows of `asset` to `receiver` next to it, each within SPLIT_GAP of its neighbour, up to
 * an outflow of the asset elsewhere, in time order, the first SPLIT_PARTS of them; undefined for
 * one part alone, or more than SPLIT_PARTS up to `at`. Outflows of other assets are stepped over,
 * at most SPLIT_OTHER_ASSETS_READ each way.
 */
function splitRun(outs: readonly FlowEdge[], asset: string, receiver: number, at: number): FlowEdge[] | undefined {
  const isPart = (e: FlowEdge): boolean => e.asset === asset && e.to === receiver;
  let lo = at;
  let before = 1;
  for (let i = at - 1, other = 0; i >= 0; i--) {
    const e = outs[i]!;
    if (e.asset !== asset) { if (++other > SPLIT_OTHER_ASSETS_READ) break; continue; }
    if (!isPart(e) || outs[lo]!.time - e.time > SPLIT_GAP) break;
    if (++before > SPLIT_PARTS) return undefined;
    lo = i;
  }
  // Later parts past the first SPLIT_PARTS are left out, not a reason to give up: in event order
  // the prefixes were judged before they came (a pay read after five parts joined as one read first).
  let hi = at;
  for (let i = at + 1, other = 0, parts = before; i < outs.length && parts < SPLIT_PARTS; i++) {
    const e = outs[i]!;
    if (e.asset !== asset) { if (++other > SPLIT_OTHER_ASSETS_READ) break; continue; }
    if (!isPart(e) || e.time - outs[hi]!.time > SPLIT_GAP) break;
    parts++;
    hi = i;
  }
  const parts: FlowEdge[] = [];
  for (let i = lo; i <= hi; i++) {
    const e = outs[i]!;
    if (!isPart(e)) continue;
    if (parts.some((p) => sameTransactionRef(p.ref, e.ref) && sameAmount(p.amount, e.amount))) continue; // one transfer known twice
    if (parts.push(e) > SPLIT_PARTS) return undefined;
  }
  return parts.length >= 2 ? parts : undefined;
}
