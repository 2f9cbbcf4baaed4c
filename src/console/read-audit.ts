/**
 * The console's entries in the access log (case-model.ts ReadEntry): every read of case contents
 * by a signed-in user, recorded before the contents leave (a read that cannot be recorded fails).
 */
import type { FastifyRequest } from 'fastify';
import { readEntry, type ReadShown } from '../cases/read-entries.js';
import { BACKGROUND_HEADER, type ConsoleOptions } from './context.js';

export async function recordRead(o: ConsoleOptions, req: FastifyRequest, shown: ReadShown): Promise<void> {
  await o.cases.recordRead(readEntry(req.actor!.name, 'http', shown, o.clock()));
}

/**
 * Whether a queue read is the person's own (recorded once, with its filter) or the page's reload
 * of the same query on a pushed event or its 4 s poll (not recorded: it would write an entry every
 * 4 s per open queue and say nothing new). Detail reads are recorded either way.
 */
export function isBackgroundReload(req: FastifyRequest): boolean {
  return req.method === 'GET' && req.headers[BACKGROUND_HEADER] === '1';
}
