/**
 * `distinct-payers`: how many distinct payer clusters sent the account selected deposits within a
 * window (a facilitator hub is one account paid by many employers or platforms, typologies.md
 * T12). Payers are counted by cluster of their first sending address, so one employer's
 * addresses, in any letter case, count once. The window's newest WINDOW_READ_LIMIT items are
 * read (read-limits.ts): a hot account's count is of those. `sinceDays` is how long ago the
 * earliest of the deposits counted arrived.
 */
import type { TransferEvent } from '../decode/events.js';
import { compileAll } from './conditions.js';
import type { SignalSpec } from './rule-schema.js';
import { itemContext, type Signal } from './signals.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';

type DistinctPayersSpec = Extract<SignalSpec, { op: 'distinct-payers' }>;

const DAY = 86_400_000;

export function distinctPayers(spec: DistinctPayersSpec): Signal {
  const where = compileAll(spec.where);
  return ({ trigger, graph, state }) => {
    const items = state.recentBetween(trigger.msg.accountId, trigger.time - spec.within, trigger.time, WINDOW_READ_LIMIT)
      .filter((e): e is TransferEvent => e.type === 'transfer' && e.msg.kind === 'deposit' && e.from.length > 0 && where(itemContext(e)));
    const byPayer = new Map<string, string[]>();
    for (const e of items) {
      const payer = graph.clusterName(graph.id(e.from[0]!));
      const ids = byPayer.get(payer);
      if (ids) ids.push(e.eventId); else byPayer.set(payer, [e.eventId]);
    }
    const payers = [...byPayer.keys()].sort();
    const n = payers.length;
    const t = spec.pass;
    const ok = n > 0 && (t.gte === undefined || n >= t.gte) && (t.gt === undefined || n > t.gt) && (t.lte === undefined || n <= t.lte) && (t.lt === undefined || n < t.lt);
    const facts: Record<string, unknown> = { payers: n, payerClusters: payers, deposits: items.length, within: `${spec.within / DAY}d` };
    // Days since the earliest deposit counted (unrounded: compared with other day counts, as a
    // destination's `firstPaidDaysBefore`, to tell one dealt with before the payments began).
    if (items.length > 0) facts.sinceDays = (trigger.time - Math.min(...items.map((e) => e.time))) / DAY;
    return { ok, value: n, eventIds: ok ? payers.flatMap((p) => byPayer.get(p)!) : [], facts };
  };
}
