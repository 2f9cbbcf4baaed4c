/**
 * Sign-in: a rate-limited login that sets an httpOnly, SameSite=Strict, Secure session cookie and
 * returns a CSRF token bound to that session; every other /api/ route answers 401 without a
 * session, and every state change needs the token in `x-csrf-token`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../cases/case-model.js';
import { UserInputError, WrongPasswordError } from '../cases/users.js';
import { BACKGROUND_HEADER, SESSION_COOKIE, type ConsoleOptions } from './context.js';
import { addressKeyOf, SignInBusyError, SignInGate } from './sign-in-gate.js';

/** The account a sign-in names, as the throttle keys it (case-folded, bounded). */
function accountOf(body: unknown): string {
  const user = (body as { user?: unknown } | null)?.user;
  return typeof user === 'string' ? user.trim().toLowerCase().slice(0, 64) : '';
}

/** What a refused sign-in logs for a user field that names no user. */
export const UNKNOWN_USER = '(unknown)';

/**
 * The user a refused sign-in is logged under: the name typed only when it is a user's name; else
 * a fixed marker, since whatever else is typed there may be a password (a common slip; QA D2).
 */
async function refusedUserForLog(o: ConsoleOptions, typed: string): Promise<string> {
  return (await o.users.isUser(typed)) ? typed : UNKNOWN_USER;
}

const loginBody = z.object({ user: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const passwordBody = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) }).strict();
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const OPEN_ROUTES = new Set(['/api/login']);
/** Routes a page opens by itself, not the person: the queue's event stream (which reconnects on its own). */
const BACKGROUND_ROUTES = new Set(['/api/cases/stream']);

/** Whether a request is the user's own doing, which renews the session's idle time, or a page's background reload. */
function usedByPerson(req: FastifyRequest, path: string): boolean {
  return !BACKGROUND_ROUTES.has(path) && !(req.method === 'GET' && req.headers[BACKGROUND_HEADER] === '1');
}

/** A new session's life and idle timeout, in seconds. */
function sessionTimes(o: ConsoleOptions): [number, number] {
  return [Math.round(o.sessionHours * 3600), Math.round(o.idleMinutes * 60)];
}

function cookieOptions(o: ConsoleOptions) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: o.secureCookie, maxAge: Math.round(o.sessionHours * 3600) };
}

/**
 * The route the router matched, as declared (`/api/cases/:id`): what the guards judge. The raw
 * URL is not: the router decodes it first, so `/%61pi/cases` reached `/api/cases` while a check
 * of the raw text saw no `/api/` and let it through without a session (QA). A request that
 * matched no route has none and is answered 404 by the router.
 */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? '';
}

export function registerAuth(app: FastifyInstance, o: ConsoleOptions): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = routeOf(req);
    if (!path.startsWith('/api/') || OPEN_ROUTES.has(path)) return;
    const id = req.cookies[SESSION_COOKIE];
    req.actor = id ? (await o.users.session(id, usedByPerson(req, path) ? sessionTimes(o)[1] : undefined)) ?? null : null;
    if (!req.actor) return reply.code(401).send({ error: 'sign in first' });
  });
  app.addHook('onRequest', (req, reply, done) => {
    const path = routeOf(req);
    if (path.startsWith('/api/') && !OPEN_ROUTES.has(path) && STATE_CHANGING.has(req.method)) app.csrfProtection(req, reply, done);
    else done();
  });

  // Guesses are throttled per account, so one user's guesses do not lock every analyst out, and
  // per client address at ten times that, so one client cannot guess across accounts unhindered.
  // The client address is the proxy's unless CONSOLE_TRUST_PROXY names it (server.ts): untrusted,
  // everyone behind one proxy shares one address limit. A spent address limit refuses even a right
  // password: letting it through would answer "right" (200) apart from "limited" (429), and the
  // address limit would no longer slow guessing across accounts.
  const perAccount = app.createRateLimit({ max: o.loginPerMinute, timeWindow: '1 minute', keyGenerator: (req) => `account:${accountOf(req.body)}` });
  const throttleAccount = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = await perAccount(req);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header('retry-after', String(limit.ttlInSeconds));
    await reply.code(429).send({ error: `too many sign-in attempts for this account; retry in ${limit.ttlInSeconds} s` });
  };
  const gate = new SignInGate();
  app.post('/api/login', { config: { rateLimit: { max: o.loginPerMinute * 10, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => addressKeyOf(req.ip) } }, preHandler: throttleAccount }, async (req, reply) => {
    const body = loginBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'expected {"user": "…", "password": "…"}' });
    let actor: Actor | undefined;
    try {
      actor = await gate.run(() => o.users.authenticate(body.data.user, body.data.password));
    } catch (err) {
      if (!(err instanceof SignInBusyError)) throw err;
      o.logger?.warn({}, 'sign-in refused: too many password checks at once');
      reply.header('retry-after', '2');
      return reply.code(503).send({ error: 'sign-in is busy (too many at once); retry in a few seconds' });
    }
    if (!actor) {
      o.logger?.warn({ user: await refusedUserForLog(o, body.data.user) }, 'sign-in refused: unknown user or wrong password');
      return reply.code(401).send({ error: 'unknown user or wrong password' });
    }
    const session = await o.users.startSession(actor, ...sessionTimes(o));
    reply.setCookie(SESSION_COOKIE, session, cookieOptions(o));
    o.logger?.info({ user: actor.name, role: actor.role }, 'signed in');
    return { user: actor.name, role: actor.role, csrfToken: reply.generateCsrf({ userInfo: session }) };
  });

  app.get('/api/me', async (req, reply) => {
    const session = req.cookies[SESSION_COOKIE]!;
    return { user: req.actor!.name, role: req.actor!.role, csrfToken: reply.generateCsrf({ userInfo: session }) };
  });

  app.post('/api/logout', async (req, reply) => {
    await o.users.endSession(req.cookies[SESSION_COOKIE]!);
    o.logger?.info({ user: req.actor!.name }, 'signed out');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  // The current password is asked for again, so a session left open cannot take the account over;
  // its checks are throttled as sign-ins are, or they would be a guessing oracle for that session.
  const perChanger = app.createRateLimit({ max: o.loginPerMinute, timeWindow: '1 minute', keyGenerator: (req) => `password:${req.actor?.name ?? ''}` });
  const throttleChanger = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = await perChanger(req);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header('retry-after', String(limit.ttlInSeconds));
    await reply.code(429).send({ error: `too many password changes tried for this account; retry in ${limit.ttlInSeconds} s` });
  };
  app.post('/api/me/password', { preHandler: throttleChanger }, async (req, reply) => {
    const body = passwordBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'expected {"currentPassword": "…", "newPassword": "…"}' });
    const by = { name: req.actor!.name, via: 'console' };
    let actor: Actor;
    try {
      actor = await o.users.changeOwnPassword(body.data.currentPassword, body.data.newPassword, o.clock(), by);
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      return reply.code(err instanceof WrongPasswordError ? 403 : 400).send({ error: err.message });
    }
    // Every session of the old password ended, this one too: the user goes on in a new one.
    const session = await o.users.startSession(actor, ...sessionTimes(o));
    reply.setCookie(SESSION_COOKIE, session, cookieOptions(o));
    o.logger?.info({ user: actor.name }, 'password changed');
    return { user: actor.name, role: actor.role, csrfToken: reply.generateCsrf({ userInfo: session }) };
  });

  app.get('/api/users', async (req, reply) => {
    if (req.actor!.role !== 'supervisor') return reply.code(403).send({ error: 'supervisors only' });
    return o.users.list();
  });
}
