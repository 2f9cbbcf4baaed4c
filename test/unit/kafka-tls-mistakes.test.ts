/**
 * Which variable a refused TLS connection to a broker names, from what Node's TLS reports (the
 * texts below are the ones met against a real broker: kafka-tls.test.ts, kafka-tls-probe.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { kafkaTlsMistake, kafkaTlsMistakeMessage, kafkaTlsMistakeOrAny } from '../../src/kafka/tls-mistakes.js';

const ALERT_42 = '80AC811E7F7F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n';
const ALERT_46 = '800CE225057F0000:error:0A000416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 46\n';
const ALERT_116 = '40E7B1B3:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:ssl/record/rec_layer_s3.c:1605:SSL alert number 116';
const WITH_CERT = { ca: true, cert: true };
const WITHOUT_CERT = { ca: true, cert: false };

describe('a Kafka TLS mistake', () => {
  it('names KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE for the broker\'s alert about the client certificate: missing, or not trusted', () => {
    for (const alert of [ALERT_42, ALERT_46, ALERT_116]) {
      expect(kafkaTlsMistake(alert, WITHOUT_CERT, true)).toEqual({ variables: ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'], why: expect.stringContaining('requires a client certificate (mutual TLS) and none is set') });
      expect(kafkaTlsMistake(alert, WITH_CERT, true)?.why).toContain('refused the client certificate in KAFKA_SSL_CERT_FILE');
    }
    expect(kafkaTlsMistake('... alert handshake failure ...', WITH_CERT, true)?.variables).toEqual(['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE']);
    expect(kafkaTlsMistake(ALERT_46, undefined, true)?.why).toBe('the broker refused the client certificate, or requires one (mutual TLS) and got none');
  });

  it('names KAFKA_SSL_CA_FILE for a broker certificate that does not verify, and KAFKA_BROKERS too for one of another host', () => {
    for (const text of ['unable to verify the first certificate', 'self-signed certificate in certificate chain', 'unable to get local issuer certificate', 'certificate has expired']) {
      expect(kafkaTlsMistake(text, WITH_CERT)?.variables, text).toEqual(['KAFKA_SSL_CA_FILE']);
    }
    expect(kafkaTlsMistake('self-signed certificate', { ca: false, cert: false })?.why).toContain("the system's CAs (KAFKA_SSL_CA_FILE is unset)");
    expect(kafkaTlsMistake("Hostname/IP does not match certificate's altnames: IP: 10.0.0.9 is not in the cert's list", WITH_CERT)?.variables).toEqual(['KAFKA_BROKERS', 'KAFKA_SSL_CA_FILE']);
  });

  it('names KAFKA_SSL and KAFKA_BROKERS for a listener that closes on the TLS hello, and nothing for a broker that is only unreachable', () => {
    for (const text of ['Client network socket disconnected before secure TLS connection was established (ECONNRESET)', 'SSL routines:ssl3_get_record:wrong version number']) {
      expect(kafkaTlsMistake(text, WITH_CERT)?.variables, text).toEqual(['KAFKA_SSL', 'KAFKA_BROKERS']);
    }
    expect(kafkaTlsMistake('connect ECONNREFUSED 127.0.0.1:9093', WITH_CERT)).toBeUndefined();
    expect(kafkaTlsMistakeOrAny('something else entirely', WITH_CERT).variables).toEqual(['KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE']);
  });

  it('says it on one line, with the broker and the alert by name and number', () => {
    expect(kafkaTlsMistakeMessage(kafkaTlsMistake(ALERT_42, WITHOUT_CERT, true)!, 'broker 10.0.0.5:9093', ALERT_42))
      .toBe('invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker requires a client certificate (mutual TLS) and none is set: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE (broker 10.0.0.5:9093: the broker\'s TLS alert bad certificate (42))');
  });
});
