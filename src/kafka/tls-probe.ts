/**
 * A TLS handshake with the brokers before the monitor starts, when KAFKA_SSL is on, then one
 * Kafka request (ApiVersions, which every listener answers before any SASL step) over it. A
 * listener without TLS closes the connection on a TLS hello, and a broker that wants a client
 * certificate judges it only after the client's side of a TLS 1.3 handshake is done, so only
 * an answer to a request shows the connection was accepted. kafkajs retried each refusal for most
 * of a minute and then reported it naming every TLS variable, or KAFKA_BROKERS (security QA). A
 * refusal here stops start-up at once naming the variable it points at (tls-mistakes.ts); a
 * broker that does not answer at all is left to the start-up wait (it may be starting).
 */
import { connect, type ConnectionOptions } from 'node:tls';
import { ConfigError } from '../config/config.js';
import { isTlsRefusal } from '../config/tls.js';
import { clientCertificateMistake, kafkaTlsMistakeMessage, kafkaTlsMistakeOrAny } from './tls-mistakes.js';

/** What a plaintext listener does to a TLS hello: it closes or resets the connection mid-handshake. */
const CLOSED_MID_HANDSHAKE = /socket disconnected before secure TLS connection was established|ECONNRESET|EPIPE/i;

/**
 * How one probe ended: answered; refused (with the reason, and whether the client had finished
 * its side of the handshake); closed right after the handshake without an answer or a reason; or
 * unreachable (no answer, a refused connection).
 */
export type HandshakeOutcome =
  | { kind: 'completed' }
  | { kind: 'refused'; reason: string; afterHandshake: boolean }
  | { kind: 'closed'; reason: string }
  | { kind: 'unreachable'; reason: string };

/** Kafka's ApiVersions request, version 0 (api key 18): answered by every broker, before SASL too. */
export function apiVersionsRequest(correlationId = 1, clientId = 'tidewatch-tls-probe'): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const request = Buffer.alloc(14 + id.length);
  request.writeInt32BE(10 + id.length, 0); // size of what follows
  request.writeInt16BE(18, 4); // api key: ApiVersions
  request.writeInt16BE(0, 6); // api version
  request.writeInt32BE(correlationId, 8);
  request.writeInt16BE(id.length, 12);
  id.copy(request, 14);
  return request;
}

export function handshake(broker: string, options: ConnectionOptions, timeoutMs: number): Promise<HandshakeOutcome> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = connect({ ...options, host, port, servername: options.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host) });
    let secure = false;
    const done = (outcome: HandshakeOutcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // No answer in time, to the hello or, given as long again, to the request: nothing to judge
    // (left to the start-up wait).
    const late = (): void => done(secure ? { kind: 'completed' } : { kind: 'unreachable', reason: `no TLS answer within ${timeoutMs} ms` });
    let timer = setTimeout(late, timeoutMs);
    socket.once('secureConnect', () => {
      secure = true;
      clearTimeout(timer);
      timer = setTimeout(late, timeoutMs);
      socket.write(apiVersionsRequest());
    });
    socket.once('data', () => done({ kind: 'completed' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const reason = `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
      if (secure) return done(/alert /i.test(err.message) ? { kind: 'refused', reason, afterHandshake: true } : { kind: 'closed', reason });
      const refused = isTlsRefusal(err.message) || (err.code !== 'ECONNREFUSED' && CLOSED_MID_HANDSHAKE.test(reason));
      done(refused ? { kind: 'refused', reason, afterHandshake: false } : { kind: 'unreachable', reason: err.message });
    });
    socket.once('close', () => done(secure ? { kind: 'closed', reason: 'the broker closed the connection after the TLS handshake without answering' } : { kind: 'unreachable', reason: 'closed' }));
  });
}

/** Probes a connection closed right after the handshake is tried again this often before it is judged a refusal. */
const CLOSED_TRIES = 3;

/**
 * Throws a ConfigError naming the variables a broker's refusal points at (tls-mistakes.ts);
 * returns when one broker answers or none does (the start-up wait then reports the outage).
 */
export async function checkKafkaTls(brokers: string[], options: ConnectionOptions, timeoutMs = 10_000): Promise<void> {
  const given = { ca: Boolean(options.ca), cert: Boolean(options.cert) };
  for (const broker of brokers) {
    let outcome = await handshake(broker, options, timeoutMs);
    // A broker refusing the client certificate sends its alert and closes; should the close
    // overtake the alert, only the close is seen. Once may be chance; every time is a refusal.
    for (let tries = 1; outcome.kind === 'closed' && tries < CLOSED_TRIES; tries++) outcome = await handshake(broker, options, timeoutMs);
    if (outcome.kind === 'completed') return;
    if (outcome.kind === 'closed') throw new ConfigError(kafkaTlsMistakeMessage(clientCertificateMistake(given), `broker ${broker}`, `${outcome.reason}, ${CLOSED_TRIES} times`));
    if (outcome.kind === 'refused') throw new ConfigError(kafkaTlsMistakeMessage(kafkaTlsMistakeOrAny(outcome.reason, given, outcome.afterHandshake), `broker ${broker}`, outcome.reason));
  }
}
