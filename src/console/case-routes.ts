/** The queue and case actions under /api/cases; every action is taken as the signed-in user. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { CASE_STATUSES, DISPOSITIONS, type Actor, type Case } from '../cases/case-model.js';
import { CaseActionError, showsNothing } from '../cases/case-transitions.js';
import type { ConsoleOptions } from './context.js';
import { MAX_OFFSET } from '../cases/case-query.js';
import { queueQuery, toRow, type QueueFilter } from './queue-view.js';
import { approveClosure, holderOf, repairHolders, repairTriggers } from '../cases/held-case-repair.js';
import { isBackgroundReload, recordRead } from './read-audit.js';

/**
 * The holders of the page's claimed and pending cases who cannot work cases by the user list the
 * queue reads anyway (a viewer, or no longer a user): only these are given to the repair, which
 * looks each up again. Every holder was looked up in Redis, one after another, on each poll.
 */
function heldByNonWorkers(cases: readonly Case[], users: readonly Actor[]): string[] {
  const roles = new Map(users.map((u) => [u.name, u.role]));
  const cannot = (h: string): boolean => !roles.has(h) || roles.get(h) === 'viewer';
  return cases.map(holderOf).filter((h): h is string => h !== undefined && cannot(h));
}

const STATUS_OF_ERROR = { TW_CASE_MISSING: 404, TW_CASE_FORBIDDEN: 403, TW_CASE_STATE: 409, TW_CASE_INPUT: 400 } as const;

/** Runs a case action and maps a refusal to its HTTP status with the store's message. */
export async function caseAction<T>(reply: FastifyReply, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof CaseActionError)) throw err;
    await reply.code(STATUS_OF_ERROR[err.code]).send({ error: err.message, code: err.code });
    return undefined;
  }
}

const list = (v: unknown): string[] | undefined => (typeof v === 'string' && v ? v.split(',') : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

const queueParams = z.object({
  status: z.string().optional(), severity: z.string().optional(), typology: z.string().optional(), assignee: z.string().optional(), subject: z.string().optional(),
  // A number of hours, or the filter is refused (an `abc` was ignored, and the whole queue answered as if filtered).
  minAgeHours: z.string().regex(/^\d+(\.\d+)?$/, { message: 'a number of hours' }).optional(), maxAgeHours: z.string().regex(/^\d+(\.\d+)?$/, { message: 'a number of hours' }).optional(), breached: z.enum(['true', 'false']).optional(),
  // A whole number; an offset past MAX_OFFSET is refused, a limit past the page size is cut to it.
  offset: z.string().regex(/^\d+$/, { message: 'a whole number' }).refine((v) => Number(v) <= MAX_OFFSET, { message: `at most ${MAX_OFFSET}` }).optional(),
  limit: z.string().regex(/^\d+$/, { message: 'a whole number' }).optional(),
});
const resolveBody = z.object({ disposition: z.enum(DISPOSITIONS), note: z.string() });
const reasonBody = z.object({ reason: z.string() });
const noteBody = z.object({ text: z.string() });
const assignBody = z.object({ analyst: z.string() });
/** The proposal the approver read (`pending.at`): the console sends it, so a closure proposed since is not approved in its place. */
const approveBody = z.object({ proposedAt: z.string().max(64).optional() }).strict();

const bulkBody = z.object({
  caseIds: z.array(z.string()).min(1).max(500),
  action: z.enum(['assign', 'resolve']),
  analyst: z.string().optional(), disposition: z.enum(DISPOSITIONS).optional(), note: z.string().optional(),
});

function badRequest(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

export function registerCaseRoutes(app: FastifyInstance, o: ConsoleOptions): void {
  app.get('/api/cases', async (req, reply) => {
    const q = queueParams.safeParse(req.query);
    if (!q.success) return badRequest(reply, q.error);
    const statuses = list(q.data.status);
    const bad = statuses?.find((s) => !CASE_STATUSES.includes(s as Case['status']));
    if (bad) return reply.code(400).send({ error: `status: one of ${CASE_STATUSES.join(', ')}, not ${bad}` });
    // A lease that ended puts its case back in the queue before it is read, not only at the next claim.
    await o.cases.expireLeases(o.clock());
    const filter: QueueFilter = {
      ...(statuses ? { status: statuses as Case['status'][] } : {}), ...(list(q.data.severity) ? { severity: list(q.data.severity)! } : {}),
      ...(q.data.typology ? { typology: q.data.typology } : {}), ...(q.data.assignee ? { assignee: q.data.assignee } : {}), ...(q.data.subject ? { subject: q.data.subject } : {}),
      ...(num(q.data.minAgeHours) !== undefined ? { minAgeHours: num(q.data.minAgeHours)! } : {}), ...(num(q.data.maxAgeHours) !== undefined ? { maxAgeHours: num(q.data.maxAgeHours)! } : {}),
      ...(q.data.breached === 'true' ? { breachedOnly: true } : {}),
      ...(q.data.offset ? { offset: Number(q.data.offset) } : {}), ...(q.data.limit ? { limit: Number(q.data.limit) } : {}),
    };
    const now = o.clock();
    const query = queueQuery(filter, o.sla, now);
    const [read, typologies, users] = await Promise.all([o.cases.query(query), o.cases.typologies(), o.users.list()]);
    // A holder on the page who can no longer work cases (a hand-back cut short): finished now, and the page read again.
    const suspects = heldByNonWorkers(read.cases, users);
    const repaired = suspects.length > 0 ? await repairHolders(o.users, o.cases, suspects, now, repairTriggers.queueRead(req.actor!.name)) : [];
    const page = repaired.length > 0 ? await o.cases.query(query) : read;
    // One entry per query the person made, with its filter (a subject filter's account id too), not one per row.
    if (!isBackgroundReload(req)) await recordRead(o, req, { what: 'queue', accountIds: filter.subject ? [filter.subject] : [], detail: `filter ${JSON.stringify(filter)}; ${page.cases.length} of ${page.total} cases` });
    return {
      now: new Date(now).toISOString(),
      total: page.total,
      cases: page.cases.map((c) => toRow(c, o.sla, now)),
      typologies,
      assignees: users.filter((u) => u.role !== 'viewer').map((u) => u.name),
    };
  });

  app.post('/api/cases/claim', async (req, reply) => {
    const c = await caseAction(reply, () => o.cases.claim(req.actor!, o.leaseMs, o.clock()));
    if (reply.sent) return reply;
    return c ? toRow(c, o.sla, o.clock()) : reply.code(404).send({ error: 'no open case' });
  });

  const act = (path: string, schema: z.ZodType | undefined, run: (id: string, body: never, actor: Actor) => Promise<unknown>): void => {
    app.post<{ Params: { id: string } }>(`/api/cases/:id/${path}`, async (req, reply) => {
      const body = schema ? schema.safeParse(req.body ?? {}) : { success: true as const, data: undefined };
      if (!body.success) return badRequest(reply, body.error!);
      const result = await caseAction(reply, () => run(req.params.id, body.data as never, req.actor!));
      return reply.sent ? reply : result ?? { ok: true };
    });
  };
  act('release', undefined, (id, _b, actor) => o.cases.release(id, actor, o.clock()));
  app.post<{ Params: { id: string } }>('/api/cases/:id/assign', async (req, reply) => {
    const body = assignBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(reply, body.error);
    const refused = await o.users.cannotWorkCases(body.data.analyst);
    if (refused) return reply.code(400).send({ error: refused });
    const result = await caseAction(reply, () => o.cases.assign(req.params.id, body.data.analyst, req.actor!, o.leaseMs * 16, o.clock()));
    return reply.sent ? reply : result ?? { ok: true };
  });
  act('resolve', resolveBody, (id, b: z.infer<typeof resolveBody>, actor) => o.cases.resolve(id, b.disposition, b.note, actor, o.clock()));
  act('approve', approveBody, (id, b: z.infer<typeof approveBody>, actor) => approveClosure(o.users, o.cases, id, actor, o.clock(), b.proposedAt));
  act('reject', reasonBody, (id, b: z.infer<typeof reasonBody>, actor) => o.cases.reject(id, b.reason, actor, o.clock()));
  act('reopen', reasonBody, (id, b: z.infer<typeof reasonBody>, actor) => o.cases.reopen(id, b.reason, actor, o.clock()));
  act('notes', noteBody, (id, b: z.infer<typeof noteBody>, actor) => o.cases.addNote(id, b.text, actor, o.clock()));

  app.post('/api/cases/bulk', async (req, reply) => {
    if (req.actor!.role !== 'supervisor') return reply.code(403).send({ error: 'bulk actions are for supervisors' });
    const b = bulkBody.safeParse(req.body);
    if (!b.success) return badRequest(reply, b.error);
    const { action, analyst, disposition, note } = b.data;
    if (action === 'assign' && !analyst) return reply.code(400).send({ error: 'analyst: required to assign' });
    const refused = action === 'assign' ? await o.users.cannotWorkCases(analyst!) : undefined;
    if (refused) return reply.code(400).send({ error: refused });
    if (action === 'resolve' && (!disposition || showsNothing(note ?? ''))) return reply.code(400).send({ error: 'disposition and a non-empty note: required to close' });
    const results = [];
    for (const caseId of b.data.caseIds) {
      try {
        const c = action === 'assign' ? await o.cases.assign(caseId, analyst!, req.actor!, o.leaseMs * 16, o.clock()) : await o.cases.resolve(caseId, disposition!, note!, req.actor!, o.clock());
        results.push({ caseId, ok: true, status: c.status });
      } catch (err) {
        if (!(err instanceof CaseActionError)) throw err;
        results.push({ caseId, ok: false, error: err.message });
      }
    }
    return { results };
  });
}
