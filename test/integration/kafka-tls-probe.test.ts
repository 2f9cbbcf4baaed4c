/**
 * The monitor's TLS pre-flight against the real plaintext broker on 9092 (security QA, session
 * 28): with KAFKA_SSL on, a broker listener without TLS closed the connection on the TLS hello,
 * kafkajs retried that for 38 to 58 s and the monitor then exited 1 naming nothing. The probe
 * refuses it at once, naming the variables; a port where nothing listens is left to the start-up
 * wait (the broker may be starting).
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkKafkaTls, handshake } from '../../src/kafka/tls-probe.js';

const PLAINTEXT_BROKER = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;

/** A TCP port that answers nothing and closes every connection at once. */
async function closingPort(): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${port}` };
}

describe('the Kafka TLS pre-flight', () => {
  it('refuses a TLS handshake with the plaintext broker at once, naming KAFKA_SSL and its files', async () => {
    expect((await handshake(PLAINTEXT_BROKER, {}, 10_000)).kind).toBe('refused');
    await expect(checkKafkaTls([PLAINTEXT_BROKER], {})).rejects.toThrow(/^invalid configuration: KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the TLS handshake with broker 127\.0\.0\.1:\d+ failed/);
  });

  it('refuses a listener that closes the connection mid-handshake', async () => {
    const { server, address } = await closingPort();
    try {
      expect((await handshake(address, {}, 10_000)).kind).toBe('refused');
    } finally {
      server.close();
    }
  });

  it('leaves a port where nothing listens to the start-up wait', async () => {
    const { server, address } = await closingPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect((await handshake(address, {}, 10_000)).kind).toBe('unreachable');
    await expect(checkKafkaTls([address], {})).resolves.toBeUndefined();
  });
});
