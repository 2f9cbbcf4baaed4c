/**
 * What each human action does to a case, and who may do it: pure functions shared by the
 * in-memory and Redis stores, so both refuse the same things with the same errors. Each returns
 * the new case document, the audit entry, and what happens to the subject's open-case pointer.
 */
import { DISPOSITIONS, severityRank, type Actor, type AuditEntry, type Case, type Disposition, type SarFormat } from './case-model.js';

export type CaseErrorCode = 'TW_CASE_MISSING' | 'TW_CASE_FORBIDDEN' | 'TW_CASE_STATE' | 'TW_CASE_INPUT';

/** A refused action; `code` tells a caller (the console) which HTTP status it is. */
export class CaseActionError extends Error {
  constructor(readonly code: CaseErrorCode, message: string) {
    super(message);
    this.name = 'CaseActionError';
  }
}

export interface Transition {
  doc: Case;
  audit: AuditEntry;
  /** `release`: the subject's next alert opens a new case; `take-if-free`: new alerts come here unless another case is open. */
  subject?: 'release' | 'take-if-free';
}

const iso = (now: number): string => new Date(now).toISOString();

/** The analyst whose lease is still running, if any. */
export function holder(c: Case, now: number): string | undefined {
  return c.status === 'claimed' && (c.leaseUntil ?? 0) > now ? c.analyst : undefined;
}

function requireRole(actor: Actor, roles: Actor['role'][], what: string): void {
  if (!roles.includes(actor.role)) throw new CaseActionError('TW_CASE_FORBIDDEN', `${actor.name} (${actor.role}) may not ${what}; it needs ${roles.join(' or ')}`);
}

/** Characters that show nothing: controls (NUL, …), format characters (zero-width spaces, bidi overrides) and white space. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\s]/gu;

/** Whether the text shows nothing: empty, or only white space, controls and format characters. */
export function showsNothing(text: string): boolean {
  return text.replace(INVISIBLE, '') === '';
}

/**
 * The text a person gave (a note, a reason, a suppression's subject), trimmed; refused when it
 * shows nothing, holds NUL or runs past 10,000 characters.
 */
export function requireText(text: string, what: string): string {
  const trimmed = text.trim();
  // A note of invisible characters only is empty: a closure "explained" by a zero-width space went to approval (QA).
  if (showsNothing(trimmed)) throw new CaseActionError('TW_CASE_INPUT', `${what} must not be empty (or only characters that show nothing)`);
  if (trimmed.includes('\u0000')) throw new CaseActionError('TW_CASE_INPUT', `${what} must not hold a NUL character`);
  if (trimmed.length > 10_000) throw new CaseActionError('TW_CASE_INPUT', `${what} is longer than 10,000 characters`);
  return trimmed;
}

function requireStatus(c: Case, statuses: Case['status'][], what: string): void {
  if (!statuses.includes(c.status)) throw new CaseActionError('TW_CASE_STATE', `${c.caseId} is ${c.status}; ${what} needs it ${statuses.join(' or ')}`);
}

function notHeldByAnother(c: Case, actor: Actor, now: number, what: string): void {
  const by = holder(c, now);
  if (by && by !== actor.name && actor.role !== 'supervisor') throw new CaseActionError('TW_CASE_FORBIDDEN', `${c.caseId} is claimed by ${by}; only they or a supervisor may ${what}`);
}

function withoutHold(c: Case): Case {
  const doc = { ...c };
  delete doc.analyst;
  delete doc.leaseUntil;
  return doc;
}

export function releaseCase(c: Case, actor: Actor, now: number): Transition {
  requireStatus(c, ['claimed'], 'release');
  if (c.analyst !== actor.name && actor.role !== 'supervisor') throw new CaseActionError('TW_CASE_FORBIDDEN', `${c.caseId} is claimed by ${c.analyst}, not ${actor.name}`);
  return { doc: { ...withoutHold(c), status: 'open' }, audit: { caseId: c.caseId, action: 'release', at: iso(now), analyst: actor.name } };
}

/**
 * A claimed case taken back from a holder who can no longer work cases (made a viewer, or removed):
 * it goes back to the queue, and the audit's `release` entry names who took it back (the user
 * who changed the holder's account), the former holder (`detail`) and why (`note`). Before, a
 * viewer kept a claimed case until its lease ran out (up to 8 hours when assigned), where no
 * analyst could resolve it (session 44 security QA).
 */
export function handBackCase(c: Case, holder: string, reason: string, by: string, now: number): Transition {
  requireStatus(c, ['claimed'], 'handing back');
  if (c.analyst !== holder) throw new CaseActionError('TW_CASE_STATE', `${c.caseId} is claimed by ${c.analyst ?? 'nobody'}, not ${holder}`);
  return { doc: { ...withoutHold(c), status: 'open' }, audit: { caseId: c.caseId, action: 'release', at: iso(now), analyst: by, detail: holder, note: requireText(reason, 'the reason for handing back') } };
}

/**
 * A closure awaiting approval withdrawn because its proposer can no longer work cases (made a
 * viewer, or removed): the case goes back to the queue, open and nobody's, for an analyst to
 * review again, and the audit's `withdraw` entry names who withdrew it (the user who changed the
 * proposer's account), the proposer (`detail`) and why, with the proposal (`note`). Before, the
 * proposal stayed pending and a supervisor could approve it on the word of someone who no longer
 * held the role (session 45 security QA).
 */
export function withdrawProposal(c: Case, proposer: string, reason: string, by: string, now: number): Transition {
  requireStatus(c, ['pending-approval'], 'withdrawing a proposed closure');
  const pending = c.pending;
  if (pending?.by !== proposer) throw new CaseActionError('TW_CASE_STATE', `${c.caseId}: the closure awaiting approval was proposed by ${pending?.by ?? 'nobody'}, not ${proposer}`);
  const doc: Case = { ...withoutHold(c), status: 'open' };
  delete doc.pending;
  const note = `${requireText(reason, 'the reason for withdrawing')}: ${proposer}'s ${pending.disposition} closure proposed at ${pending.at} is withdrawn, for an analyst to review again`;
  return { doc, audit: { caseId: c.caseId, action: 'withdraw', at: iso(now), analyst: by, detail: proposer, note } };
}

export function assignCase(c: Case, analyst: string, actor: Actor, leaseMs: number, now: number): Transition {
  requireRole(actor, ['supervisor'], 'assign cases');
  requireStatus(c, ['open', 'claimed'], 'assignment');
  const to = requireText(analyst, 'the assignee');
  return { doc: { ...c, status: 'claimed', analyst: to, leaseUntil: now + leaseMs }, audit: { caseId: c.caseId, action: 'assign', at: iso(now), analyst: actor.name, detail: to } };
}

/** High and critical cases need a second person, a supervisor, to approve the closure (four-eyes). */
export function needsApproval(c: Case): boolean {
  return severityRank(c.severity) >= severityRank('high');
}

export function resolveCase(c: Case, disposition: Disposition, note: string, actor: Actor, now: number): Transition {
  requireRole(actor, ['analyst', 'supervisor'], 'resolve cases');
  if (!DISPOSITIONS.includes(disposition)) throw new CaseActionError('TW_CASE_INPUT', `disposition: one of ${DISPOSITIONS.join(', ')}, not ${String(disposition)}`);
  const text = requireText(note, `a ${disposition} disposition's note`);
  requireStatus(c, ['open', 'claimed'], 'resolving');
  notHeldByAnother(c, actor, now, 'resolve it');
  const base = withoutHold(c);
  if (needsApproval(c)) {
    return {
      doc: { ...base, status: 'pending-approval', analyst: actor.name, pending: { disposition, note: text, by: actor.name, at: iso(now) } },
      audit: { caseId: c.caseId, action: 'request-approval', at: iso(now), analyst: actor.name, detail: disposition, note: text },
    };
  }
  return {
    doc: { ...base, status: 'resolved', analyst: actor.name, disposition, note: text, resolvedAt: iso(now) },
    audit: { caseId: c.caseId, action: 'resolve', at: iso(now), analyst: actor.name, detail: disposition, note: text },
    subject: 'release',
  };
}

/**
 * @param proposedAt when the closure the approver read was proposed (the console sends it): a
 * proposal made since (sent back and proposed again, perhaps as another disposition by another
 * analyst) is not approved in its place (session 41 QA: a page showing "Approve escalated"
 * approved a false-positive proposed after it was drawn).
 */
export function approveCase(c: Case, actor: Actor, now: number, proposedAt?: string): Transition {
  requireRole(actor, ['supervisor'], 'approve closures');
  requireStatus(c, ['pending-approval'], 'approval');
  const pending = c.pending!;
  if (proposedAt !== undefined && proposedAt !== pending.at) throw new CaseActionError('TW_CASE_STATE', `${c.caseId}: the closure awaiting approval is ${pending.by}'s ${pending.disposition} proposed at ${pending.at}, not the one proposed at ${proposedAt}: read the case again`);
  if (pending.by === actor.name) throw new CaseActionError('TW_CASE_FORBIDDEN', `four-eyes: ${actor.name} proposed this closure and cannot approve it too`);
  // A supervisor made after the proposal could be the proposer's own second account.
  if (actor.supervisorSince !== undefined && Date.parse(actor.supervisorSince) > Date.parse(pending.at)) throw new CaseActionError('TW_CASE_FORBIDDEN', `four-eyes: ${actor.name} became a supervisor after this closure was proposed (${pending.at}) and cannot approve it; a supervisor of longer standing must`);
  refuseTied(actor, pending.by, now, `approve ${pending.by}'s closure`);
  const doc: Case = { ...c, status: 'resolved', analyst: pending.by, disposition: pending.disposition, note: pending.note, approvedBy: actor.name, resolvedAt: iso(now) };
  delete doc.pending;
  return { doc, audit: { caseId: c.caseId, action: 'approve', at: iso(now), analyst: actor.name, detail: pending.disposition, note: pending.note }, subject: 'release' };
}

/**
 * Four-eyes between tied accounts (users.ts accountTies): one of the two may be signed in as the
 * other, so the second pair of eyes would be the first's. `what` names the act refused.
 */
export function refuseTied(actor: Actor, other: string, now: number, what: string): void {
  const tie = actor.ties?.find((t) => t.user === other && (t.until === undefined || Date.parse(t.until) > now));
  if (tie) throw new CaseActionError('TW_CASE_FORBIDDEN', `four-eyes: ${actor.name} cannot ${what}: ${tie.reason}; a supervisor whose account is not tied to ${other}'s must`);
}

export function rejectCase(c: Case, reason: string, actor: Actor, now: number): Transition {
  requireRole(actor, ['supervisor'], 'reject closures');
  const text = requireText(reason, 'the reason for rejecting');
  requireStatus(c, ['pending-approval'], 'rejecting a closure');
  const doc: Case = { ...withoutHold(c), status: 'open' };
  delete doc.pending;
  return { doc, audit: { caseId: c.caseId, action: 'reject', at: iso(now), analyst: actor.name, detail: c.pending?.by, note: text } };
}

export function reopenCase(c: Case, reason: string, actor: Actor, now: number): Transition {
  requireRole(actor, ['analyst', 'supervisor'], 'reopen cases');
  const text = requireText(reason, 'the reason for reopening');
  requireStatus(c, ['resolved'], 'reopening');
  const doc: Case = { ...withoutHold(c), status: 'open' };
  delete doc.disposition;
  delete doc.note;
  delete doc.approvedBy;
  delete doc.resolvedAt;
  return { doc, audit: { caseId: c.caseId, action: 'reopen', at: iso(now), analyst: actor.name, detail: c.disposition, note: text }, subject: 'take-if-free' };
}

export function noteCase(c: Case, text: string, actor: Actor, now: number): Transition {
  requireRole(actor, ['analyst', 'supervisor'], 'add notes');
  const note = requireText(text, 'a note');
  return { doc: c, audit: { caseId: c.caseId, action: 'note', at: iso(now), analyst: actor.name, note } };
}

/**
 * A SAR/STR draft was exported: who, when and in which format go to the audit, as every human
 * action does (the draft carries KYC and transaction data; QA D4). Any signed-in role may export
 * (the README's role "any"); the case itself is left as it is.
 */
export function exportSarCase(c: Case, format: SarFormat, actor: Actor, now: number): Transition {
  return { doc: c, audit: { caseId: c.caseId, action: 'export-sar', at: iso(now), analyst: actor.name, detail: format } };
}

/** Actions that only add to the audit: the case document is written back unchanged. */
const AUDIT_ONLY_ACTIONS: ReadonlySet<AuditEntry['action']> = new Set(['note', 'export-sar']);

export function onlyAudits(t: Transition): boolean {
  return AUDIT_ONLY_ACTIONS.has(t.audit.action);
}

export function claimAllowed(actor: Actor): void {
  requireRole(actor, ['analyst', 'supervisor'], 'claim cases');
}

export function missing(caseId: string): CaseActionError {
  return new CaseActionError('TW_CASE_MISSING', `no case ${caseId}`);
}

/**
 * Why a closure awaiting approval was set aside: an alert joined the case after it was proposed,
 * so the proposer had not reviewed it (session 41 QA: a critical sanctions alert joined a case
 * whose false-positive closure was pending, and approving the proposal closed it unreviewed).
 * The Redis store's add-alert script writes the same text.
 */
export function setAsideNote(alert: { alertId: string; severity: string }, disposition: string | undefined): string {
  return `alert ${alert.alertId} (${alert.severity}) joined the case after the ${disposition ?? ''} closure was proposed: it goes back to the queue for review`;
}
