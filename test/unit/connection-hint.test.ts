/**
 * A broker that closes the connection while no SASL is configured: what a SASL-only listener does
 * to a client that does not authenticate. The start-up wait and its final failure name the
 * variables (security QA, session 28: they said only "Closed connection").
 */
import { describe, expect, it } from 'vitest';
import { connectionHint } from '../../src/monitor/monitor.js';

describe('the start-up hint for a closed connection', () => {
  it('names the KAFKA_SASL variables when no SASL is set, and KAFKA_SSL when TLS is off too', () => {
    expect(connectionHint({ KAFKA_SASL_MECHANISM: undefined, KAFKA_SSL: false }, 'Closed connection').hint)
      .toBe('the broker closed the connection: if its listener requires authentication, set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (and KAFKA_SSL for a TLS listener)');
    expect(connectionHint({ KAFKA_SASL_MECHANISM: undefined, KAFKA_SSL: true }, 'Closed connection').hint).not.toContain('KAFKA_SSL for');
  });

  it('names KAFKA_SSL when SASL is set without TLS: a SASL_SSL listener closes a connection spoken in the clear (black-box, session 63)', () => {
    expect(connectionHint({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SSL: false }, 'Closed connection').hint)
      .toBe('the broker closed the connection: if its listener is SASL_SSL (SASL over TLS), set KAFKA_SSL=true, and KAFKA_SSL_CA_FILE when a private CA signed the brokers\' certificates');
  });

  it('says nothing when SASL and TLS are both set or the reason is another', () => {
    expect(connectionHint({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SSL: true }, 'Closed connection')).toEqual({});
    expect(connectionHint({ KAFKA_SASL_MECHANISM: undefined, KAFKA_SSL: false }, 'no leader for a partition of t')).toEqual({});
  });
});
