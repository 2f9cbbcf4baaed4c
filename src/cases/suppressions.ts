/**
 * Suppressions (an allow-list): a supervisor silences one rule, or every rule, for a subject (an
 * account, a cluster or an address) with a reason and an expiry. A suppressed alert is still
 * recorded (listed with the suppression that matched it) but opens no case. Adding, confirming
 * and revoking are audited with the user; expired and revoked suppressions stay listed.
 *
 * Four eyes for high alerts: a suppression silences low and medium alerts from the start, and high
 * ones only once a second supervisor has confirmed it (one supervisor alone could silence a year
 * of high alerts on an account; security QA). Critical alerts are never silenced
 * (SuppressingCaseStore).
 */
import { randomBytes } from 'node:crypto';
import type { Alert } from '../contract/schemas.js';
import type { Actor } from './case-model.js';
import { CaseActionError, refuseTied, requireText } from './case-transitions.js';
import { addressKeyByForm, displayAddress } from '../chain/address.js';

export const SUBJECT_KINDS = ['account', 'cluster', 'address'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
/** The longest a suppression may run: a year, then someone must look again. */
export const MAX_SUPPRESSION_DAYS = 366;

export interface Suppression {
  id: string;
  kind: SubjectKind;
  subject: string;
  /** A rule id, or '*' for every rule. */
  ruleId: string;
  reason: string;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  /** The second supervisor who confirmed it: only then does it silence high alerts too. */
  confirmedBy?: string;
  confirmedAt?: string;
  revokedBy?: string;
  revokedAt?: string;
  revokeReason?: string;
}

export interface SuppressedAlert {
  alertId: string;
  ruleId: string;
  accountId: string;
  suppressionId: string;
  at: string;
  alert: Alert;
}

export interface SuppressionLogEntry {
  action: 'suppress' | 'confirm' | 'revoke';
  id: string;
  by: string;
  at: string;
  detail: string;
}

/** Where suppressions, their log and the alerts they silenced are kept; one implementation per backend. */
export interface SuppressionBackend {
  /** Adds or replaces a suppression, and moves `version` on in the same step. */
  put(s: Suppression): Promise<void>;
  all(): Promise<Suppression[]>;
  /** Changes whenever a suppression is put: a reader's copy of `all()` is current while it holds. */
  version(): Promise<number>;
  log(entry: SuppressionLogEntry): Promise<void>;
  logEntries(): Promise<SuppressionLogEntry[]>;
  recordSuppressed(a: SuppressedAlert): Promise<void>;
  suppressedAlerts(limit: number): Promise<SuppressedAlert[]>;
}

export interface NewSuppression {
  kind: string;
  subject: string;
  ruleId?: string;
  reason: string;
  days: number;
}

/** Whether the suppression silences this alert at `now`. */
export function silences(s: Suppression, alert: Alert, now: number): boolean {
  if (s.revokedAt || Date.parse(s.expiresAt) <= now) return false;
  if (alert.severity === 'critical' || (alert.severity === 'high' && !s.confirmedBy)) return false;
  if (s.ruleId !== '*' && s.ruleId !== alert.ruleId) return false;
  if (s.kind === 'account') return alert.subject.accountId === s.subject;
  if (s.kind === 'cluster') return alert.subject.cluster === s.subject || alert.evidence.cluster === s.subject;
  const evidence = JSON.stringify(alert.evidence);
  // EVM hex is one address in any letter case (alerts show EIP-55, timelines lower case).
  return EVM_HEX.test(s.subject) ? evidence.toLowerCase().includes(JSON.stringify(s.subject.toLowerCase())) : evidence.includes(JSON.stringify(s.subject));
}

const EVM_HEX = /^0x[0-9a-fA-F]{40}$/;

/** An address as alerts show it (EIP-55 for EVM), or a refusal naming why it is none. */
function shownAddress(subject: string): string {
  const key = addressKeyByForm(subject);
  if (key === undefined) throw new CaseActionError('TW_CASE_INPUT', `subject: ${subject} is not a Bitcoin, EVM or Tron address (a mixed-case EVM address must carry a valid EIP-55 checksum)`);
  return displayAddress(key);
}

const RULE_ID = /^[a-z0-9][a-z0-9.-]*$/;

export class Suppressions {
  /** The suppressions not revoked, as of a backend version: checking an alert reads the version, not every suppression. */
  private unrevoked: { version: number; list: Suppression[] } | undefined;

  constructor(private readonly backend: SuppressionBackend) {}

  async add(input: NewSuppression, actor: Actor, now: number): Promise<Suppression> {
    if (actor.role !== 'supervisor') throw new CaseActionError('TW_CASE_FORBIDDEN', `${actor.name} (${actor.role}) may not suppress alerts; it needs supervisor`);
    if (!SUBJECT_KINDS.includes(input.kind as SubjectKind)) throw new CaseActionError('TW_CASE_INPUT', `kind: one of ${SUBJECT_KINDS.join(', ')}, not ${input.kind}`);
    // Invisible characters alone are no subject and no reason, as for a case's note (QA: U+200B and U+2060 were accepted).
    const subject = requireText(input.subject, 'the subject');
    const reason = requireText(input.reason, 'the reason');
    if (!(input.days > 0 && input.days <= MAX_SUPPRESSION_DAYS)) throw new CaseActionError('TW_CASE_INPUT', `days: more than 0 and at most ${MAX_SUPPRESSION_DAYS}`);
    const ruleId = input.ruleId?.trim() || '*';
    if (ruleId !== '*' && !RULE_ID.test(ruleId)) throw new CaseActionError('TW_CASE_INPUT', `ruleId: ${ruleId} is no rule id (lower-case letters, digits, dots and dashes, as structuring.just-under), nor * for every rule`);
    const s: Suppression = {
      id: `sup-${randomBytes(8).toString('hex')}`, kind: input.kind as SubjectKind, subject: input.kind === 'address' ? shownAddress(subject) : subject, ruleId, reason,
      expiresAt: new Date(now + input.days * 86_400_000).toISOString(), createdBy: actor.name, createdAt: new Date(now).toISOString(),
    };
    await this.backend.put(s);
    await this.backend.log({ action: 'suppress', id: s.id, by: actor.name, at: s.createdAt, detail: `${s.ruleId} for ${s.kind} ${s.subject} until ${s.expiresAt}: ${reason}` });
    return s;
  }

  /**
   * A second supervisor's confirmation, after which the suppression silences high alerts too. The
   * one who added it cannot confirm it, nor one whose account is tied to theirs (accountTies), nor
   * can anyone confirm one revoked or expired.
   */
  async confirm(id: string, actor: Actor, now: number): Promise<Suppression> {
    if (actor.role !== 'supervisor') throw new CaseActionError('TW_CASE_FORBIDDEN', `${actor.name} (${actor.role}) may not confirm suppressions; it needs supervisor`);
    const s = (await this.backend.all()).find((x) => x.id === id);
    if (!s) throw new CaseActionError('TW_CASE_MISSING', `no suppression ${id}`);
    if (s.revokedAt) throw new CaseActionError('TW_CASE_STATE', `${id} was revoked by ${s.revokedBy}`);
    if (Date.parse(s.expiresAt) <= now) throw new CaseActionError('TW_CASE_STATE', `${id} expired at ${s.expiresAt}`);
    if (s.confirmedBy) throw new CaseActionError('TW_CASE_STATE', `${id} was confirmed by ${s.confirmedBy}`);
    if (s.createdBy === actor.name) throw new CaseActionError('TW_CASE_FORBIDDEN', `${actor.name} added ${id}: a second supervisor must confirm it`);
    // A supervisor made after the suppression was added could be its author's own second account,
    // as for closures (session 41 QA: one supervisor made a second and confirmed their own).
    if (actor.supervisorSince !== undefined && Date.parse(actor.supervisorSince) > Date.parse(s.createdAt)) throw new CaseActionError('TW_CASE_FORBIDDEN', `four-eyes: ${actor.name} became a supervisor after ${id} was added (${s.createdAt}) and cannot confirm it; a supervisor of longer standing must`);
    refuseTied(actor, s.createdBy, now, `confirm ${id}, added by ${s.createdBy}`);
    const confirmed = { ...s, confirmedBy: actor.name, confirmedAt: new Date(now).toISOString() };
    await this.backend.put(confirmed);
    await this.backend.log({ action: 'confirm', id, by: actor.name, at: confirmed.confirmedAt, detail: `${s.ruleId} for ${s.kind} ${s.subject} now silences high alerts too` });
    return confirmed;
  }

  async revoke(id: string, reason: string, actor: Actor, now: number): Promise<Suppression> {
    if (actor.role !== 'supervisor') throw new CaseActionError('TW_CASE_FORBIDDEN', `${actor.name} (${actor.role}) may not revoke suppressions; it needs supervisor`);
    const text = requireText(reason, 'the reason for revoking');
    const s = (await this.backend.all()).find((x) => x.id === id);
    if (!s) throw new CaseActionError('TW_CASE_MISSING', `no suppression ${id}`);
    if (s.revokedAt) throw new CaseActionError('TW_CASE_STATE', `${id} was revoked by ${s.revokedBy}`);
    const revoked = { ...s, revokedBy: actor.name, revokedAt: new Date(now).toISOString(), revokeReason: text };
    await this.backend.put(revoked);
    await this.backend.log({ action: 'revoke', id, by: actor.name, at: revoked.revokedAt, detail: text });
    return revoked;
  }

  /** Every suppression, newest first, with whether it is in force at `now`. */
  async list(now: number): Promise<(Suppression & { active: boolean })[]> {
    return (await this.backend.all()).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
      .map((s) => ({ ...s, active: !s.revokedAt && Date.parse(s.expiresAt) > now }));
  }

  /** The suppression in force that silences the alert, if any; the alert is then recorded as suppressed. */
  async check(alert: Alert, now: number): Promise<Suppression | undefined> {
    const match = (await this.notRevoked()).find((s) => silences(s, alert, now));
    if (match) await this.backend.recordSuppressed({ alertId: alert.alertId, ruleId: alert.ruleId, accountId: alert.subject.accountId, suppressionId: match.id, at: new Date(now).toISOString(), alert });
    return match;
  }

  log(): Promise<SuppressionLogEntry[]> {
    return this.backend.logEntries();
  }

  /**
   * The unrevoked suppressions, read again only when the backend's version moved (a put by any
   * process). A put between reading the version and the list leaves a newer list under the older
   * version, which the next check reads again: never an older list under a newer version.
   */
  private async notRevoked(): Promise<Suppression[]> {
    const version = await this.backend.version();
    if (this.unrevoked?.version !== version) this.unrevoked = { version, list: (await this.backend.all()).filter((s) => !s.revokedAt) };
    return this.unrevoked.list;
  }

  suppressedAlerts(limit = 200): Promise<SuppressedAlert[]> {
    return this.backend.suppressedAlerts(limit);
  }
}

export class MemorySuppressionBackend implements SuppressionBackend {
  private readonly byId = new Map<string, Suppression>();
  private readonly entries: SuppressionLogEntry[] = [];
  private readonly silenced: SuppressedAlert[] = [];

  private puts = 0;

  async put(s: Suppression): Promise<void> { this.byId.set(s.id, { ...s }); this.puts++; }
  async all(): Promise<Suppression[]> { return [...this.byId.values()].map((s) => ({ ...s })); }
  async version(): Promise<number> { return this.puts; }
  async log(entry: SuppressionLogEntry): Promise<void> { this.entries.push(entry); }
  async logEntries(): Promise<SuppressionLogEntry[]> { return [...this.entries]; }
  async recordSuppressed(a: SuppressedAlert): Promise<void> {
    if (this.silenced.some((x) => x.alertId === a.alertId)) return;
    this.silenced.push(a);
    if (this.silenced.length > SUPPRESSED_ALERTS_KEPT) this.silenced.shift();
  }
  async suppressedAlerts(limit: number): Promise<SuppressedAlert[]> { return this.silenced.slice(-limit).reverse(); }
}

/** Suppressed alerts kept for the list (the newest); each is also on the alert topic. */
export const SUPPRESSED_ALERTS_KEPT = 100_000;
