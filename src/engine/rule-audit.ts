/**
 * What a rule audit records: each rule set the monitor put in force (at start and on every hot
 * reload) and each change it refused, with the fingerprint, the rule versions that came and went,
 * and every rule file's digest, owner and modification time. A rule file carries no signature,
 * so "who" is what the file system says: the owner of each file and when it last changed, beside
 * the instance and host that read it. The sink (Redis, in the composition root) is not the engine's.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { listRuleFiles } from './loader.js';

export interface RuleFileRecord {
  path: string;
  sha256: string;
  /** The owning user id, as the file system reports it. */
  uid: number;
  modifiedAt: string;
}

export interface RuleAuditEntry {
  at: string;
  event: 'start' | 'reload' | 'refused';
  instance: string;
  host: string;
  /** The fingerprint of the rules in force after the event (the same as before for a refusal). */
  fingerprint: string;
  rules: number;
  added?: string[];
  removed?: string[];
  /** For a refusal: what was wrong, with file and line. */
  reason?: string;
  files: RuleFileRecord[];
}

/** Appends an entry; one implementation per store (Redis in the composition root). */
export type RuleAuditSink = (entry: RuleAuditEntry) => Promise<void>;

/** Each rule file under `dir` with its digest, owner and modification time; a file that vanished meanwhile is left out. */
export function ruleFileRecords(dir: string): RuleFileRecord[] {
  const out: RuleFileRecord[] = [];
  for (const path of listRuleFiles(dir)) {
    try {
      const stat = statSync(path);
      out.push({ path: relative(dir, path), sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), uid: stat.uid, modifiedAt: stat.mtime.toISOString() });
    } catch {
      // Removed between the listing and the read: the next event lists the folder again.
    }
  }
  return out;
}
