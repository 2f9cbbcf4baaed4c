/**
 * `reverse-link`: whether funds reached the counterparty, up to `maxHops` hops upstream, from an
 * address the account itself dealt with before (paid or was paid by, within its kept history).
 * typologies.md T9: a ransom address funded from a dismissed contractor's consolidation address,
 * which the contractor's pay went to, is a "reverse link to an earlier payroll destination"; the
 * business paid the contractor, the contractor forwarded to the consolidation address, which
 * gave the fresh ransom address its gas (scenario S8). A walk does not go on through an address
 * labelled in `stopAt` (an exchange) or one of ours.
 */
import { findExposure, type ExposureQuery } from '../graph/exposure.js';
import { counterpartyIds } from './counterparty-ids.js';
import { NO_RESULT } from './no-result.js';
import type { SignalSpec } from './rule-schema.js';
import type { Signal } from './signals.js';

type ReverseLinkSpec = Extract<SignalSpec, { op: 'reverse-link' }>;

const DAY = 86_400_000;

export function reverseLink(spec: ReverseLinkSpec): Signal {
  return ({ trigger, graph, state, asOf }) => {
    if (trigger.type !== 'transfer') return NO_RESULT;
    const account = trigger.msg.accountId;
    let firstDealt = 0;
    // The counterparty itself is the fresh signal's matter: a ransom paid in pieces has dealt
    // with it already, and the walk must go on past it to what funded it.
    const counterparty = counterpartyIds(graph, trigger);
    const query: ExposureQuery = {
      direction: 'upstream', labels: [], maxHops: spec.maxHops, hopWithin: spec.hopWithin, stopAt: spec.stopAt, from: trigger.time, asOf,
      match: {
        label: 'dealt-with-before',
        source: `the account's own history`,
        accepts: (id) => {
          if (counterparty.includes(id)) return false;
          const first = state.firstDealtAt(account, [graph.key(id)]);
          if (first === undefined || first >= trigger.time) return false;
          firstDealt = first;
          return true;
        },
      },
    };
    const hit = findExposure(graph, counterparty, query);
    if (!hit || hit.hops === 0) return NO_RESULT;
    return { ok: true, value: hit.hops, eventIds: [], facts: { hops: hit.hops, path: hit.path, linkedAddress: hit.labelledAddress, firstDealtDaysBefore: Math.round(((trigger.time - firstDealt) / DAY) * 10) / 10 } };
  };
}
