/**
 * Read-only look-ups: a case page, the SAR/STR draft, the dashboard, an account, an alert, a
 * cluster. Each read of case contents or an account is recorded in the access log (read-audit.ts)
 * before it is answered; the dashboard's counts are not.
 */
import type { FastifyInstance } from 'fastify';
import { buildDashboard } from './dashboard.js';
import { accountEventsFor } from './account-lookup.js';
import { caseDetail } from './case-detail.js';
import { caseAction } from './case-routes.js';
import { mentionsCluster } from '../cases/cluster-mentions.js';
import type { ConsoleOptions } from './context.js';
import { buildSarDraft } from './sar-draft.js';
import { sarPage } from './sar-page.js';
import { recordRead } from './read-audit.js';

export function registerInsightRoutes(app: FastifyInstance, o: ConsoleOptions): void {
  app.get<{ Params: { id: string } }>('/api/cases/:id', async (req, reply) => {
    const c = await o.cases.get(req.params.id);
    if (!c) return reply.code(404).send({ error: `no case ${req.params.id}` });
    await recordRead(o, req, { what: 'case', caseIds: [c.caseId], accountIds: [c.subject] });
    return caseDetail(c, o.cases, await accountEventsFor(o, c.subject), o.sla, o.clock(), o.rules);
  });

  app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/api/cases/:id/sar', async (req, reply) => {
    const c = await o.cases.get(req.params.id);
    if (!c) return reply.code(404).send({ error: `no case ${req.params.id}` });
    const format = req.query.format === 'html' ? 'html' : 'json';
    // Audited before anything leaves: a draft whose export cannot be recorded is not sent.
    const exported = await caseAction(reply, () => o.cases.recordSarExport(c.caseId, format, req.actor!, o.clock()).then(() => true));
    if (!exported) return reply;
    await recordRead(o, req, { what: 'sar', caseIds: [c.caseId], accountIds: [c.subject], detail: format });
    const draft = buildSarDraft(c, await o.cases.alerts(c.caseId), await o.cases.audit(c.caseId), await accountEventsFor(o, c.subject), req.actor!.name, o.clock());
    if (format === 'html') return reply.type('text/html; charset=utf-8').send(sarPage(draft));
    return reply.header('content-disposition', `attachment; filename="sar-draft-${c.caseId}.json"`).send(draft);
  });

  app.get('/api/dashboard', async () => buildDashboard(await o.cases.dashboardFigures(), o.sla, o.clock()));

  app.get<{ Params: { id: string } }>('/api/accounts/:id', async (req) => {
    const cases = await o.cases.casesOfSubject(req.params.id);
    await recordRead(o, req, { what: 'account', caseIds: cases, accountIds: [req.params.id] });
    const events = await accountEventsFor(o, req.params.id);
    return { accountId: req.params.id, cases, timeline: events?.timeline(req.params.id) ?? [], linked: events?.linkedAccounts(req.params.id) ?? [] };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (req, reply) => {
    const caseId = await o.cases.caseOfAlert(req.params.id);
    const alert = caseId ? (await o.cases.alerts(caseId)).find((a) => a.alertId === req.params.id) : undefined;
    if (!alert) return reply.code(404).send({ error: `no kept alert ${req.params.id}` });
    await recordRead(o, req, { what: 'alert', caseIds: [caseId!], accountIds: [alert.subject.accountId], detail: alert.alertId });
    return { caseId, alert };
  });

  app.get<{ Params: { id: string } }>('/api/clusters/:id', async (req) => {
    // The cases whose alerts name the cluster (an index the case stores keep), not every case.
    const ids = await o.cases.casesOfCluster(req.params.id);
    const alertsOf = await Promise.all(ids.map(async (caseId) => [caseId, await o.cases.alerts(caseId)] as const));
    const hits = alertsOf.flatMap(([caseId, alerts]) => alerts.filter((a) => mentionsCluster(a, req.params.id)).map((alert) => ({ caseId, alert })));
    const accounts = [...new Set(hits.map((h) => h.alert.subject.accountId))].sort();
    // The cases and accounts shown, not the cluster's address (customer data beyond an account id).
    await recordRead(o, req, { what: 'cluster', caseIds: hits.map((h) => h.caseId), accountIds: accounts });
    return { cluster: req.params.id, accounts, alerts: hits };
  });
}
