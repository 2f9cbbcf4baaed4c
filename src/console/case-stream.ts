/**
 * Server-Sent Events for the queue: `GET /api/cases/stream` sends `event: cases` whenever the
 * number of kept cases changes (a new case, or one archived). One watcher per console reads the
 * store's count every CASE_WATCH_MS while someone listens, whatever the number of listeners; the
 * front end reloads its page of the queue on each event, and polls only while the stream is down.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { CASE_STATUSES } from '../cases/case-model.js';
import type { ConsoleOptions } from './context.js';

export const CASE_WATCH_MS = 1000;

export function registerCaseStream(app: FastifyInstance, o: ConsoleOptions): void {
  const listeners = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  let last: number | undefined;

  const count = async (): Promise<number> => (await o.cases.query({ statuses: [...CASE_STATUSES], limit: 1 })).total;
  const send = (res: ServerResponse, total: number): void => void res.write(`event: cases\ndata: ${JSON.stringify({ total })}\n\n`);
  const watch = async (): Promise<void> => {
    const total = await count().catch(() => last);
    if (total !== undefined && total !== last) {
      last = total;
      for (const res of listeners) send(res, total);
    }
    if (listeners.size > 0) timer = setTimeout(() => void watch(), CASE_WATCH_MS);
    else timer = undefined;
  };

  app.get('/api/cases/stream', async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    res.write('retry: 4000\n\n');
    listeners.add(res);
    req.raw.on('close', () => listeners.delete(res));
    last ??= await count();
    send(res, last);
    if (!timer) timer = setTimeout(() => void watch(), CASE_WATCH_MS);
  });

  app.addHook('onClose', async () => {
    if (timer) clearTimeout(timer);
    for (const res of listeners) res.end();
    listeners.clear();
  });
}
