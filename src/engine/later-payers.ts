/**
 * Withdrawals judged again when a later deposit may complete their payer count: a rule whose
 * `distinct-payers` signal has `laterWithin` counts, for a withdrawal, the payers of selected
 * deposits up to that long after it too (typologies.md T12: a facilitator hub forwards pay from
 * two employers before the third pays; judged alone, its forward read two payers). Event order
 * cannot read a later deposit when it judges the withdrawal, so the deposit, when it arrives (or
 * is judged again behind a late event of its account, late-judgement.ts), judges the account's
 * withdrawals within `laterWithin` before it again, their payer window ending at the deposit.
 *
 * Bounded: per selected deposit, at most FORWARDS_JUDGED withdrawals the rule's `where` selects,
 * found among at most WINDOW_READ_LIMIT of the account's items read back from the deposit; each judgement is the
 * rule's own, bounded as it is for a fresh withdrawal. A deposit outside the signal's `where`
 * (not salary-sized), with no withdrawal in reach, or from a payer the window already holds
 * (bringsNewPayer, at most WINDOW_READ_LIMIT items read) judges nothing again.
 */
import type { TransferEvent } from '../decode/events.js';
import { compileAll, type Predicate } from './conditions.js';
import { itemContext } from './signals.js';
import type { HistoryItem, RuleState } from './state.js';
import type { RuleSpec } from './rule-schema.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import type { EntityGraph } from '../graph/entity-graph.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';

/** Withdrawals judged again per selected deposit, the newest before it. */
export const FORWARDS_JUDGED = 4;

/** A rule's later-payer reach: how long after a withdrawal a deposit counts, which deposits do, and the payer window. */
export interface LaterPayers {
  within: number;
  selects: (deposit: TransferEvent) => boolean;
  /** The payer window (`within` of the signal): a deposit from a payer already in it raises no count. */
  payerWindow: number;
}

/** The rule's later-payer reach, from its `distinct-payers` signals with `laterWithin` (the longest); undefined when it has none. */
export function laterPayersOf(spec: RuleSpec): LaterPayers | undefined {
  if (!spec.on.includes('withdrawal')) return undefined;
  let within = 0;
  let payerWindow = 0;
  const wheres: Predicate[] = [];
  for (const s of Object.values(spec.signals)) {
    if (s.op !== 'distinct-payers' || s.laterWithin === undefined) continue;
    within = Math.max(within, s.laterWithin);
    payerWindow = Math.max(payerWindow, s.within);
    wheres.push(compileAll(s.where));
  }
  if (within === 0) return undefined;
  return { within, payerWindow, selects: (deposit) => deposit.from.length > 0 && wheres.some((w) => w(itemContext(deposit))) };
}

/**
 * Whether the deposit's payer cluster is new among the account's selected deposits of the payer
 * window before it (at most WINDOW_READ_LIMIT items read back): only a new payer raises a count,
 * so a busy account paid again and again by the same payers judges nothing again.
 */
export function bringsNewPayer(state: RuleState, graph: EntityGraph, deposit: TransferEvent, reach: LaterPayers): boolean {
  const list = state.history(deposit.msg.accountId);
  const from = deposit.time - reach.payerWindow;
  const payer = graph.root(graph.id(deposit.from[0]!));
  let read = 0;
  for (let i = upperBound(list, deposit.time) - 1; i >= 0 && read++ < WINDOW_READ_LIMIT; i--) {
    const item = list[i]!;
    if (item.time < from) break;
    if (item.eventId === deposit.eventId || item.type !== 'transfer' || item.msg.kind !== 'deposit' || !reach.selects(item)) continue;
    if (graph.root(graph.id(item.from[0]!)) === payer) return false;
  }
  return true;
}

/**
 * Whether earlierWithdrawals (judging every withdrawal) would find any: the same reads, stopped
 * at the first withdrawal, with no list built or sorted (asked of every selected deposit).
 */
export function anyEarlierWithdrawal(state: RuleState, deposit: TransferEvent, within: number): boolean {
  const list = state.history(deposit.msg.accountId);
  const from = deposit.time - within;
  let read = 0;
  for (let i = lowerBound(list, deposit.time) - 1; i >= 0 && read++ < WINDOW_READ_LIMIT; i--) {
    const item: HistoryItem = list[i]!;
    if (item.time < from) break;
    if (item.type === 'transfer' && item.msg.kind === 'withdrawal') return true;
  }
  return false;
}

/**
 * The account's withdrawals dated within `within` before the deposit (strictly before: one at
 * its instant already counted it) that `judged` keeps (the rule's own `where`: a withdrawal the
 * rule never judges takes no place), the newest FORWARDS_JUDGED of them, in event order (time,
 * then id), as they were first judged. Small withdrawals after a forward do not push it out of
 * reach (review of session 63: four $40 withdrawals between the forward and the third salary
 * left the hub unjudged).
 */
export function earlierWithdrawals(state: RuleState, deposit: TransferEvent, within: number, judged: (withdrawal: TransferEvent) => boolean = () => true): TransferEvent[] {
  const list = state.history(deposit.msg.accountId);
  const from = deposit.time - within;
  const out: TransferEvent[] = [];
  let read = 0;
  for (let i = lowerBound(list, deposit.time) - 1; i >= 0 && out.length < FORWARDS_JUDGED && read++ < WINDOW_READ_LIMIT; i--) {
    const item: HistoryItem = list[i]!;
    if (item.time < from) break;
    if (item.type === 'transfer' && item.msg.kind === 'withdrawal' && judged(item)) out.push(item);
  }
  return out.sort((a, b) => a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}
