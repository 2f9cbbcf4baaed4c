/**
 * A TLS handshake with the brokers before the monitor starts, when KAFKA_SSL is on: a listener
 * without TLS closes the connection on a TLS hello, which kafkajs retries as a connection error
 * for most of a minute and then reports without naming KAFKA_SSL (security QA). A refused
 * handshake here stops start-up at once, naming the variables; a broker that does not answer at
 * all is left to the start-up wait (it may be starting).
 */
import { connect, type ConnectionOptions } from 'node:tls';
import { ConfigError } from '../config/config.js';
import { isTlsRefusal } from '../config/tls.js';

/** What a plaintext listener does to a TLS hello: it closes or resets the connection mid-handshake. */
const CLOSED_MID_HANDSHAKE = /socket disconnected before secure TLS connection was established|ECONNRESET|EPIPE/i;

/** How one handshake ended: completed, refused (with the reason), or unreachable (no answer, refused connection). */
export type HandshakeOutcome = { kind: 'completed' } | { kind: 'refused'; reason: string } | { kind: 'unreachable'; reason: string };

export function handshake(broker: string, options: ConnectionOptions, timeoutMs: number): Promise<HandshakeOutcome> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = connect({ ...options, host, port, servername: options.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host) });
    const done = (outcome: HandshakeOutcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'unreachable', reason: `no TLS answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once('secureConnect', () => done({ kind: 'completed' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const reason = err.message;
      const refused = isTlsRefusal(reason) || (err.code !== 'ECONNREFUSED' && CLOSED_MID_HANDSHAKE.test(`${reason} ${err.code ?? ''}`));
      done(refused ? { kind: 'refused', reason } : { kind: 'unreachable', reason });
    });
  });
}

/**
 * Throws a ConfigError naming the KAFKA_SSL variables when a broker refuses the TLS handshake;
 * returns when one completes or none answers (the start-up wait then reports the outage).
 */
export async function checkKafkaTls(brokers: string[], options: ConnectionOptions, timeoutMs = 10_000): Promise<void> {
  for (const broker of brokers) {
    const outcome = await handshake(broker, options, timeoutMs);
    if (outcome.kind === 'completed') return;
    if (outcome.kind === 'refused') {
      throw new ConfigError(`invalid configuration: KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the TLS handshake with broker ${broker} failed (TLS against a plaintext listener, a CA that did not sign it, or no or another client certificate): ${outcome.reason}`);
    }
  }
}
