/**
 * Strict-Transport-Security: once a browser has reached the console over https, it asks for it
 * over https only, for a year, so a later http:// link or a network that strips TLS cannot send
 * the session cookie or the page in the clear (session 44 security QA: no HSTS). Sent when the
 * console is behind TLS by configuration (CONSOLE_BEHIND_TLS), or when the request itself came
 * over https (a TLS socket, or a trusted proxy's X-Forwarded-Proto: CONSOLE_TRUST_PROXY). Browsers
 * ignore it over plain http (RFC 6797), so `--demo` on http://localhost is left alone.
 */
import type { FastifyRequest } from 'fastify';
import type { ConsoleOptions } from './context.js';

export const HSTS_HEADER = 'strict-transport-security';
/** One year; no includeSubDomains: the exchange's other hosts are not the console's to pin. */
export const HSTS_VALUE = 'max-age=31536000';

export function wantsHsts(o: Pick<ConsoleOptions, 'behindTls'>, req: FastifyRequest): boolean {
  return o.behindTls === true || req.protocol === 'https';
}
