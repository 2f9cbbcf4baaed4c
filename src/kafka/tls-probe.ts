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
import { clientCertificateMistake, kafkaTlsMistakeMessage, kafkaTlsMistakeOrAny, tlsReasonText, type KafkaTlsGiven, type KafkaTlsMistake } from './tls-mistakes.js';

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

/** One broker's probe, a close right after the handshake tried CLOSED_TRIES times before it is judged. */
async function probeBroker(broker: string, options: ConnectionOptions, timeoutMs: number): Promise<HandshakeOutcome> {
  let outcome = await handshake(broker, options, timeoutMs);
  // A broker refusing the client certificate sends its alert and closes; should the close
  // overtake the alert, only the close is seen. Once may be chance; every time is a refusal.
  for (let tries = 1; outcome.kind === 'closed' && tries < CLOSED_TRIES; tries++) outcome = await handshake(broker, options, timeoutMs);
  return outcome;
}

/** What a refusal points at, and the reason as the probe saw it; undefined for an answer or no answer. */
function refusalOf(outcome: HandshakeOutcome, given: KafkaTlsGiven): { mistake: KafkaTlsMistake; reason: string } | undefined {
  if (outcome.kind === 'closed') return { mistake: clientCertificateMistake(given), reason: `${outcome.reason}, ${CLOSED_TRIES} times` };
  if (outcome.kind === 'refused') return { mistake: kafkaTlsMistakeOrAny(outcome.reason, given, outcome.afterHandshake), reason: outcome.reason };
  return undefined;
}

/**
 * Probes every broker of KAFKA_BROKERS, all at once, and throws a ConfigError naming the
 * variables a refusal points at (tls-mistakes.ts) if any broker refuses: kafkajs takes the listed
 * brokers in turn as its seed (the next one after each failed connection), so a wrong entry fails
 * whenever it comes up, most likely while the others are down. Before session 46 the probe
 * stopped at the first broker that answered, so a wrong later entry passed it. A broker that does
 * not answer at all is not a mistake (it may be down or starting, and kafkajs goes on to another):
 * with another answering, `warn` is told which; with none answering, the start-up wait reports
 * the outage.
 */
export async function checkKafkaTls(brokers: string[], options: ConnectionOptions, timeoutMs = 10_000, warn?: (message: string) => void): Promise<void> {
  const given = { ca: Boolean(options.ca), cert: Boolean(options.cert) };
  const outcomes = await Promise.all(brokers.map((b) => probeBroker(b, options, timeoutMs)));
  const refused = brokers.flatMap((broker, i) => {
    const r = refusalOf(outcomes[i]!, given);
    return r ? [{ broker, place: i + 1, ...r }] : [];
  });
  if (refused.length === 1) {
    const [{ broker, place, mistake, reason }] = refused as [typeof refused[number]];
    const where = brokers.length === 1 ? `broker ${broker}` : `broker ${broker}, ${place} of ${brokers.length} in KAFKA_BROKERS, which kafkajs takes in turn: every one must be right`;
    throw new ConfigError(kafkaTlsMistakeMessage(mistake, where, reason));
  }
  if (refused.length > 1) {
    const variables = [...new Set(refused.flatMap((r) => r.mistake.variables))];
    const each = refused.map((r) => `broker ${r.broker} (${r.place} of ${brokers.length}): ${r.mistake.why} (${tlsReasonText(r.reason)})`);
    throw new ConfigError(`invalid configuration: ${variables.join(', ')}: ${refused.length} of the ${brokers.length} brokers in KAFKA_BROKERS refused the TLS connection: ${each.join('; ')}`);
  }
  const answered = brokers.filter((_, i) => outcomes[i]!.kind === 'completed');
  const silent = brokers.flatMap((b, i) => (outcomes[i]!.kind === 'unreachable' ? [`${b} (${(outcomes[i] as { reason: string }).reason})`] : []));
  if (answered.length > 0 && silent.length > 0) warn?.(`KAFKA_BROKERS: ${silent.join(', ')} did not answer the TLS probe; ${answered.join(', ')} did, and kafkajs goes on to another broker when one does not answer`);
}
