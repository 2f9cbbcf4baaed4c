/**
 * The format of the queue scores a Redis case store's sorted sets hold, marked in the store
 * (redis-keys.ts `queueFormat`). Session 48 added the older-first fraction to every score
 * (case-model.ts queuePriority); a store written before keeps its old scores until
 * `tidewatch cases reindex` rewrites them, and until then `cases list` and "Claim next case" take
 * a case opened after the upgrade before an older one of the same severity and score. Nothing
 * said so before session 49: the console's check (`unindexedCount`) counts only cases missing from
 * the index. The mark is set by the reindex, and on a store that holds no case yet.
 *
 * A mark newer than this version's (a later version set it, and this one runs beside it in a
 * rollout) is said loudly at start, and this version's reindex refuses to run on it: before
 * session 50 such a mark read as a stale one, and the warning told to run this version's
 * reindex, which would have put the whole store back in the older format.
 */

/** 2: severity x 1000 + score + the older-first fraction (session 48). Stores without a mark are older. */
export const QUEUE_FORMAT = 2;

export type QueueFormatCheck =
  | { state: 'current' }
  /** Cases kept under an older mark, or none (`found` undefined): their scores may predate the format. */
  | { state: 'stale'; cases: number; found: string | undefined }
  /** Marked by a newer version (a mixed-version rollout): the scores this version writes are older than the store's. */
  | { state: 'newer'; cases: number; found: string };

/** Whether a mark is of a format newer than this version's: a later Tidewatch set it. */
export function isNewerMark(found: string | undefined): found is string {
  return found !== undefined && /^\d+$/.test(found) && Number(found) > QUEUE_FORMAT;
}

/**
 * Why this version's `cases reindex` does not run on a store a newer version marked: it would
 * rewrite every score in this version's older format, and mark the store so.
 */
export function newerMarkRefusal(found: string): string {
  return `the case store is marked queue format ${found}, newer than this version's ${QUEUE_FORMAT}: this version's reindex would rewrite every queue score in format ${QUEUE_FORMAT}; run \`tidewatch cases reindex\` of the version that set the mark`;
}

/** What the console and the monitor say at start about a store that needs the reindex, or undefined. */
export function queueFormatWarning(check: QueueFormatCheck): string | undefined {
  if (check.state === 'current') return undefined;
  if (check.state === 'newer') return `MIXED VERSIONS: the case store (${check.cases} cases) is marked queue format ${check.found}, newer than this version's ${QUEUE_FORMAT}: a newer Tidewatch writes to it, and the queue scores this version writes (format ${QUEUE_FORMAT}) may order cases otherwise than the newer version's, so cases list and "Claim next case" may take them out of order; upgrade this console or monitor to the newer version, and do not run \`tidewatch cases reindex\` from this one (it refuses: it would rewrite every score in format ${QUEUE_FORMAT})`;
  const mark = check.found === undefined ? 'no queue-format mark' : `queue-format mark ${JSON.stringify(check.found)}`;
  return `the case store (${check.cases} cases) has ${mark}: its queue scores may predate the older-first order of cases of one severity and score (session 48), and until \`tidewatch cases reindex\` runs once, cases list and "Claim next case" may take a case opened since the upgrade before an older one: run \`tidewatch cases reindex\` (as a supervisor) once`;
}
