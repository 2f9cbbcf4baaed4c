/** Entries of the access log (reads of case contents), as the console and the CLI record them. */
import { READ_IDS_KEPT, type ReadEntry, type ReadKind } from './case-model.js';

export interface ReadShown {
  what: ReadKind;
  caseIds?: readonly string[];
  accountIds?: readonly string[];
  detail?: string;
}

/** The entry for a read by `user` at `now` (ms): at most READ_IDS_KEPT ids of each kind, each once, the count of the rest in `detail`. */
export function readEntry(user: string, via: ReadEntry['via'], shown: ReadShown, now: number): ReadEntry {
  const caseIds = [...new Set(shown.caseIds ?? [])];
  const accountIds = [...new Set(shown.accountIds ?? [])];
  const beyond = [caseIds.length > READ_IDS_KEPT ? `${caseIds.length} cases` : '', accountIds.length > READ_IDS_KEPT ? `${accountIds.length} accounts` : ''].filter(Boolean);
  const detail = [shown.detail ?? '', beyond.length > 0 ? `showed ${beyond.join(' and ')}; the first ${READ_IDS_KEPT} of each listed` : ''].filter(Boolean).join('; ');
  return {
    at: new Date(now).toISOString(), user, via, what: shown.what,
    caseIds: caseIds.slice(0, READ_IDS_KEPT), accountIds: accountIds.slice(0, READ_IDS_KEPT),
    ...(detail ? { detail } : {}),
  };
}
