/** `replay --rules A --compare B`: which alerts rule set B adds and drops against A on the same input. */
import type { Alert } from '../contract/schemas.js';

const keyOf = (a: Alert): string => `${a.ruleId}|${a.subject.accountId}|${a.eventIds.join(',')}`;

export interface AlertDiff {
  added: Alert[];
  dropped: Alert[];
  changed: { before: Alert; after: Alert }[];
}

/** Alerts match across rule sets by rule id, subject and evidence (not by version, which B may bump). */
export function diffAlerts(a: readonly Alert[], b: readonly Alert[]): AlertDiff {
  const before = new Map(a.map((x) => [keyOf(x), x]));
  const after = new Map(b.map((x) => [keyOf(x), x]));
  const changed: AlertDiff['changed'] = [];
  for (const [k, x] of after) {
    const y = before.get(k);
    if (y && (y.severity !== x.severity || y.score !== x.score)) changed.push({ before: y, after: x });
  }
  return { added: b.filter((x) => !before.has(keyOf(x))), dropped: a.filter((x) => !after.has(keyOf(x))), changed };
}
