/**
 * A tiny element builder: text goes in as text nodes, never as HTML, with its bidirectional
 * controls shown as visible marks (userText): account ids, addresses, intel names, explanations
 * and reasons come from input and other users, and a U+202E in one displayed the rest reversed
 * (session 41 QA: a suppression reason stored as "benign \u202edeweiver ton\u202c payroll" read
 * "benign not reviewed payroll" on the page where a second supervisor confirms it).
 */
type Child = Node | string | number | null | undefined | false;

const shown = (c: Node | string | number): Node | string => (typeof c === 'number' ? String(c) : typeof c === 'string' ? userText(c) : c);

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') node.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) node.setAttribute(k, '');
    else if (v !== false) node.setAttribute(k, k === 'title' || k === 'placeholder' || k === 'aria-label' ? userText(v) : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(shown(c));
  return node;
}

export function mount(target: HTMLElement, ...children: Child[]): void {
  target.replaceChildren(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map(shown));
}

/** Sets a node's text as `el` would write it (bidirectional controls shown as marks). */
export function setText(node: Node, text: string): void {
  node.textContent = userText(text);
}

/** A time of the four-digit-year form (`YYYY-MM-DDTHH:MM:SS…`), the one the page cuts to the second. */
const FOUR_DIGIT_YEAR_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/**
 * An ISO time as the page shows it: to the second, marked UTC (every time the console shows is
 * UTC). Any other text (an extended year, `+010000-01-01T00:00:00.000Z`, past 9999) is shown as
 * it came, as a time outside Date's range is: before session 50 it was cut to
 * `+010000-01-01 00:00 UTC`.
 */
export const fmtTime = (iso: string | undefined): string => (!iso ? '' : FOUR_DIGIT_YEAR_TIME.test(iso) ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : iso);
export const hours = (h: number): string => (h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} d`);
export const sev = (s: string): HTMLElement => el('span', { class: `sev sev-${s}` }, s);

/**
 * A person's text (a note, a reason) as stored, with its bidirectional controls shown as visible
 * marks: an embedded U+202E would otherwise display the rest of the note reversed, so the page
 * would read differently from the record.
 */
export function userText(text: string): string {
  return text.replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/**
 * What is typed in a page's text fields (marked `data-draft`: a note, a reason, a new
 * suppression's subject), by field, for a redraw of the page to fill in again.
 */
export type Drafts = Record<string, string>;

type DraftField = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/**
 * The fields' text as it is when a redraw is mounted, after its data was fetched again (before
 * session 50 the case page read it before the fetch, and what was typed meanwhile was drawn again
 * empty), less each field still holding the text `sent` says the action that caused the redraw sent.
 */
export function draftsIn(page: HTMLElement, sent: Drafts): Drafts {
  const fields = [...page.querySelectorAll<DraftField>('[data-draft]')];
  return Object.fromEntries(fields.filter((f) => f.value !== '' && f.value !== sent[f.dataset.draft!]).map((f) => [f.dataset.draft!, f.value]));
}

export function restoreDrafts(page: HTMLElement, drafts: Drafts): void {
  for (const f of page.querySelectorAll<DraftField>('[data-draft]')) {
    const kept = drafts[f.dataset.draft!];
    if (kept !== undefined) f.value = kept;
  }
}
