/**
 * What the Kafka SASL settings (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)
 * can go wrong with, said in terms of those variables. Loads no Kafka client: the CLI's error
 * handler reads it for every verb.
 */
import type { Config } from '../config/config.js';

/** SASL error types a broker answers with: waiting does not change them. */
const SASL_REFUSALS = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

/**
 * The message of a SASL refusal (wrong credentials, an unsupported mechanism, SASL against a
 * listener without it) anywhere in the error's cause chain, or undefined. The start-up wait
 * retried these as if the broker were still electing leaders, for KAFKA_STARTUP_TIMEOUT_MS.
 */
export function saslRefusal(err: unknown): string | undefined {
  for (let e = err as { name?: string; type?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.name === 'KafkaJSSASLAuthenticationError' || (e.type !== undefined && SASL_REFUSALS.has(e.type))) return e.message ?? String(e);
  }
  return undefined;
}

/**
 * A broker's SASL refusal as a configuration mistake naming the variables. The broker's own
 * message names the mechanism, never the password (checked against a real SCRAM broker).
 */
export function saslRefusalMessage(refused: string): string {
  return `invalid configuration: KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: Kafka refused the client's SASL authentication (or SASL is set for a listener without it): ${refused}`;
}

/**
 * A warning when SASL PLAIN is set without TLS: PLAIN sends KAFKA_SASL_PASSWORD as it is, so
 * anyone on the path reads it (SCRAM sends only a proof of it). Undefined otherwise.
 */
export function saslCleartextWarning(config: Pick<Config, 'KAFKA_SASL_MECHANISM' | 'KAFKA_SSL'>): string | undefined {
  if (config.KAFKA_SASL_MECHANISM !== 'plain' || config.KAFKA_SSL) return undefined;
  return 'KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends KAFKA_SASL_PASSWORD to the brokers in clear text: set KAFKA_SSL=true (a SASL_SSL listener), or use scram-sha-512, anywhere but a lab';
}
