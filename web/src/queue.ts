/** The queue: filters (one subject's cases from the route), SLA highlighting, claim, supervisor bulk actions, and new cases without a reload (polling). */
import type { QueueRow } from '../../src/console/queue-view.js';
import { api, ApiError, type Me } from './api.js';
import { el, fmtTime, hours, mount, setText, sev, userText } from './dom.js';

interface QueueResponse { now: string; total: number; cases: QueueRow[]; typologies: string[]; assignees: string[] }

let timer: number | undefined;
let stream: EventSource | undefined;
export function stopQueuePolling(): void {
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
  stream?.close();
  stream = undefined;
}

const filters = { status: '', severity: '', typology: '', assignee: '', minAgeHours: '', breached: false };
const EVERY_STATUS = 'open,claimed,pending-approval,resolved';

/** The route's own filter: `#/queue?subject=<account>` (the case page links there), kept in the address so it can be shared and cleared. */
export function queueLink(subject: string): string {
  return `#/queue?${new URLSearchParams({ subject }).toString()}`;
}

function routeSubject(): string {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return at < 0 ? '' : new URLSearchParams(hash.slice(at + 1)).get('subject') ?? '';
}

/** One subject's cases are every status unless one is chosen: the account's history, resolved cases too. */
function query(subject: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, String(v));
  if (subject) {
    q.set('subject', subject);
    if (!filters.status) q.set('status', EVERY_STATUS);
  }
  return q.toString();
}

function select(name: keyof typeof filters, label: string, options: string[], onChange: () => void, empty = 'any'): { label: HTMLElement; select: HTMLSelectElement } {
  const s = el('select', { name, 'data-testid': `filter-${name}`, onchange: (e) => { (filters as Record<string, unknown>)[name] = (e.target as HTMLSelectElement).value; onChange(); } });
  setOptions(s, name, options, empty);
  return { label: el('label', {}, label, s), select: s };
}

/**
 * A filter's options, drawn again only when the list changed, in the select already shown: the
 * filter bar is built once per visit of the queue. Before session 50 each reload built it again,
 * a background one (a pushed new case, a poll) too, and an age typed in "Older than" but not yet
 * confirmed (Enter, or leaving the field) was gone, with the field's focus.
 */
function setOptions(s: HTMLSelectElement, name: keyof typeof filters, options: string[], empty: string): void {
  const now = [...s.options].map((o) => o.value);
  if (now.length === options.length && now.every((v, i) => v === options[i])) return;
  s.replaceChildren(...options.map((o) => el('option', { value: o, ...(filters[name] === o ? { selected: true } : {}) }, o || empty)));
}

/** The subject filter as the analyst sees it: the account as text, and a way back to the whole queue. */
function subjectFilter(subject: string): HTMLElement | null {
  if (!subject) return null;
  return el('p', { class: 'notice', 'data-testid': 'active-filter' }, 'Only the cases of subject ', el('code', { 'data-testid': 'filter-subject' }, userText(subject)), ' ',
    el('a', { href: '#/queue', 'data-testid': 'clear-subject' }, 'show every subject'));
}

export async function showQueue(app: HTMLElement, me: Me): Promise<void> {
  const table = el('tbody');
  const notice = el('p', { class: 'notice', 'data-testid': 'new-cases', hidden: true });
  const selected = new Set<string>();
  let known: Set<string> | undefined;
  const feedback = el('p', { class: 'error', 'data-testid': 'queue-error' });
  const filterBar = el('div', { class: 'filters' });
  const bulkBar = el('div', { class: 'bulk' });
  const count = el('p', { 'data-testid': 'queue-count' });
  const subject = routeSubject();

  const typology = select('typology', 'Typology', [''], load);
  const assignee = select('assignee', 'Assignee', ['', '-'], load);
  mount(filterBar,
    select('status', 'Status', ['', 'open', 'claimed', 'pending-approval', 'resolved'], load, subject ? 'any' : 'unresolved').label, select('severity', 'Severity', ['', 'critical', 'high', 'medium'], load).label,
    typology.label, assignee.label,
    el('label', {}, 'Older than (h)', el('input', { type: 'number', min: '0', value: filters.minAgeHours, 'data-testid': 'filter-age', onchange: (e) => { filters.minAgeHours = (e.target as HTMLInputElement).value; void load(); } })),
    el('label', {}, 'SLA breached', el('input', { type: 'checkbox', ...(filters.breached ? { checked: true } : {}), onchange: (e) => { filters.breached = (e.target as HTMLInputElement).checked; void load(); } })),
    me.role === 'viewer' ? null : el('button', { 'data-testid': 'claim-next', onclick: claim }, 'Claim next case'));

  const render = (data: QueueResponse): void => {
    const fresh = known ? data.cases.filter((c) => !known!.has(c.caseId)) : [];
    if (fresh.length) { notice.hidden = false; notice.textContent = `${fresh.length} new case(s) since you opened the queue`; }
    known = new Set([...(known ?? []), ...data.cases.map((c) => c.caseId)]);
    count.textContent = data.total > data.cases.length ? `the first ${data.cases.length} of ${data.total} cases` : `${data.total} case(s)`;
    mount(table, ...data.cases.map((c) => el('tr', { class: `${c.slaBreached ? 'breach' : ''} ${fresh.includes(c) ? 'new' : ''}`, 'data-testid': 'queue-row', 'data-case': c.caseId },
      el('td', {}, me.role === 'supervisor' ? el('input', { type: 'checkbox', 'data-testid': 'select-case', ...(selected.has(c.caseId) ? { checked: true } : {}), onchange: (e) => { if ((e.target as HTMLInputElement).checked) selected.add(c.caseId); else selected.delete(c.caseId); } }) : ''),
      el('td', {}, el('a', { href: `#/case/${c.caseId}` }, c.caseId)), el('td', { 'data-testid': 'row-subject' }, el('a', { href: queueLink(c.subject), title: 'this subject\'s cases' }, userText(c.subject))), el('td', {}, sev(c.severity)), el('td', {}, c.score),
      el('td', { 'data-testid': 'status' }, c.status), el('td', {}, c.alertCount), el('td', {}, c.typologies.join(', ')), el('td', {}, c.analyst ?? ''),
      el('td', { title: `opened ${fmtTime(c.openedAt)}` }, hours(c.ageHours)), el('td', { class: 'sla' }, c.slaHours === null ? '' : `${c.slaHours} h${c.slaBreached ? ' · breached' : ''}`))));
    setOptions(typology.select, 'typology', ['', ...data.typologies], 'any');
    setOptions(assignee.select, 'assignee', ['', '-', ...data.assignees], 'any');
  };

  /** `background`: a reload on a pushed event or a poll, not the user's doing (it does not renew their idle time). */
  async function load(background = false): Promise<void> {
    const path = `/api/cases?${query(subject)}`;
    render(await (background ? api.getInBackground<QueueResponse>(path) : api.get<QueueResponse>(path)));
  }
  async function claim(): Promise<void> {
    try {
      const c = await api.post<QueueRow>('/api/cases/claim');
      location.hash = `#/case/${c.caseId}`;
    } catch (err) { setText(feedback, (err as Error).message); }
  }
  if (me.role === 'supervisor') {
    const users = await api.get<{ name: string; role: string }[]>('/api/users');
    const to = el('select', { 'data-testid': 'bulk-analyst' }, ...users.filter((u) => u.role !== 'viewer').map((u) => el('option', { value: u.name }, u.name)));
    const disposition = el('select', { 'data-testid': 'bulk-disposition' }, ...['false-positive', 'escalated', 'sar-filed'].map((d) => el('option', { value: d }, d)));
    const note = el('input', { placeholder: 'note (required to close)', 'data-testid': 'bulk-note' });
    /**
     * A bulk action; a refused or failed request says why above the queue. Before session 49 the
     * Assign button had no handler for a refusal (nothing selected, an analyst made a viewer
     * since the page loaded): an unhandled rejection, and the page said nothing.
     */
    const bulk = (body: Record<string, unknown>): Promise<void> => api.post<{ results: { caseId: string; ok: boolean; error?: string }[] }>('/api/cases/bulk', { caseIds: [...selected], ...body })
      .then(async (r) => {
        setText(feedback, r.results.filter((x) => !x.ok).map((x) => `${x.caseId}: ${x.error}`).join('; '));
        selected.clear();
        await load();
      })
      .catch((e: Error) => { setText(feedback, e.message); });
    mount(bulkBar, el('strong', {}, 'Selected:'), el('label', {}, 'Assign to', to), el('button', { 'data-testid': 'bulk-assign', onclick: () => void bulk({ action: 'assign', analyst: to.value }) }, 'Assign'),
      el('label', {}, 'Close as', disposition), note, el('button', { 'data-testid': 'bulk-close', onclick: () => void bulk({ action: 'resolve', disposition: disposition.value, note: note.value }) }, 'Close'));
  }
  mount(app, el('h1', {}, 'Case queue'), subjectFilter(subject), filterBar, me.role === 'supervisor' ? bulkBar : null, notice, feedback, count,
    el('table', { 'data-testid': 'queue' }, el('thead', {}, el('tr', {}, ...['', 'case', 'subject', 'severity', 'score', 'status', 'alerts', 'typologies', 'assignee', 'age', 'SLA'].map((h) => el('th', {}, h)))), table));
  await load();
  // New cases are pushed (Server-Sent Events); the 4 s poll runs only while the stream is down.
  const queueTable = app.querySelector('[data-testid=queue]')!;
  stream = new EventSource('/api/cases/stream');
  stream.addEventListener('open', () => queueTable.setAttribute('data-live', 'push'));
  stream.addEventListener('error', () => queueTable.setAttribute('data-live', 'poll'));
  stream.addEventListener('cases', () => void load(true).catch(unlessSessionEnded));
  timer = window.setInterval(() => { if (stream?.readyState !== EventSource.OPEN) void load(true).catch(unlessSessionEnded); }, 4000);
}

/**
 * A background reload's failure is passed over (the next one tries again), except a 401: the
 * session ended (sign-out elsewhere, expiry, access removed), and the rejection goes on to the
 * page's handler, which shows the sign-in form.
 */
function unlessSessionEnded(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) {
    stopQueuePolling();
    throw err;
  }
}
