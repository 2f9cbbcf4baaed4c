/**
 * The Kafka SASL settings' mistakes in terms of their variables (src/kafka/sasl.ts): a broker's
 * refusal names them without the password, and PLAIN without TLS is warned of (it sends the
 * password as it is). The real broker's side is in test/integration/kafka-tls.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { saslCleartextWarning, saslRefusal, saslRefusalMessage } from '../../src/kafka/sasl.js';

describe('Kafka SASL settings', () => {
  it('warns of PLAIN without TLS, naming KAFKA_SASL_MECHANISM and KAFKA_SSL', () => {
    expect(saslCleartextWarning({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: false })).toMatch(/^KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends KAFKA_SASL_PASSWORD to the brokers in clear text/);
  });

  it('says nothing of PLAIN over TLS, of SCRAM (it sends a proof, not the password) or of no SASL', () => {
    expect(saslCleartextWarning({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: true })).toBeUndefined();
    expect(saslCleartextWarning({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SSL: false })).toBeUndefined();
    expect(saslCleartextWarning({ KAFKA_SASL_MECHANISM: undefined, KAFKA_SSL: false })).toBeUndefined();
  });

  it('finds a SASL refusal in the cause chain and names the three variables', () => {
    const err = new Error('outer', { cause: Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), { name: 'KafkaJSSASLAuthenticationError' }) });
    const refused = saslRefusal(err);
    expect(refused).toBe('SASL SCRAM SHA512 authentication failed: invalid credentials');
    expect(saslRefusalMessage(refused!)).toMatch(/^invalid configuration: KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: Kafka refused/);
    expect(saslRefusal(new Error('Closed connection'))).toBeUndefined();
  });
});
