/**
 * `excludeLabels` lists: a cluster carrying one of the named labels is a known service, not a
 * consolidation address, funder or link. The entry `any-untraced` also names every label that no
 * exposure signal of the rule set traces as a risk: the contract lets an operator label with names
 * of its own (`intel.label.v1`: "or a name of the operator's own"), and a feed's service
 * categories (`dex-router`, `merchant`, `hosted-wallet`, …) then silence these signals as
 * `service` does, without every rule listing them. A known risk label (`sanctioned`, `scam`,
 * `stolen-funds`, … : RISK_LABELS) and a label an exposure rule traces (an operator's own risk
 * label named in one) never count as untraced.
 */
import type { EntityGraph } from '../graph/entity-graph.js';
import { RISK_LABELS } from './known-labels.js';

/** The `excludeLabels` entry that stands for every label no exposure signal traces. */
export const ANY_UNTRACED = 'any-untraced';

/** Whether `label` is excluded by the list, given the labels the rule set traces. */
export function excludesLabel(excludeLabels: readonly string[], label: string, traced: readonly string[]): boolean {
  if (excludeLabels.includes(label)) return true;
  return excludeLabels.includes(ANY_UNTRACED) && !traced.includes(label) && !RISK_LABELS.includes(label);
}

/** Whether the cluster of `id` carries, as of `asOf`, a label the list excludes. */
export function clusterExcluded(graph: EntityGraph, id: number, asOf: number, excludeLabels: readonly string[]): boolean {
  if (excludeLabels.length === 0) return false;
  const traced = graph.options.tracedLabels;
  return graph.clusterLabels(id, asOf).some((l) => excludesLabel(excludeLabels, l.record.label, traced));
}
