/** The dashboard: alerts per typology per day (an SVG chart), queue size and ageing, SLA breaches, dispositions per rule. */
import type { Dashboard } from '../../src/console/dashboard.js';
import { api } from './api.js';
import { el, hours, mount, setText } from './dom.js';

const COLOURS = ['#0b5cad', '#d35400', '#8e44ad', '#16a085', '#b3131b', '#7f8c8d', '#b7950b', '#2c3e50'];
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) setText(n, text);
  return n;
}

function chart(rows: Dashboard['alertsPerDay']): HTMLElement {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const typologies = [...new Set(rows.map((r) => r.typology))].sort();
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.day, (totals.get(r.day) ?? 0) + r.alerts);
  const max = Math.max(1, ...totals.values());
  const bar = Math.max(4, Math.min(24, Math.floor(900 / Math.max(days.length, 1))));
  const height = 160;
  const root = svg('svg', { width: days.length * bar + 40, height: height + 40, role: 'img', 'aria-label': 'alerts per typology per day', 'data-testid': 'chart' });
  days.forEach((day, i) => {
    let y = height;
    for (const r of rows.filter((x) => x.day === day)) {
      const h = (r.alerts / max) * height;
      y -= h;
      const rect = svg('rect', { x: 30 + i * bar, y, width: bar - 1, height: h, fill: COLOURS[typologies.indexOf(r.typology) % COLOURS.length]! });
      rect.append(svg('title', {}, `${day} ${r.typology}: ${r.alerts}`));
      root.append(rect);
    }
    if (i % Math.ceil(days.length / 8) === 0) root.append(svg('text', { x: 30 + i * bar, y: height + 14 }, day.slice(5)));
  });
  root.append(svg('text', { x: 0, y: 10 }, String(max)), svg('text', { x: 0, y: height }, '0'));
  const legend = el('p', {}, ...typologies.map((t, i) => el('span', { style: `color:${COLOURS[i % COLOURS.length]};margin-right:1rem` }, `■ ${t}`)));
  const wrap = el('div', { class: 'card', style: 'overflow-x:auto' });
  wrap.append(root as unknown as Node, legend);
  return wrap;
}

const table = (head: string[], rows: (string | number)[][], testid: string): HTMLElement =>
  el('table', { 'data-testid': testid }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((v) => el('td', {}, v))))));

export async function showDashboard(app: HTMLElement): Promise<void> {
  const d = await api.get<Dashboard>('/api/dashboard');
  mount(app, el('h1', {}, 'Dashboard'),
    el('h2', {}, 'Alerts in cases per typology per day'), chart(d.alertsPerDay),
    el('div', { class: 'grid' },
      el('div', {}, el('h2', {}, 'Queue'), table(['status', 'cases'], d.queue.map((q) => [q.status, q.cases]), 'queue-size'),
        el('h2', {}, 'Ageing of unresolved cases'), table(['age', 'cases'], d.ageing.map((a) => [a.bucket, a.cases]), 'ageing')),
      el('div', {}, el('h2', {}, `SLA breaches (${d.slaBreaches.length})`), table(['case', 'subject', 'severity', 'age', 'SLA'], d.slaBreaches.map((b) => [b.caseId, b.subject, b.severity, hours(b.ageHours), `${b.slaHours} h`]), 'sla-breaches'))),
    el('h2', {}, 'Dispositions per rule'), table(['rule', 'escalated', 'sar-filed', 'false-positive', 'resolved', 'false-positive rate'],
      d.dispositionsPerRule.map((r) => [r.ruleId, r.escalated, r['sar-filed'], r['false-positive'], r.resolved, `${(r.falsePositiveRate * 100).toFixed(0)}%`]), 'dispositions'));
}
