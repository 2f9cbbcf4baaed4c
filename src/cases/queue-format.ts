/**
 * The format of the queue scores a Redis case store's sorted sets hold, marked in the store
 * (redis-keys.ts `queueFormat`). Session 48 added the older-first fraction to every score
 * (case-model.ts queuePriority); a store written before keeps its old scores until
 * `tidewatch cases reindex` rewrites them, and until then `cases list` and "Claim next case" take
 * a case opened after the upgrade before an older one of the same severity and score. Nothing
 * said so before session 49: the console's check (`unindexedCount`) counts only cases missing from
 * the index. The mark is set by the reindex, and on a store that holds no case yet.
 */

/** 2: severity x 1000 + score + the older-first fraction (session 48). Stores without a mark are older. */
export const QUEUE_FORMAT = 2;

export type QueueFormatCheck =
  | { state: 'current' }
  /** Cases kept under an older mark, or none (`found` undefined): their scores may predate the format. */
  | { state: 'stale'; cases: number; found: string | undefined };

/** What the console and the monitor say at start about a store that needs the reindex, or undefined. */
export function queueFormatWarning(check: QueueFormatCheck): string | undefined {
  if (check.state === 'current') return undefined;
  const mark = check.found === undefined ? 'no queue-format mark' : `queue-format mark ${JSON.stringify(check.found)}`;
  return `the case store (${check.cases} cases) has ${mark}: its queue scores may predate the older-first order of cases of one severity and score (session 48), and until \`tidewatch cases reindex\` runs once, cases list and "Claim next case" may take a case opened since the upgrade before an older one: run \`tidewatch cases reindex\` (as a supervisor) once`;
}
