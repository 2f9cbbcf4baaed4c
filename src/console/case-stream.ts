/**
 * Server-Sent Events for the queue: `GET /api/cases/stream` sends `event: cases` whenever the
 * number of kept cases changes (a new case, or one archived). One watcher per console reads the
 * store's count every CASE_WATCH_MS while someone listens, whatever the number of listeners; the
 * front end reloads its page of the queue on each event, and polls only while the stream is down.
 * A stream lives no longer than its session: every SESSION_CHECK_EVERY reads, each listener's
 * session is looked up again, and a stream whose session ended (sign-out, expiry, the user
 * removed or given a new password) is closed; its reconnection is refused like any request.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { CASE_STATUSES } from '../cases/case-model.js';
import { SESSION_COOKIE, type ConsoleOptions } from './context.js';
import { HSTS_HEADER, HSTS_VALUE, wantsHsts } from './transport-security.js';

export const CASE_WATCH_MS = 1000;
/** Count reads between two checks of the listeners' sessions (a look-up per listener). */
const SESSION_CHECK_EVERY = 5;

export function registerCaseStream(app: FastifyInstance, o: ConsoleOptions): void {
  /** Each open stream, with the session it was opened in. */
  const listeners = new Map<ServerResponse, string>();
  let timer: NodeJS.Timeout | undefined;
  let last: number | undefined;
  let reads = 0;

  const closeEnded = async (): Promise<void> => {
    for (const [res, session] of [...listeners]) {
      // Looked up without renewing its idle time: an open queue alone does not keep a session alive.
      if (await o.users.session(session).catch(() => true)) continue;
      listeners.delete(res);
      res.end();
    }
  };

  const count = async (): Promise<number> => (await o.cases.query({ statuses: [...CASE_STATUSES], limit: 1 })).total;
  const send = (res: ServerResponse, total: number): void => void res.write(`event: cases\ndata: ${JSON.stringify({ total })}\n\n`);
  const watch = async (): Promise<void> => {
    if (++reads % SESSION_CHECK_EVERY === 0) await closeEnded();
    const total = await count().catch(() => last);
    if (total !== undefined && total !== last) {
      last = total;
      for (const res of listeners.keys()) send(res, total);
    }
    if (listeners.size > 0) timer = setTimeout(() => void watch(), CASE_WATCH_MS);
    else timer = undefined;
  };

  app.get('/api/cases/stream', async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    // Hijacked: the app's onSend hook does not run, so the stream sets its own headers.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff', ...(wantsHsts(o, req) ? { [HSTS_HEADER]: HSTS_VALUE } : {}) });
    res.write('retry: 4000\n\n');
    listeners.set(res, req.cookies[SESSION_COOKIE] ?? '');
    req.raw.on('close', () => listeners.delete(res));
    last ??= await count();
    send(res, last);
    if (!timer) timer = setTimeout(() => void watch(), CASE_WATCH_MS);
  });

  app.addHook('onClose', async () => {
    if (timer) clearTimeout(timer);
    for (const res of listeners.keys()) res.end();
    listeners.clear();
  });
}
