/**
 * Deposits the exchange recorded with no sending address (`from: []`, which the contract allows
 * when the sender is unknown) and whose chain record had not been read yet, by transaction hash:
 * when that record arrives (an indexer lags the exchange by seconds or minutes, or chain data is
 * read after the exchange's), the deposit learns its sender from it (pipeline.ts
 * `learnLateSenders`). Without it such a deposit stayed senderless for good, so a deposit
 * straight from a sanctioned address went unscreened whenever the chain leg came second.
 *
 * Bounded: an entry expires with the deposit's own retention in the rule state (the deposit can
 * be judged again only while the state keeps it), and past `maxEntries` the first noted goes. A
 * look-up is one hash-map read, so a chain record pays O(1) whether or not anything waits.
 */
import { ExpiringIndex } from '../state/expiring-index.js';

/** Deposits waiting at most, across all transactions (a transaction names one or a few). */
export const DEFAULT_MAX_SENDERLESS = 1 << 18;

/** The deposits waiting on one transaction. */
export interface WaitingDeposits {
  /** The newest of their event times (what expiry reads). */
  time: number;
  /** Their event ids, each with its transaction hash as the exchange sent it (the edge's ref is made from it). */
  deposits: { eventId: string; txHash: string }[];
}

/** The key a transaction hash is looked up by: lower case, without `0x` (as the chain records' refs compare). */
export function transactionKey(txHash: string): string {
  const lower = txHash.toLowerCase();
  return lower.startsWith('0x') ? lower.slice(2) : lower;
}

export class SenderlessDeposits {
  private readonly byTransaction: ExpiringIndex<WaitingDeposits>;

  constructor(retentionMs: number, maxEntries = DEFAULT_MAX_SENDERLESS) {
    this.byTransaction = new ExpiringIndex<WaitingDeposits>(retentionMs, undefined, maxEntries);
  }

  /** Transactions with a deposit waiting. */
  get size(): number {
    return this.byTransaction.size;
  }

  /** A new retention (a new rule set keeps deposits for another time). */
  setRetention(ms: number): void {
    this.byTransaction.setRetention(ms);
  }

  /** Notes a senderless deposit of transaction `txHash` at `time` (once per event id). */
  note(txHash: string, eventId: string, time: number): void {
    const key = transactionKey(txHash);
    const waiting = this.byTransaction.get(key);
    if (waiting === undefined) {
      this.byTransaction.set(key, { time, deposits: [{ eventId, txHash }] });
      return;
    }
    if (waiting.deposits.some((d) => d.eventId === eventId)) return;
    waiting.deposits.push({ eventId, txHash });
    if (time > waiting.time) waiting.time = time; // expiry reads the newest
  }

  /** The deposits waiting on transaction `txHash` (none: undefined, one map read). */
  waitingOn(txHash: string): WaitingDeposits | undefined {
    return this.byTransaction.size === 0 ? undefined : this.byTransaction.get(transactionKey(txHash));
  }

  /** Takes a deposit that found its sender (or that no longer waits) out of its transaction's entry. */
  settle(txHash: string, eventId: string): void {
    const key = transactionKey(txHash);
    const waiting = this.byTransaction.get(key);
    if (waiting === undefined) return;
    const at = waiting.deposits.findIndex((d) => d.eventId === eventId);
    if (at >= 0) waiting.deposits.splice(at, 1);
    if (waiting.deposits.length === 0) this.byTransaction.delete(key);
  }

  /** Moves the clock (the exchange's newest event time) on: entries past the retention go. */
  advance(time: number): void {
    this.byTransaction.advance(time);
  }
}
