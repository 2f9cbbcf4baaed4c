/** Suppressions: the allow-list in force and past, the alerts it silenced, and (supervisors) add and revoke. */
import type { SuppressedAlert, Suppression, SuppressionLogEntry } from '../../src/cases/suppressions.js';
import { api, type Me } from './api.js';
import { draftsIn, type Drafts, el, fmtTime, mount, restoreDrafts, setText } from './dom.js';

interface Listing { suppressions: (Suppression & { active: boolean })[]; log: SuppressionLogEntry[]; suppressedAlerts: SuppressedAlert[] }

/** Active (and for which severities), revoked or expired. */
function stateOf(s: Suppression & { active: boolean }): string {
  if (s.revokedAt) return `revoked by ${s.revokedBy}`;
  if (!s.active) return 'expired';
  return s.confirmedBy ? `active, high too (confirmed by ${s.confirmedBy})` : 'active, low and medium (high needs a second supervisor)';
}

/**
 * `sent`: a redraw after an action, which sent these fields' text. The new suppression's form keeps
 * what was typed in it and not sent: before session 50 confirming or revoking another suppression
 * drew it again empty.
 */
export async function showSuppressions(app: HTMLElement, me: Me, sent?: Drafts): Promise<void> {
  const data = await api.get<Listing>('/api/suppressions');
  const drafts = sent === undefined ? {} : draftsIn(app, sent);
  const error = el('p', { class: 'error', 'data-testid': 'suppression-error' });
  const reload = (fieldsSent: Drafts): void => void showSuppressions(app, me, fieldsSent);
  const act = (p: Promise<unknown>, fieldsSent: Drafts = {}): void => void p.then(() => reload(fieldsSent)).catch((e: Error) => { setText(error, e.message); });
  const rows = data.suppressions.map((s) => el('tr', { 'data-testid': 'suppression-row', 'data-id': s.id },
    el('td', {}, s.kind), el('td', {}, s.subject), el('td', {}, s.ruleId), el('td', {}, s.reason), el('td', {}, s.createdBy), el('td', {}, fmtTime(s.expiresAt)),
    el('td', { 'data-testid': 'suppression-state' }, stateOf(s)),
    el('td', {}, ...(me.role === 'supervisor' && s.active ? [
      !s.confirmedBy && s.createdBy !== me.user ? el('button', { class: 'secondary', 'data-testid': 'confirm', onclick: () => act(api.post(`/api/suppressions/${s.id}/confirm`, {})) }, 'Confirm for high') : '',
      el('button', { class: 'secondary', 'data-testid': 'revoke', onclick: () => {
        const reason = window.prompt('Why revoke it?') ?? '';
        act(api.post(`/api/suppressions/${s.id}/revoke`, { reason }));
      } }, 'Revoke'),
    ] : []))));
  let form: HTMLElement | null = null;
  if (me.role === 'supervisor') {
    const kind = el('select', { name: 'kind', 'data-draft': 'suppress-kind' }, ...['account', 'cluster', 'address'].map((k) => el('option', { value: k }, k)));
    const subject = el('input', { name: 'subject', 'data-draft': 'suppress-subject', placeholder: 'account, cluster or address', required: true });
    const ruleId = el('input', { name: 'ruleId', 'data-draft': 'suppress-rule', placeholder: 'rule id (empty: every rule)' });
    const reason = el('input', { name: 'reason', 'data-draft': 'suppress-reason', placeholder: 'reason (required)' });
    const days = el('input', { name: 'days', 'data-draft': 'suppress-days', type: 'number', min: '1', max: '366', value: '30' });
    form = el('form', { 'data-testid': 'suppress-form', onsubmit: (e) => {
      e.preventDefault();
      const typed = { 'suppress-subject': subject.value, 'suppress-rule': ruleId.value, 'suppress-reason': reason.value, 'suppress-days': days.value };
      act(api.post('/api/suppressions', { kind: kind.value, subject: subject.value, ruleId: ruleId.value, reason: reason.value, days: Number(days.value) }), typed);
    } }, el('label', {}, 'Subject', kind), subject, ruleId, reason, el('label', {}, 'Days', days), el('button', { type: 'submit' }, 'Suppress'));
  }
  mount(app, el('h1', {}, 'Suppressions'), el('p', {}, 'A suppressed alert is still recorded, but opens no case. A suppression silences low and medium alerts; high ones only once a second supervisor confirms it; critical ones never.'), form, error,
    el('table', { 'data-testid': 'suppressions' }, el('thead', {}, el('tr', {}, ...['kind', 'subject', 'rule', 'reason', 'by', 'expires', 'state', ''].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)),
    el('h2', {}, 'Silenced alerts'),
    el('table', { 'data-testid': 'suppressed-alerts' }, el('tbody', {}, ...data.suppressedAlerts.map((a) => el('tr', {}, el('td', {}, fmtTime(a.at)), el('td', {}, a.accountId), el('td', {}, a.ruleId), el('td', {}, a.alertId), el('td', {}, a.suppressionId))))),
    el('h2', {}, 'Log'),
    el('table', { 'data-testid': 'suppression-log' }, el('tbody', {}, ...data.log.map((e) => el('tr', {}, el('td', {}, fmtTime(e.at)), el('td', {}, e.action), el('td', {}, e.by), el('td', {}, e.detail))))));
  restoreDrafts(app, drafts);
}
