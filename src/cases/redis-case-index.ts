/**
 * The Redis case store's index sets: a filtered page of the queue answered by one script over
 * sorted sets (src/cases/lua/query.lua) and one read per returned case, and the rebuild that
 * indexes cases written before the indexes existed (or repairs them). Key names: redis-keys.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { queuePriority, type Case, type CaseStatus } from './case-model.js';
import { pageBounds, queryStatuses, type CaseQuery, type Severity } from './case-query.js';
import { caseFacets, type caseKeys } from './redis-keys.js';

type Keys = ReturnType<typeof caseKeys>;
export type IndexRedis = Redis & {
  twQuery(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<[number, ...string[]]>;
  twReindexCase(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<number>;
};

export function statusKey(k: Keys, status: CaseStatus): string {
  return { open: k.open, claimed: k.claimed, 'pending-approval': k.pending, resolved: k.resolved }[status];
}

/** The sets a query intersects: each group matches a case in any of its keys. */
function groupsOf(k: Keys, q: CaseQuery): string[][] {
  const groups: string[][] = [queryStatuses(q).map((s) => statusKey(k, s))];
  if (q.severities?.length) groups.push(q.severities.map((s) => k.index.severity(s)));
  if (q.typology) groups.push([k.index.typology(q.typology)]);
  if (q.assignee) groups.push([q.assignee === '-' ? k.index.unassigned : k.index.assignee(q.assignee)]);
  if (q.subject !== undefined) groups.push([k.index.subject(q.subject)]);
  return groups;
}

/** The ids of one page of matching cases, best first, and how many match in all. */
export async function queryIds(redis: IndexRedis, k: Keys, q: CaseQuery): Promise<{ total: number; ids: string[] }> {
  const groups = groupsOf(k, q);
  const breaches = Object.entries(q.breachCutoffs ?? {}) as [Severity, number][];
  // A breach filter with no severity cut off matches no case (as matchesQuery says): the script
  // reads no cutoff as no breach filter at all.
  if (q.breachCutoffs && breaches.length === 0) return { total: 0, ids: [] };
  const id = randomBytes(8).toString('hex');
  const scratch = (n: number): string => k.index.scratch(id, n);
  const keys = [scratch(0), k.index.all, k.index.opened, scratch(1), scratch(2), scratch(3), ...groups.map((_, j) => scratch(4 + j)), ...groups.flat(), ...breaches.map(([s]) => k.index.severity(s))];
  const { offset, limit } = pageBounds(q);
  const argv = [groups.length, ...groups.map((g) => g.length), q.openedFrom ?? '-inf', q.openedTo ?? '+inf', offset, limit, breaches.length, ...breaches.map(([, cutoff]) => `(${cutoff}`)];
  const [total, ...ids] = await redis.twQuery(keys.length, ...keys, ...argv);
  return { total, ids };
}

/**
 * Indexes every kept case as its document says, then takes out of every index set the members
 * whose case is gone or no longer belongs there. Each change is compare-and-set on the document,
 * so it is safe while the monitor and the console write.
 */
export async function rebuildIndexes(redis: IndexRedis, k: Keys, toCase: (raw: string) => Case): Promise<{ cases: number; removed: number }> {
  let cases = 0;
  let removed = 0;
  const reindex = async (caseId: string, leave: string[], enter: string[], raw: string, c: Case | undefined): Promise<boolean> => {
    // The status set too (by the same compare-and-set): its score is the queue priority the claim
    // reads, which a version before severity-first order wrote as the bare score. A claimed
    // case's is its lease expiry, left alone.
    const entering = c && c.status !== 'claimed' ? [...enter, statusKey(k, c.status)] : enter;
    const keys = [k.caseDoc(caseId), k.index.opened, ...leave, ...entering];
    return (await redis.twReindexCase(keys.length, ...keys, caseId, raw, leave.length, entering.length, c ? queuePriority(c) : 0, c ? Date.parse(c.openedAt) : '')) === 1;
  };
  const read = async (caseId: string): Promise<{ raw: string; c: Case | undefined }> => {
    const raw = (await redis.hget(k.caseDoc(caseId), 'doc')) ?? '';
    return { raw, c: raw ? toCase(raw) : undefined };
  };
  for await (const batch of redis.scanStream({ match: `${k.prefix}case:*`, count: 500 }) as AsyncIterable<string[]>) {
    for (const key of batch) {
      const caseId = key.slice(`${k.prefix}case:`.length);
      for (let done = false; !done;) {
        const { raw, c } = await read(caseId);
        done = !c || (await reindex(caseId, [], caseFacets(k, c), raw, c));
        if (c && done) cases++;
      }
    }
  }
  for await (const batch of redis.scanStream({ match: `${k.index.prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
    for (const set of batch) {
      if (set === k.index.typologyNames || set.startsWith(`${k.index.prefix}tmp:`)) continue;
      for await (const members of redis.zscanStream(set, { count: 500 }) as AsyncIterable<string[]>) {
        for (let i = 0; i < members.length; i += 2) {
          const caseId = members[i]!;
          for (let done = false; !done;) {
            const { raw, c } = await read(caseId);
            const belongs = c && (set === k.index.opened || caseFacets(k, c).includes(set));
            if (belongs) break;
            done = await reindex(caseId, [set], [], raw, undefined);
            if (done) removed++;
          }
        }
      }
    }
  }
  return { cases, removed };
}
