/**
 * The analyst console: a Fastify app with the JSON API under /api/ and the built front end
 * (dist/web) as static files. It knows the stores only through their interfaces; the CLI wires
 * the concrete ones (Redis, or the in-memory demo).
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuth, routeOf } from './auth-routes.js';
import { registerCaseRoutes } from './case-routes.js';
import { registerCaseStream } from './case-stream.js';
import { SESSION_COOKIE, type ConsoleOptions } from './context.js';
import { registerInsightRoutes } from './insight-routes.js';
import { registerSuppressionRoutes } from './suppression-routes.js';
import { HSTS_HEADER, HSTS_VALUE, wantsHsts } from './transport-security.js';

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * A signed-out page asking who is signed in: the console's normal first request, not a refusal
 * worth a warning. Only without a session cookie: one sent that names no session (forged, or a
 * copied cookie replayed after its sign-out) stays a warning, as on every other route.
 */
function signedOutPageStart(method: string, route: string, status: number, sessionCookie: string | undefined): boolean {
  return method === 'GET' && route === '/api/me' && status === 401 && !sessionCookie;
}

export async function buildConsole(o: ConsoleOptions): Promise<FastifyInstance> {
  // Behind a TLS proxy every request comes from the proxy's address: only with the proxy trusted
  // (CONSOLE_TRUST_PROXY) is the client address, which the sign-in limit per address keys on, the
  // one in X-Forwarded-For. Untrusted, the header is ignored, so a client cannot forge it.
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, trustProxy: o.trustProxy ?? false });
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: o.secureCookie, signed: false },
    csrfOpts: { userInfo: true, hmacKey: o.csrfKey ?? randomBytes(32).toString('base64') },
    getUserInfo: (req) => req.cookies[SESSION_COOKIE] ?? '',
    getToken: (req) => req.headers['x-csrf-token'] as string | undefined,
  });
  await app.register(fastifyRateLimit, { global: false, ...(o.signInLimits ? { redis: o.signInLimits.redis, nameSpace: o.signInLimits.nameSpace } : {}) });
  app.addHook('onSend', async (req, reply, payload) => {
    // The matched route, not the raw URL (which the router decodes): see auth-routes.ts.
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!(k === 'cache-control' && !(req.routeOptions.url ?? req.url).startsWith('/api/'))) reply.header(k, v);
    if (wantsHsts(o, req)) reply.header(HSTS_HEADER, HSTS_VALUE);
    return payload;
  });
  // Every refusal, the plugins' too (a spent sign-in rate, a missing or forged CSRF token), is
  // `{ "error": reason }` as the README says; a fault is reported without its details.
  app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // The cause goes to the log, never to the client.
    if (status >= 500) o.logger?.error({ method: req.method, route: routeOf(req), user: req.actor?.name ?? null, err: err.message }, 'console request failed');
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  // Refusals (no session, no or a forged CSRF token, a role that may not, a spent sign-in rate)
  // are what a security review reads first.
  // A refused sign-in is logged (at warn) by the sign-in route itself. `GET /api/me` without a
  // session is how every signed-out page starts (it asks who is signed in, and shows the sign-in
  // form): no fault, logged at debug (before session 49 each page load of a signed-out user
  // wrote a warning, drowning the refusals that matter). A session cookie that names no session
  // (forged, or replayed after its sign-out) stays a warning there too.
  app.addHook('onResponse', async (req, reply) => {
    const route = routeOf(req);
    if (![401, 403, 429].includes(reply.statusCode) || !route.startsWith('/api/') || (route === '/api/login' && reply.statusCode === 401)) return;
    const fields = { method: req.method, route, status: reply.statusCode, user: req.actor?.name ?? null };
    if (signedOutPageStart(req.method, route, reply.statusCode, req.cookies[SESSION_COOKIE])) o.logger?.debug(fields, 'console request refused: not signed in');
    else o.logger?.warn(fields, 'console request refused');
  });
  const syncClock = o.clockSync;
  if (syncClock) app.addHook('onRequest', async (req) => { if (routeOf(req).startsWith('/api/')) await syncClock(); });
  registerAuth(app, o);
  registerCaseStream(app, o);
  registerCaseRoutes(app, o);
  registerInsightRoutes(app, o);
  registerSuppressionRoutes(app, o);
  if (o.staticDir) await app.register(fastifyStatic, { root: o.staticDir, index: 'index.html' });
  return app;
}
