/**
 * Which clusters an alert names: its subject's cluster and every cluster name (`cl-` and 16 hex
 * digits, see entity-graph.ts nameOfKey) anywhere in its evidence (a fan-in's cluster, the
 * clusters along an exposure path, a merge's absorbed cluster). The case stores index cases by
 * them, so the console's cluster look-up reads the cases that name a cluster, not every case.
 */
import type { Alert } from '../contract/schemas.js';

const CLUSTER_NAME = /"(cl-[0-9a-f]{16})"/g;

/** The distinct cluster names the alert mentions, sorted. */
export function clustersMentioned(alert: Pick<Alert, 'subject' | 'evidence'>): string[] {
  const names = new Set<string>();
  for (const text of [JSON.stringify(alert.subject), JSON.stringify(alert.evidence)]) for (const m of text.matchAll(CLUSTER_NAME)) names.add(m[1]!);
  return [...names].sort();
}

/** Whether the alert names the cluster (as its subject's, or as any string in its evidence). */
export function mentionsCluster(alert: Pick<Alert, 'subject' | 'evidence'>, cluster: string): boolean {
  return alert.subject.cluster === cluster || JSON.stringify(alert.evidence).includes(JSON.stringify(cluster));
}

/** Cases a cluster look-up reads, the newest mentions first. */
export const CLUSTER_CASES_READ = 1000;
