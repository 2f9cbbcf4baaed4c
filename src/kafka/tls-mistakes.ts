/**
 * Which KAFKA_* variable a refused TLS connection to a broker points at, read from the refusal:
 * a plaintext listener answers the TLS hello by closing (KAFKA_SSL, KAFKA_BROKERS); a broker
 * certificate that does not verify is the CA's (KAFKA_SSL_CA_FILE), or the host's when it names
 * another (KAFKA_BROKERS); an alert the broker sends about the client's certificate, after the
 * client's side of the handshake is done, is the client certificate's (KAFKA_SSL_CERT_FILE and
 * KAFKA_SSL_KEY_FILE). Session 44 security QA: a missing or untrusted client certificate was
 * reported after the start-up wait, naming KAFKA_BROKERS, or later every TLS variable at once.
 */

/** What a refusal points at: the variables to set, and why, in words an operator acts on. */
export interface KafkaTlsMistake {
  variables: string[];
  why: string;
}

/** The TLS files the client was given (KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE). */
export interface KafkaTlsGiven {
  ca: boolean;
  cert: boolean;
}

/** An alert the broker sent about the client's certificate (OpenSSL: "sslv3 alert bad certificate", "tlsv13 alert certificate required"). */
const CLIENT_CERTIFICATE_ALERT = /alert (certificate required|bad certificate|certificate unknown|unknown ca|unsupported certificate|certificate revoked|certificate expired|access denied)/i;
/** The broker's certificate failed the client's checks. */
const SERVER_NOT_VERIFIED = /self[- ]signed certificate|unable to (verify|get)[^:]*certificate|certificate (has expired|is not yet valid)|CERT_HAS_EXPIRED|UNABLE_TO_VERIFY|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT_IN_CHAIN/i;
const WRONG_HOST = /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/i;
/** What a listener without TLS does to a TLS hello: closes, resets, or answers bytes that are no TLS record. */
const NOT_TLS = /wrong version number|packet length too long|socket disconnected before secure TLS connection was established|ECONNRESET|EPIPE/i;

/**
 * The mistake a refusal points at, or undefined when it is not one (the broker may be down).
 * @param given the TLS files the client was given; unknown, the texts name both possibilities.
 * @param afterHandshake the client had finished its side of the handshake: a refusal now is the
 *   broker's verdict on the client certificate, which TLS 1.3 sends only after it.
 */
export function kafkaTlsMistake(reason: string, given: KafkaTlsGiven | undefined, afterHandshake = false): KafkaTlsMistake | undefined {
  if (CLIENT_CERTIFICATE_ALERT.test(reason) || (afterHandshake && /alert handshake failure/i.test(reason))) return clientCertificateMistake(given);
  if (WRONG_HOST.test(reason)) {
    return { variables: ['KAFKA_BROKERS', 'KAFKA_SSL_CA_FILE'], why: "the broker's certificate is not for the host KAFKA_BROKERS names: name the broker as its certificate does, or check that KAFKA_SSL_CA_FILE is the brokers' CA" };
  }
  if (SERVER_NOT_VERIFIED.test(reason)) {
    const against = given === undefined ? 'the CA in KAFKA_SSL_CA_FILE (the system\'s CAs when it is unset)' : given.ca ? 'the CA in KAFKA_SSL_CA_FILE' : 'the system\'s CAs (KAFKA_SSL_CA_FILE is unset)';
    return { variables: ['KAFKA_SSL_CA_FILE'], why: `the broker's certificate does not verify against ${against}: set KAFKA_SSL_CA_FILE to the CA that signed it (or the broker's certificate has expired)` };
  }
  if (!afterHandshake && NOT_TLS.test(reason)) {
    return { variables: ['KAFKA_SSL', 'KAFKA_BROKERS'], why: 'the broker closed the connection on the TLS hello, as a listener without TLS does: KAFKA_SSL=true against a plaintext port (set KAFKA_SSL=false, or name the brokers\' SSL listener in KAFKA_BROKERS)' };
  }
  if (/alert /i.test(reason)) {
    return { variables: ['KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'], why: 'the broker refused the TLS handshake' };
  }
  return undefined;
}

/** The broker refused the client certificate, or wants one and got none. */
export function clientCertificateMistake(given: KafkaTlsGiven | undefined): KafkaTlsMistake {
  if (given === undefined) return { variables: ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'], why: 'the broker refused the client certificate, or requires one (mutual TLS) and got none' };
  return given.cert
    ? { variables: ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'], why: 'the broker refused the client certificate in KAFKA_SSL_CERT_FILE (signed by a CA it does not trust, expired, revoked, or not for client use)' }
    : { variables: ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'], why: 'the broker requires a client certificate (mutual TLS) and none is set: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE' };
}

/** What TLS said, on one line: an alert as its name and number, not OpenSSL's whole error string. */
export function tlsReasonText(reason: string): string {
  const alert = /(?:sslv3|tlsv1\d*) (alert [a-z ]+?)\s*:.*?SSL alert number (\d+)/is.exec(reason);
  return alert ? `the broker's TLS ${alert[1]} (${alert[2]})` : reason.replace(/\s+/g, ' ').trim();
}

/** The configuration error for a mistake, with where it was met (`broker host:port`, `the brokers`) and what TLS said. */
export function kafkaTlsMistakeMessage(mistake: KafkaTlsMistake, where: string, reason: string): string {
  return `invalid configuration: ${mistake.variables.join(', ')}: ${mistake.why} (${where}: ${tlsReasonText(reason)})`;
}

/** The mistake a refusal points at, or, when it names none, the TLS settings as a whole. */
export function kafkaTlsMistakeOrAny(reason: string, given: KafkaTlsGiven | undefined, afterHandshake = false): KafkaTlsMistake {
  return kafkaTlsMistake(reason, given, afterHandshake)
    ?? (afterHandshake ? clientCertificateMistake(given) : { variables: ['KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'], why: 'the TLS handshake with the brokers failed' });
}
