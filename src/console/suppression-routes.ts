/** Suppressions under /api/suppressions: listed for everyone, added, confirmed (by a second supervisor) and revoked by supervisors, each audited with the user. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { caseAction } from './case-routes.js';
import type { ConsoleOptions } from './context.js';

const addBody = z.object({ kind: z.string(), subject: z.string().max(200), ruleId: z.string().max(200).optional(), reason: z.string().max(10_000), days: z.number() });
const revokeBody = z.object({ reason: z.string().max(10_000) });

export function registerSuppressionRoutes(app: FastifyInstance, o: ConsoleOptions): void {
  const suppressions = o.suppressions;
  if (!suppressions) return;
  app.get('/api/suppressions', async () => {
    const [list, log, alerts] = await Promise.all([suppressions.list(o.clock()), suppressions.log(), suppressions.suppressedAlerts(200)]);
    return { suppressions: list, log, suppressedAlerts: alerts };
  });
  app.post('/api/suppressions', async (req, reply) => {
    const body = addBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'expected {kind, subject, ruleId?, reason, days}' });
    const added = await caseAction(reply, () => suppressions.add(body.data, req.actor!, o.clock()));
    return reply.sent ? reply : added;
  });
  app.post<{ Params: { id: string } }>('/api/suppressions/:id/confirm', async (req, reply) => {
    const confirmed = await caseAction(reply, () => suppressions.confirm(req.params.id, req.actor!, o.clock()));
    return reply.sent ? reply : confirmed;
  });
  app.post<{ Params: { id: string } }>('/api/suppressions/:id/revoke', async (req, reply) => {
    const body = revokeBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'expected {reason}' });
    const revoked = await caseAction(reply, () => suppressions.revoke(req.params.id, body.data.reason, req.actor!, o.clock()));
    return reply.sent ? reply : revoked;
  });
}
