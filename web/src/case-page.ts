/** A case: its alerts with explanations, the drawn path, the account's timeline, linked accounts, notes, actions and the SAR draft. */
import type { CaseDetail } from '../../src/console/case-detail.js';
import { api, ApiError, type Me } from './api.js';
import { draftsIn, type Drafts, el, fmtTime, hours, mount, restoreDrafts, setText, sev, userText } from './dom.js';
import { alertWhy } from './alert-why.js';
import { drawGraph } from './graph.js';
import { queueLink } from './queue.js';

/**
 * A refusal because the case changed since the page was drawn (another analyst claimed, closed or
 * sent it back: 409, or 403 for a case now someone else's) redraws the page as the case is now,
 * with the reason; before session 48 the reason showed beside the old status and buttons.
 */
const changedMeanwhile = (e: Error): boolean => e instanceof ApiError && (e.status === 409 || e.status === 403);

/**
 * The page's redraw: a notice to show, and the text each field held when the action that caused
 * the redraw sent it (a field still holding just that is drawn empty; one typed in since is kept).
 * Before session 49 a change refused because the case changed meanwhile redrew the page with
 * every field empty, and the note the analyst was writing was gone.
 */
type Reload = (notice?: string, sent?: Drafts) => Promise<void>;

function actions(d: CaseDetail, me: Me, reload: Reload, notice: string): HTMLElement {
  const c = d.case;
  const feedback = el('p', { class: 'error', 'data-testid': 'action-error' }, notice);
  const refused = (e: Error): void => {
    if (changedMeanwhile(e)) void reload(`Not done: ${e.message}. The page now shows the case as it is.`);
    else setText(feedback, e.message);
  };
  /** Sends an action; once done, the page is drawn again without `sent`, the text of the fields it sent. */
  const run = (path: string, body: unknown = {}, sent: Drafts = {}) => () => void api.post(`/api/cases/${c.caseId}/${path}`, body).then(() => reload('', sent)).catch(refused);
  const box = el('div', { class: 'actions' });
  if (me.role === 'viewer') return el('div', { class: 'card' }, el('p', { class: 'muted' }, 'Viewers read cases; they cannot act on them.'));
  if (c.status === 'claimed' && (c.analyst === me.user || me.role === 'supervisor')) box.append(el('button', { class: 'secondary', 'data-testid': 'release', onclick: run('release') }, 'Release'));
  if (c.status === 'open' || c.status === 'claimed') {
    const disposition = el('select', { 'data-testid': 'disposition' }, ...['escalated', 'sar-filed', 'false-positive'].map((x) => el('option', { value: x }, x)));
    const note = el('textarea', { 'data-testid': 'resolve-note', 'data-draft': 'resolve-note', rows: '2', cols: '40', placeholder: 'why (required)' });
    box.append(el('label', {}, 'Disposition', disposition), el('label', {}, 'Note', note), el('button', { 'data-testid': 'resolve', onclick: () => run('resolve', { disposition: disposition.value, note: note.value }, { 'resolve-note': note.value })() }, 'Resolve'));
  }
  if (c.status === 'pending-approval' && me.role === 'supervisor') {
    const reason = el('input', { 'data-testid': 'reject-reason', 'data-draft': 'reject-reason', placeholder: 'reason to send back' });
    // The proposal shown is the one approved: one made since is refused, and the page says so.
    box.append(el('button', { 'data-testid': 'approve', onclick: run('approve', c.pending ? { proposedAt: c.pending.at } : {}) }, `Approve ${c.pending?.disposition ?? ''}`), reason, el('button', { class: 'secondary', 'data-testid': 'reject', onclick: () => run('reject', { reason: reason.value }, { 'reject-reason': reason.value })() }, 'Send back'));
  }
  if (c.status === 'resolved') {
    const reason = el('input', { 'data-testid': 'reopen-reason', 'data-draft': 'reopen-reason', placeholder: 'reason to reopen' });
    box.append(reason, el('button', { 'data-testid': 'reopen', onclick: () => run('reopen', { reason: reason.value }, { 'reopen-reason': reason.value })() }, 'Reopen'));
  }
  if (me.role === 'supervisor' && (c.status === 'open' || c.status === 'claimed')) {
    const who = el('input', { 'data-testid': 'assign-to', placeholder: 'analyst' });
    box.append(who, el('button', { class: 'secondary', 'data-testid': 'assign', onclick: () => run('assign', { analyst: who.value })() }, 'Assign'));
  }
  return el('div', { class: 'card' }, el('h2', {}, 'Actions'), box, feedback);
}

/**
 * The monitor's own audit entries carry the alert's event time (README "Times are Redis's"), a
 * person's the time they acted: the page says which, or an `open` dated 2025 above a `claim`
 * dated today reads as a clock error.
 */
const byMonitor = (action: string): boolean => action === 'open' || action === 'add-alert' || action === 'set-aside';

function summary(d: CaseDetail): HTMLElement {
  const c = d.case;
  return el('dl', { class: 'kv card', 'data-testid': 'case-summary' },
    el('dt', {}, 'Subject'), el('dd', {}, el('a', { href: queueLink(c.subject), 'data-testid': 'subject-link', title: 'this subject\'s cases' }, userText(c.subject))), el('dt', {}, 'Status'), el('dd', { 'data-testid': 'case-status' }, c.status),
    el('dt', {}, 'Severity'), el('dd', {}, sev(c.severity), ` score ${c.score}`), el('dt', {}, 'Typologies'), el('dd', {}, c.typologies.join(', ')),
    el('dt', {}, 'Held by'), el('dd', {}, c.analyst ?? '—'), el('dt', {}, 'Age / SLA'), el('dd', {}, `${hours(c.ageHours)} / ${c.slaHours ?? '—'} h${c.slaBreached ? ' (breached)' : ''}`),
    c.pending ? el('dt', {}, 'Pending closure') : null, c.pending ? el('dd', { 'data-testid': 'pending' }, `${c.pending.disposition} by ${c.pending.by}: ${userText(c.pending.note)}`) : null,
    c.disposition ? el('dt', {}, 'Disposition') : null, c.disposition ? el('dd', {}, `${c.disposition}${c.approvedBy ? `, approved by ${c.approvedBy}` : ''}`) : null,
    el('dt', {}, 'SAR/STR draft'), el('dd', {}, el('a', { href: `/api/cases/${c.caseId}/sar`, 'data-testid': 'sar-json', download: `sar-draft-${c.caseId}.json` }, 'JSON'), ' · ',
      el('a', { href: `/api/cases/${c.caseId}/sar?format=html`, target: '_blank', rel: 'noopener', 'data-testid': 'sar-html' }, 'printable page')));
}

function timeline(d: CaseDetail): HTMLElement {
  if (!d.timelineAvailable) return el('p', { class: 'muted' }, 'No account events loaded (start the console with --events <file.jsonl>).');
  return el('table', { 'data-testid': 'timeline' }, el('thead', {}, el('tr', {}, ...['time (UTC)', 'kind', 'amount', 'USD', 'chain', 'transaction', 'counterparty', 'country', 'VPN', 'device'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...d.timeline.map((e) => el('tr', { class: e.evidence ? 'evidence' : '', title: e.evidence ? 'evidence of an alert' : '' },
      el('td', {}, fmtTime(e.at)), el('td', {}, e.kind), el('td', {}, e.amount ? `${e.amount} ${e.asset}` : ''), el('td', {}, e.usdValue === undefined ? '' : String(e.usdValue)), el('td', {}, e.chain ?? ''),
      el('td', {}, e.txHash ? el('code', {}, e.txHash) : ''),
      el('td', {}, e.kind === 'withdrawal' ? e.to ?? '' : e.kind === 'deposit' ? (e.from ?? []).join(', ') : ''), el('td', {}, e.country ?? ''),
      el('td', {}, e.vpn === undefined ? '' : e.vpn ? `yes${e.vpnProvider ? ` (${e.vpnProvider})` : ''}` : 'no'), el('td', {}, e.deviceId ?? '')))));
}

/**
 * Whether the address still names this case. A redraw does not go through the router: before
 * session 50 one whose fetch ended after the analyst had moved to another page (the queue, another
 * case) was mounted over that page.
 */
const addressNames = (caseId: string): boolean => /^#\/case\/([\w-]+)/.exec(location.hash)?.[1] === caseId;

/** `sent`: this is a redraw of the case shown, after an action that sent these fields' text (none: a refusal). */
export async function showCase(app: HTMLElement, caseId: string, me: Me, notice = '', sent?: Drafts): Promise<void> {
  const reload: Reload = async (again = '', fieldsSent = {}) => showCase(app, caseId, me, again, fieldsSent);
  const d = await api.get<CaseDetail>(`/api/cases/${caseId}`);
  if (sent !== undefined && !addressNames(caseId)) return;
  const drafts = sent === undefined ? {} : draftsIn(app, sent);
  const graph = el('div', { id: 'graph', 'data-testid': 'graph' });
  const note = el('textarea', { rows: '2', cols: '50', 'data-testid': 'note-text', 'data-draft': 'note-text', placeholder: 'add a note' });
  const noteError = el('p', { class: 'error', 'data-testid': 'note-error' });
  mount(app,
    el('h1', {}, `Case ${caseId}`), summary(d), actions(d, me, reload, notice),
    el('h2', {}, 'Evidence path'), graph, el('p', { class: 'muted' }, 'Blue: the account; red: a labelled (sanctioned) address; purple hexagons: clusters, dashed purple: a merge with its heuristic and transaction; orange: hops. Every hop is listed under its alert below.'),
    el('div', {}, el('h2', {}, `Alerts (${d.alerts.length} kept of ${d.case.alertCount}; times are event times, UTC)`), ...d.alerts.map((a) => el('div', { class: `alert sev-${a.severity}`, 'data-testid': 'alert' },
        el('div', {}, sev(a.severity), ` ${a.ruleId} v${a.ruleVersion} · score ${a.score} · ${fmtTime(a.triggeredAt)}`), el('p', { 'data-testid': 'explanation' }, a.explanation),
        alertWhy(a, d.rules[a.ruleId]),
        el('details', {}, el('summary', {}, `evidence as recorded (JSON) · ${a.eventIds.length} event(s)`), el('pre', {}, JSON.stringify({ eventIds: a.eventIds, ...a.evidence }, null, 2)))))),
    el('h2', {}, 'Account timeline (★ evidence)'), timeline(d),
    el('h2', {}, 'Linked accounts'), d.linked.length ? el('ul', { 'data-testid': 'linked' }, ...d.linked.map((l) => el('li', {}, `${l.accountId} via shared ${l.via} `, el('code', {}, l.value), ' ',
      ...l.caseIds.map((id) => el('a', { href: `#/case/${id}` }, id))))) : el('p', { class: 'muted' }, 'none known'),
    el('h2', {}, 'Notes and audit'),
    me.role === 'viewer' ? null : el('div', { class: 'actions' }, note, el('button', { 'data-testid': 'add-note', onclick: () => { const text = note.value; void api.post(`/api/cases/${caseId}/notes`, { text }).then(() => reload('', { 'note-text': text })).catch((e: Error) => { setText(noteError, e.message); }); } }, 'Add note'), noteError),
    el('table', { 'data-testid': 'audit' }, el('thead', {}, el('tr', {}, ...['time (UTC)', 'action', 'by', 'detail', 'note'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...d.audit.map((e) => el('tr', {}, el('td', {}, byMonitor(e.action) ? `${fmtTime(e.at)} (alert event time)` : fmtTime(e.at)), el('td', { 'data-testid': 'audit-action' }, e.action),
        el('td', {}, byMonitor(e.action) ? `monitor${e.analyst ? ` (proposal of ${e.analyst})` : ''}` : e.analyst ?? ''), el('td', {}, userText(e.detail ?? '')), el('td', { class: 'note' }, userText(e.note ?? '')))))));
  restoreDrafts(app, drafts);
  if (d.graph.nodes.length) drawGraph(graph, d.graph);
}
