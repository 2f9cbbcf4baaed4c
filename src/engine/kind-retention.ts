/**
 * How long each kind of transfer must stay in the account history and the transfer index: what
 * the signals that select that kind read, plus the reach of a late re-examination, never more
 * than the longest look-back of all (`historyRetention`). With the shipped rules withdrawals are
 * read over days (sequences, structuring, `fresh`) and deposits over 200 days (cadence), so
 * withdrawals need not be kept as long as deposits.
 *
 * A re-examination (a graph change re-running graph-dependent rules on an earlier transfer) reaches
 * transfers up to the touch retention old, and its signals look back from there: so a kind read by
 * a graph-dependent rule is kept touch retention + look-back.
 *
 * `fresh` asks whether the account paid the counterparty before, and holds only when the
 * counterparty was first seen within `within`. A payment to it marks it seen at the payment's time,
 * so a payment older than `within` makes the signal fail anyway: `fresh` reads `within` back.
 */
import type { LoadedRule } from './loader.js';
import type { SignalSpec } from './rule-schema.js';
import { readsGraph } from './signals.js';
import { sequenceReach } from './sequence-fifo.js';

export type TransferKind = 'deposit' | 'withdrawal';
const KINDS: readonly TransferKind[] = ['deposit', 'withdrawal'];

/** The transfer kinds a signal reads from the account history, and how far back it reads. */
function historyReads(s: SignalSpec): { kinds: readonly string[]; back: number } | undefined {
  switch (s.op) {
    case 'window': return { kinds: s.of.kinds, back: s.within };
    // With `exceptRegularPay` it also reads the named cadence's window, which that cadence (of the
    // same rule: the loader checks it, rule-references.ts) keeps by itself.
    case 'sequence': return { kinds: [...s.first.kinds, ...s.then.kinds], back: sequenceReach(s) + s.groupWithin };
    case 'cadence': return { kinds: s.of.kinds, back: s.within + s.mergeWithin };
    case 'fresh': return { kinds: KINDS, back: s.within };
    case 'predecessor': return { kinds: KINDS, back: s.youngWithin + s.lookback };
    // With `laterWithin`, a deposit judges the withdrawals that long before it again (later-payers.ts).
    case 'distinct-payers': return { kinds: s.laterWithin === undefined ? ['deposit'] : KINDS, back: s.within };
    case 'flagged-payers': return { kinds: ['deposit'], back: s.within };
    default: return undefined;
  }
}

/**
 * Per transfer kind, the event time it is kept behind the newest event: at most `longest` (the
 * history retention), at least `floor`.
 */
export function transferRetentionByKind(rules: readonly LoadedRule[], longest: number, touchRetention: number, floor = 86_400_000): Record<TransferKind, number> {
  const out: Record<TransferKind, number> = { deposit: floor, withdrawal: floor };
  for (const rule of rules) {
    const signals = Object.values(rule.spec.signals);
    const reexamined = signals.some(readsGraph) || JSON.stringify(rule.spec.where).includes('counterparty.');
    // A re-examined transfer must still be found in the transfer index.
    if (reexamined) for (const kind of KINDS) if (rule.spec.on.includes(kind)) out[kind] = Math.max(out[kind], touchRetention);
    for (const s of signals) {
      const reads = historyReads(s);
      if (!reads) continue;
      const back = reads.back + (reexamined ? touchRetention : 0);
      for (const kind of KINDS) if (reads.kinds.includes(kind)) out[kind] = Math.max(out[kind], back);
    }
  }
  for (const kind of KINDS) out[kind] = Math.min(out[kind], Math.max(longest, floor));
  return out;
}
