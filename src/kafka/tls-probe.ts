/**
 * A TLS handshake with the brokers before the monitor starts, when KAFKA_SSL is on, then one
 * Kafka request (ApiVersions, which every listener answers before any SASL step) over it. A
 * listener without TLS closes the connection on a TLS hello, and a broker that wants a client
 * certificate judges it only after the client's side of a TLS 1.3 handshake is done, so only
 * an answer to a request shows the connection was accepted. kafkajs retried each refusal for most
 * of a minute and then reported it naming every TLS variable, or KAFKA_BROKERS (security QA). A
 * refusal here stops start-up at once naming the variable it points at (tls-mistakes.ts); a
 * broker that does not answer at all is left to the start-up wait (it may be starting), and so is
 * one that only closes or resets the connection while another broker completes the handshake,
 * unless it answers a Kafka request without TLS (a plaintext listener).
 */
import { connect as connectTcp } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { ConfigError } from '../config/config.js';
import { isTlsRefusal } from '../config/tls.js';
import { clientCertificateMistake, kafkaTlsMistakeMessage, kafkaTlsMistakeOrAny, tlsReasonText, type KafkaTlsGiven, type KafkaTlsMistake } from './tls-mistakes.js';

/** What a plaintext listener does to a TLS hello: it closes or resets the connection mid-handshake. */
const CLOSED_MID_HANDSHAKE = /socket disconnected before secure TLS connection was established|ECONNRESET|EPIPE/i;

/**
 * How one probe ended: answered; refused (with the reason, whether the client had finished its
 * side of the handshake, and whether the connection was only closed or reset before it, without
 * a word of TLS: what a plaintext listener does, and a broker going down); closed right after the
 * handshake without an answer or a reason; or unreachable (no answer, a refused connection).
 */
export type HandshakeOutcome =
  | { kind: 'completed' }
  | { kind: 'refused'; reason: string; afterHandshake: boolean; dropped: boolean }
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

/** A probe's timer that keeps no process alive, and a cancel that destroys the probe's socket at once. */
function probeEnds(signal: AbortSignal | undefined, onCancel: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    queueMicrotask(onCancel);
    return () => undefined;
  }
  signal.addEventListener('abort', onCancel, { once: true });
  return () => signal.removeEventListener('abort', onCancel);
}

function unrefTimer(run: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(run, ms);
  timer.unref();
  return timer;
}

export function handshake(broker: string, options: ConnectionOptions, timeoutMs: number, signal?: AbortSignal): Promise<HandshakeOutcome> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = connect({ ...options, host, port, servername: options.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host) });
    let secure = false;
    const done = (outcome: HandshakeOutcome): void => {
      clearTimeout(timer);
      stopListening();
      socket.destroy();
      resolve(outcome);
    };
    const stopListening = probeEnds(signal, () => done({ kind: 'unreachable', reason: 'the probe was cancelled' }));
    // No answer in time, to the hello or, given as long again, to the request: nothing to judge
    // (left to the start-up wait).
    const late = (): void => done(secure ? { kind: 'completed' } : { kind: 'unreachable', reason: `no TLS answer within ${timeoutMs} ms` });
    let timer = unrefTimer(late, timeoutMs);
    socket.once('secureConnect', () => {
      secure = true;
      clearTimeout(timer);
      timer = unrefTimer(late, timeoutMs);
      socket.write(apiVersionsRequest());
    });
    socket.once('data', () => done({ kind: 'completed' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const reason = `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
      if (secure) return done(/alert /i.test(err.message) ? { kind: 'refused', reason, afterHandshake: true, dropped: false } : { kind: 'closed', reason });
      const dropped = !isTlsRefusal(err.message) && err.code !== 'ECONNREFUSED' && CLOSED_MID_HANDSHAKE.test(reason);
      done(isTlsRefusal(err.message) || dropped ? { kind: 'refused', reason, afterHandshake: false, dropped } : { kind: 'unreachable', reason: err.message });
    });
    socket.once('close', () => done(secure ? { kind: 'closed', reason: 'the broker closed the connection after the TLS handshake without answering' } : { kind: 'unreachable', reason: 'closed' }));
  });
}

/** Probes a connection closed or reset without a word of TLS is tried again this often before it is judged a refusal. */
const CLOSED_TRIES = 3;

/** Whether the probe's only fault is a connection closed or reset, before or right after the handshake, without a TLS alert. */
function onlyDropped(outcome: HandshakeOutcome): boolean {
  return outcome.kind === 'closed' || (outcome.kind === 'refused' && outcome.dropped);
}

/** One broker's probe, a connection closed or reset without a TLS alert tried CLOSED_TRIES times before it is judged. */
async function probeBroker(broker: string, options: ConnectionOptions, timeoutMs: number): Promise<HandshakeOutcome> {
  let outcome = await handshake(broker, options, timeoutMs);
  // A broker refusing the client certificate sends its alert and closes; should the close
  // overtake the alert, only the close is seen. A broker restarting resets a connection it had
  // queued. Once may be chance; every time is a refusal (a plaintext listener resets each hello).
  for (let tries = 1; onlyDropped(outcome) && tries < CLOSED_TRIES; tries++) outcome = await handshake(broker, options, timeoutMs);
  return outcome;
}

/** The correlation id of the probe's request without TLS, looked for in the answer. */
const PLAINTEXT_CORRELATION = 0x74770001;

/**
 * Whether the broker answers a Kafka request (ApiVersions) sent without TLS within `timeoutMs`:
 * a plaintext listener, which KAFKA_SSL=true cannot use. A TLS listener answers no such request.
 */
export function answersWithoutTls(broker: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const colon = broker.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connectTcp({ host: broker.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(broker.slice(colon + 1)) });
    let answer = Buffer.alloc(0);
    const done = (answered: boolean): void => {
      clearTimeout(timer);
      stopListening();
      socket.destroy();
      resolve(answered);
    };
    const stopListening = probeEnds(signal, () => done(false));
    const timer = unrefTimer(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write(apiVersionsRequest(PLAINTEXT_CORRELATION)));
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (answer.length >= 8) done(answer.readInt32BE(4) === PLAINTEXT_CORRELATION);
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/**
 * The brokers whose only fault was a dropped connection while another broker completed the
 * handshake, and which answer no Kafka request without TLS: most likely down or restarting (a
 * rolling restart), which kafkajs rides out by going on to another broker, not a wrong setting.
 */
async function droppedWhileOthersAnswer(brokers: readonly string[], outcomes: readonly HandshakeOutcome[], timeoutMs: number): Promise<Set<number>> {
  if (!outcomes.some((o) => o.kind === 'completed')) return new Set();
  const dropped = brokers.flatMap((b, i) => (onlyDropped(outcomes[i]!) ? [i] : []));
  const plaintext = await Promise.all(dropped.map((i) => (outcomes[i]!.kind === 'closed' ? false : answersWithoutTls(brokers[i]!, timeoutMs))));
  return new Set(dropped.filter((_, k) => !plaintext[k]));
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
 * the outage. Nor is one that only closes or resets the connection, CLOSED_TRIES times, while
 * another completes the handshake, unless it answers a Kafka request without TLS (a plaintext
 * listener): a broker going down in a rolling restart resets the connections it had queued, and
 * stopped start-up blaming KAFKA_SSL. `warn` is told which. With none completing, it is refused.
 */
export async function checkKafkaTls(brokers: string[], options: ConnectionOptions, timeoutMs = 10_000, warn?: (message: string) => void): Promise<void> {
  const given = { ca: Boolean(options.ca), cert: Boolean(options.cert) };
  const outcomes = await Promise.all(brokers.map((b) => probeBroker(b, options, timeoutMs)));
  const forgiven = await droppedWhileOthersAnswer(brokers, outcomes, timeoutMs);
  const refused = brokers.flatMap((broker, i) => {
    const r = forgiven.has(i) ? undefined : refusalOf(outcomes[i]!, given);
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
  const dropping = [...forgiven].map((i) => `${brokers[i]} (${tlsReasonText((outcomes[i] as { reason: string }).reason)}, ${CLOSED_TRIES} times)`);
  if (dropping.length > 0) warn?.(`KAFKA_BROKERS: ${dropping.join(', ')} closed the TLS probe's connection without a TLS alert and answers no request without TLS either (down or restarting?); ${answered.join(', ')} completed the handshake, and kafkajs goes on to another broker when one fails`);
}

/**
 * Whether the broker answers a TLS hello in TLS: a completed handshake, or a TLS alert from it (a
 * broker that wants a client certificate). A plaintext listener closes or resets the connection
 * without a word of TLS, and one that is down does not answer: neither is a TLS listener.
 */
export async function speaksTls(broker: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const outcome = await handshake(broker, { rejectUnauthorized: false }, timeoutMs, signal);
  if (outcome.kind === 'completed' || outcome.kind === 'closed') return true;
  return outcome.kind === 'refused' && (outcome.afterHandshake || /alert/i.test(outcome.reason));
}

/** What a broker's listener speaks, as far as the probes tell: TLS, Kafka in the clear, or nothing that answered. */
type ListenerKind = 'tls' | 'plaintext' | 'silent';

async function listenerKind(broker: string, timeoutMs: number, signal?: AbortSignal): Promise<ListenerKind> {
  if (await speaksTls(broker, timeoutMs, signal)) return 'tls';
  if (signal?.aborted) return 'silent';
  return (await answersWithoutTls(broker, timeoutMs, signal)) ? 'plaintext' : 'silent';
}

export interface ListenerProbeOptions {
  /** Told of TLS listeners listed beside plaintext ones that answer (kafkajs fails on them whenever it comes to them). */
  warn?: (message: string) => void;
  /** Ends every probe at once, its sockets destroyed. */
  signal?: AbortSignal;
}

/**
 * The refusal of a TLS listener reached without KAFKA_SSL, or undefined. kafkajs' requests in the
 * clear get no answer it understands from such a listener (it closes the connection on the first
 * request), which kafkajs retries, and the start-up waited out KAFKA_STARTUP_TIMEOUT_MS. Refused
 * only when every broker that answered speaks TLS: with a plaintext broker that answers beside
 * it, kafkajs goes on to that one, so `warn` names the TLS broker and KAFKA_SSL instead.
 */
export async function tlsListenerWithoutSsl(brokers: readonly string[], timeoutMs = 5000, options: ListenerProbeOptions = {}): Promise<string | undefined> {
  const kinds = await Promise.all(brokers.map((b) => listenerKind(b, timeoutMs, options.signal)));
  const named = brokers.filter((_, i) => kinds[i] === 'tls');
  const plaintext = brokers.filter((_, i) => kinds[i] === 'plaintext');
  if (named.length === 0 || options.signal?.aborted) return undefined;
  if (plaintext.length > 0) {
    options.warn?.(`KAFKA_BROKERS: ${named.join(', ')} answered a TLS handshake (a TLS listener) and KAFKA_SSL is off, so the client's requests in the clear get no answer there; ${plaintext.join(', ')} answered in the clear, and kafkajs goes on to another broker when one fails. Name only plaintext listeners in KAFKA_BROKERS, or set KAFKA_SSL=true with the TLS listeners`);
    return undefined;
  }
  return `invalid configuration: KAFKA_SSL: the broker${named.length > 1 ? 's' : ''} at ${named.join(', ')} answered a TLS handshake, so ${named.length > 1 ? 'their listeners are' : 'its listener is'} TLS (SSL or SASL_SSL), and KAFKA_SSL is off: the client's requests in the clear get no answer. Set KAFKA_SSL=true (and KAFKA_SSL_CA_FILE when a private CA signed the brokers' certificates), or name the brokers' plaintext listener in KAFKA_BROKERS`;
}

/** A TLS listener check that starts after `delayMs` unless cancelled first (a start that finishes at once probes nothing). */
export interface ListenerCheck {
  /** Settles with the refusal (tlsListenerWithoutSsl) once one is found; otherwise never settles. */
  refusal: Promise<string>;
  /** Stops the check: its timers cleared, its probes' sockets destroyed, nothing reported after. */
  cancel(): void;
}

export function watchForTlsListener(brokers: readonly string[], delayMs = 1000, timeoutMs = 5000, warn?: (message: string) => void): ListenerCheck {
  const cancelled = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const refusal = new Promise<string>((resolve) => {
    timer = unrefTimer(() => {
      const whileRunning = (message: string): void => { if (!cancelled.signal.aborted) warn?.(message); };
      void tlsListenerWithoutSsl(brokers, timeoutMs, { warn: whileRunning, signal: cancelled.signal }).then((message) => { if (message !== undefined && !cancelled.signal.aborted) resolve(message); });
    }, delayMs);
  });
  return { refusal, cancel: () => { clearTimeout(timer); cancelled.abort(); } };
}
