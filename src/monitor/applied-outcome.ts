/** What became of an applied input message, as `tidewatch_messages_applied_total` counts it (its `outcome` label). */
import type { ProcessResult } from '../pipeline/pipeline.js';

export type AppliedOutcome = 'accepted' | 'duplicate' | 'ignored' | 'dead-lettered';

export function outcomeOf(out: ProcessResult): AppliedOutcome {
  if (out.deadLetter) return 'dead-lettered';
  if (out.duplicate) return 'duplicate';
  return out.event?.type === 'ignored' ? 'ignored' : 'accepted';
}
