/**
 * Whether a Redis URL's port speaks TLS: what a `redis://` URL (plaintext) pointed at a TLS-only
 * Redis (`port 0`, `tls-port 6380`) meets. Such a Redis closes each plaintext connection, which
 * ioredis takes for an outage and retries for ever; a long-running service waited, naming nothing
 * (session 44 security QA). A TLS handshake with the port tells the two apart.
 */
import { isIP } from 'node:net';
import { connect } from 'node:tls';

/** How a plaintext client's connection to a TLS port ends: closed or reset by the server. */
export const CLOSED_BY_SERVER = /ECONNRESET|EPIPE|Connection is closed|socket hang up|ECONNABORTED/i;

/**
 * True when the URL's host and port complete a TLS handshake, or answer one with a TLS alert (a
 * server that wants a client certificate): they speak TLS. Any other end, or none in `timeoutMs`, is
 * false. The server's certificate is not checked: this only asks which protocol the port speaks.
 */
export function speaksTls(url: string, timeoutMs = 5000): Promise<boolean> {
  const endpoint = redisEndpoint(url);
  if (endpoint === undefined) return Promise.resolve(false);
  const { host, port } = endpoint;
  return new Promise((resolve) => {
    // SNI names a host, never an address (RFC 6066).
    const socket = connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const done = (tls: boolean): void => { clearTimeout(timer); socket.destroy(); resolve(tls); };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', (err: Error) => done(/alert /i.test(err.message)));
  });
}

/** The host (IPv6 brackets removed) and port (6379 when none is given) a Redis URL names; undefined when it is no URL. */
export function redisEndpoint(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 6379) };
  } catch {
    return undefined;
  }
}
