/**
 * `tidewatch cases archive`: resolved cases closed before a date, each with its kept alerts and its
 * audit (ending with the archive entry naming who archived it), written to a JSONL file whose last
 * line is the SHA-256 of every line before it. The cases leave Redis only after the file is written,
 * synced, read back and its checksum and case ids verified; a case reopened meanwhile stays.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Alert } from '../contract/schemas.js';
import type { Actor, AuditEntry, Case } from './case-model.js';
import { CaseActionError } from './case-transitions.js';
import type { RedisCaseStore } from './redis-case-store.js';

export interface ArchivedCase {
  case: Case;
  alerts: Alert[];
  audit: AuditEntry[];
}

export interface ArchiveResult {
  file: string;
  sha256: string;
  archived: number;
  removed: number;
  /** Cases reopened or changed after export: in the file, still in Redis. */
  keptChanged: string[];
}

/**
 * Writes the records and the checksum line to a new file (never overwrites), synced to disk, owner
 * only (0600) as checkpoints are: it holds SAR-grade records with notes and audit (QA D11).
 */
export async function writeArchive(file: string, records: readonly ArchivedCase[]): Promise<string> {
  const body = records.map((r) => JSON.stringify(r) + '\n').join('');
  const sha256 = createHash('sha256').update(body).digest('hex');
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(body + JSON.stringify({ checksum: `sha256:${sha256}`, cases: records.length }) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return sha256;
}

/** Reads an archive back: the case ids it holds, after checking the checksum line against the lines before it. */
export async function verifyArchive(file: string): Promise<{ sha256: string; caseIds: string[] }> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  const last = JSON.parse(lines.at(-1) ?? '{}') as { checksum?: string; cases?: number };
  const body = lines.slice(0, -1).map((l) => l + '\n').join('');
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (last.checksum !== `sha256:${sha256}` || last.cases !== lines.length - 1) throw new Error(`${file}: the checksum line does not match the archive's contents`);
  return { sha256, caseIds: lines.slice(0, -1).map((l) => (JSON.parse(l) as ArchivedCase).case.caseId) };
}

export async function archiveResolved(store: RedisCaseStore, actor: Actor, before: number, file: string, now: number): Promise<ArchiveResult> {
  if (actor.role !== 'supervisor') throw new CaseActionError('TW_CASE_FORBIDDEN', `${actor.name} (${actor.role}) may not archive cases; it needs supervisor`);
  const candidates = await store.resolvedBefore(before);
  const entry = (caseId: string): AuditEntry => ({ caseId, action: 'archive', at: new Date(now).toISOString(), analyst: actor.name, detail: basename(file) });
  const records: ArchivedCase[] = [];
  for (const { case: c } of candidates) records.push({ case: c, alerts: await store.alerts(c.caseId), audit: [...(await store.audit(c.caseId)), entry(c.caseId)] });
  const written = await writeArchive(file, records);
  const verified = await verifyArchive(file);
  if (verified.sha256 !== written || verified.caseIds.join() !== candidates.map((x) => x.case.caseId).join()) throw new Error(`${file}: read back differently from what was written; nothing removed`);
  let removed = 0;
  const keptChanged: string[] = [];
  for (const { raw, case: c } of candidates) {
    const result = await store.removeArchived(c.caseId, raw, entry(c.caseId));
    if (result === 1) removed++;
    if (result === 0) keptChanged.push(c.caseId);
  }
  await store.logArchive({ action: 'archive', at: new Date(now).toISOString(), analyst: actor.name, file, sha256: written, before: new Date(before).toISOString(), archived: records.length, removed });
  return { file, sha256: written, archived: records.length, removed, keptChanged };
}
