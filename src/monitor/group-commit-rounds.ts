/**
 * The rounds of the group commit (group-offsets.ts) and what is said about them. Owns the last
 * cut committed to the operator's group and the error kinds already reported.
 *
 * - One round at a time: kafkajs retries a commit internally, so a round can outlast the interval;
 *   a later round that committed first would then be overwritten by the earlier, older cut.
 * - Never backwards: a partition whose cut is behind what was last committed is left out.
 * - An operator learns of a refused commit (an ACL refusal, any error not a rebalance) once per
 *   error kind at warn, and at info when commits succeed again; a rebalance stays at debug.
 */
import type { Cut } from './ownership.js';

/** The error kinds of a group rebalance or coordinator move: the next round after it commits. */
const REBALANCE_KINDS: ReadonlySet<string> = new Set([
  'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS', 'FENCED_INSTANCE_ID',
]);

/** Distinct error kinds remembered as reported; beyond it, a new kind is reported each time it recurs. */
const MAX_REPORTED_KINDS = 64;

/**
 * The error's kind: the broker's error type (`GROUP_AUTHORIZATION_FAILED`), looked for on the
 * error kafkajs' retrier wraps it in (`cause`), else the error's name.
 */
export function commitErrorKind(err: unknown): string {
  const e = err as { type?: unknown; name?: unknown; cause?: { type?: unknown } } | undefined;
  if (typeof e?.cause?.type === 'string') return e.cause.type;
  if (typeof e?.type === 'string') return e.type;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

export const isRebalanceKind = (kind: string): boolean => REBALANCE_KINDS.has(kind);

export type FailureLevel = 'warn' | 'debug';

export class GroupCommitRounds {
  private inFlight = false;
  private committed: Cut = new Map();
  private readonly reported = new Set<string>();

  /** Begins a round; false while one is still in flight (this round is skipped). */
  begin(): boolean {
    if (this.inFlight) return false;
    this.inFlight = true;
    return true;
  }

  end(): void {
    this.inFlight = false;
  }

  /**
   * The partitions of `cut` to commit: those at or beyond the last committed offset. None (an
   * empty cut) when no partition moves forward, so an idle input commits nothing new.
   */
  committable(cut: Cut): Cut {
    const out: Cut = new Map();
    let moves = false;
    for (const [pk, offset] of cut) {
      const last = this.committed.get(pk);
      if (last !== undefined && offset < last) continue;
      if (last === undefined || offset > last) moves = true;
      out.set(pk, offset);
    }
    return moves ? out : new Map();
  }

  /** Records a commit the broker took; true when it ends a reported failure (say so at info). */
  committedNow(cut: Cut): boolean {
    for (const [pk, offset] of cut) if (offset > (this.committed.get(pk) ?? -1n)) this.committed.set(pk, offset);
    const recovered = this.reported.size > 0;
    this.reported.clear();
    return recovered;
  }

  /** How loudly to log a failed commit: warn the first time a kind other than a rebalance is seen. */
  failed(kind: string): FailureLevel {
    if (isRebalanceKind(kind) || this.reported.has(kind)) return 'debug';
    if (this.reported.size < MAX_REPORTED_KINDS) this.reported.add(kind);
    return 'warn';
  }

  /** The last committed offset per partition (a copy). */
  lastCommitted(): Cut {
    return new Map(this.committed);
  }
}
