/** A tiny element builder: text goes in as text nodes, never as HTML. */
type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') node.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) node.setAttribute(k, '');
    else if (v !== false) node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === 'number' ? String(c) : c);
  return node;
}

export function mount(target: HTMLElement, ...children: Child[]): void {
  target.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
}

export const fmtTime = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 19) : '');
export const hours = (h: number): string => (h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} d`);
export const sev = (s: string): HTMLElement => el('span', { class: `sev sev-${s}` }, s);
