/**
 * The monitor's TLS pre-flight against the real plaintext broker on 9092 (security QA, session
 * 28): with KAFKA_SSL on, a broker listener without TLS closed the connection on the TLS hello,
 * kafkajs retried that for 38 to 58 s and the monitor then exited 1 naming nothing. The probe
 * refuses it at once, naming the variables; a port where nothing listens is left to the start-up
 * wait (the broker may be starting). The other way round, a TLS listener reached without
 * KAFKA_SSL answers a TLS hello in TLS: a start-up step still under way is stopped naming KAFKA_SSL.
 */
import { readFileSync, rmSync } from 'node:fs';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { answersWithoutTls, apiVersionsRequest, checkKafkaTls, handshake, speaksTls, tlsListenerWithoutSsl, watchForTlsListener } from '../../src/kafka/tls-probe.js';
import { loadConfig } from '../../src/config/config.js';
import { createKafka, retryStartup } from '../../src/kafka/client.js';
import { makeTestCerts } from '../helpers/tls-certs.js';

const PLAINTEXT_BROKER = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;

/** A TCP port that answers nothing and closes every connection at once. */
async function closingPort(): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${port}` };
}

/** A TLS listener with the test CA's server certificate that does `onRequest` with each connection's first bytes. */
async function tlsPort(certs: ReturnType<typeof makeTestCerts>, onRequest: (socket: TLSSocket, request: Buffer) => void): Promise<{ server: TlsServer; address: string }> {
  const server = createTlsServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (socket) => socket.once('data', (request: Buffer) => onRequest(socket, request)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** A port in front of `target` that resets its first `resets` connections (a broker going down, then back) and passes the rest through. */
async function resettingFront(target: string, resets: number): Promise<{ server: Server; address: string; connections: () => number }> {
  let connections = 0;
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const server = createServer((socket: Socket) => {
    if (++connections <= resets) return socket.resetAndDestroy();
    const upstream = connectTcp({ host, port });
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections };
}

describe('the Kafka TLS pre-flight', () => {
  it('sends a Kafka request after the handshake and takes an answer as accepted, a close without one (each try) as the client certificate refused', async () => {
    const certs = makeTestCerts();
    const requests: Buffer[] = [];
    const answering = await tlsPort(certs, (socket, request) => { requests.push(request); socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])); });
    const closing = await tlsPort(certs, (socket, request) => { requests.push(request); socket.destroy(); });
    try {
      const options = { ca: readFileSync(certs.ca, 'utf8') };
      await expect(checkKafkaTls([answering.address], options)).resolves.toBeUndefined();
      expect(requests[0]).toEqual(apiVersionsRequest());
      expect(requests[0]!.readInt16BE(4)).toBe(18); // ApiVersions
      requests.length = 0;
      await expect(checkKafkaTls([closing.address], options)).rejects.toThrow(/^invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker requires a client certificate .*3 times\)$/);
      expect(requests).toHaveLength(3);
    } finally {
      answering.server.close();
      closing.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('refuses a TLS handshake with the plaintext broker at once, naming KAFKA_SSL and KAFKA_BROKERS', async () => {
    expect((await handshake(PLAINTEXT_BROKER, {}, 10_000)).kind).toBe('refused');
    await expect(checkKafkaTls([PLAINTEXT_BROKER], {})).rejects.toThrow(/^invalid configuration: KAFKA_SSL, KAFKA_BROKERS: the broker closed the connection on the TLS hello, as a listener without TLS does: KAFKA_SSL=true against a plaintext port .*\(broker 127\.0\.0\.1:\d+: /);
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

  it('probes every broker of KAFKA_BROKERS: a wrong later entry is refused though the first answers, naming that broker', async () => {
    const certs = makeTestCerts();
    const answering = await tlsPort(certs, (socket) => socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])));
    try {
      const options = { ca: readFileSync(certs.ca, 'utf8') };
      await expect(checkKafkaTls([answering.address, PLAINTEXT_BROKER], options)).rejects.toThrow(
        new RegExp(`^invalid configuration: KAFKA_SSL, KAFKA_BROKERS: the broker closed the connection on the TLS hello.*\\(broker ${PLAINTEXT_BROKER.replace(/\./g, '\\.')}, 2 of 2 in KAFKA_BROKERS, which kafkajs takes in turn: every one must be right: `),
      );
    } finally {
      answering.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('passes a list whose first broker does not answer but a later one does, and says which did not', async () => {
    const certs = makeTestCerts();
    const answering = await tlsPort(certs, (socket) => socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])));
    const { server, address: down } = await closingPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const warnings: string[] = [];
    try {
      await expect(checkKafkaTls([down, answering.address], { ca: readFileSync(certs.ca, 'utf8') }, 10_000, (m) => warnings.push(m))).resolves.toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^KAFKA_BROKERS: ${down} \\(.*\\) did not answer the TLS probe; ${answering.address} did`))]);
    } finally {
      answering.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('tries a connection reset before the handshake again: a broker that reset one and then answers passes', async () => {
    const certs = makeTestCerts();
    const answering = await tlsPort(certs, (socket) => socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])));
    const front = await resettingFront(answering.address, 1);
    try {
      await expect(checkKafkaTls([front.address], { ca: readFileSync(certs.ca, 'utf8') })).resolves.toBeUndefined();
      expect(front.connections()).toBe(2);
    } finally {
      front.server.close();
      answering.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('passes a broker that resets every connection (restarting) while another completes the handshake, and says which: it answers no request without TLS', async () => {
    const certs = makeTestCerts();
    const answering = await tlsPort(certs, (socket) => socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])));
    const restarting = await resettingFront(answering.address, Number.MAX_SAFE_INTEGER);
    const warnings: string[] = [];
    try {
      expect(await answersWithoutTls(restarting.address, 10_000)).toBe(false);
      expect(await answersWithoutTls(PLAINTEXT_BROKER, 10_000)).toBe(true);
      await expect(checkKafkaTls([answering.address, restarting.address], { ca: readFileSync(certs.ca, 'utf8') }, 10_000, (m) => warnings.push(m))).resolves.toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^KAFKA_BROKERS: ${restarting.address} \\(.*, 3 times\\) closed the TLS probe's connection without a TLS alert .*; ${answering.address} completed the handshake`))]);
      // Alone, it is refused as before: nothing shows the TLS settings right.
      await expect(checkKafkaTls([restarting.address], { ca: readFileSync(certs.ca, 'utf8') })).rejects.toThrow(/^invalid configuration: KAFKA_SSL, KAFKA_BROKERS: /);
    } finally {
      restarting.server.close();
      answering.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('names every refusing broker when several refuse', async () => {
    const a = await closingPort();
    const b = await closingPort();
    try {
      await expect(checkKafkaTls([a.address, b.address], {})).rejects.toThrow(
        new RegExp(`^invalid configuration: KAFKA_SSL, KAFKA_BROKERS: 2 of the 2 brokers in KAFKA_BROKERS refused the TLS connection: broker ${a.address} \\(1 of 2\\): .*; broker ${b.address} \\(2 of 2\\): `),
      );
    } finally {
      a.server.close();
      b.server.close();
    }
  });
});

describe('a TLS listener reached without KAFKA_SSL', () => {
  it('is told apart from a plaintext listener: a TLS listener answers the TLS hello in TLS, the plaintext broker and a port that closes do not', async () => {
    const certs = makeTestCerts();
    const tls = await tlsPort(certs, (socket) => socket.destroy());
    const closing = await closingPort();
    try {
      expect(await speaksTls(tls.address, 10_000)).toBe(true);
      expect(await speaksTls(PLAINTEXT_BROKER, 10_000)).toBe(false);
      expect(await speaksTls(closing.address, 10_000)).toBe(false);
      expect(await tlsListenerWithoutSsl([PLAINTEXT_BROKER], 10_000)).toBeUndefined();
      expect(await tlsListenerWithoutSsl([closing.address, tls.address], 10_000)).toMatch(new RegExp(`^invalid configuration: KAFKA_SSL: the broker at ${tls.address} answered a TLS handshake, so its listener is TLS \\(SSL or SASL_SSL\\), and KAFKA_SSL is off`));
    } finally {
      tls.server.close();
      closing.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('warns, not refuses, a list naming a TLS listener beside the plaintext broker that answers: kafkajs goes on to the plaintext one', async () => {
    const certs = makeTestCerts();
    const tls = await tlsPort(certs, (socket) => socket.destroy());
    const warnings: string[] = [];
    try {
      expect(await tlsListenerWithoutSsl([PLAINTEXT_BROKER, tls.address], 10_000, { warn: (m) => warnings.push(m) })).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`KAFKA_BROKERS: ${tls.address} answered a TLS handshake`);
      expect(warnings[0]).toContain('KAFKA_SSL');
      expect(warnings[0]).toContain(`${PLAINTEXT_BROKER} answered in the clear`);
    } finally {
      tls.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('a cancelled check closes the connection of a probe still waiting for an answer', async () => {
    const accepted: Socket[] = [];
    let seen: () => void = () => undefined;
    const connected = new Promise<void>((resolve) => { seen = resolve; });
    const silent = createServer((socket) => { accepted.push(socket); socket.on('error', () => undefined); seen(); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const check = watchForTlsListener([address], 0, 3_600_000); // no answer would end the probe within the test
    try {
      await connected;
      const closed = new Promise<void>((resolve) => accepted[0]!.once('close', () => resolve()));
      check.cancel();
      await closed;
    } finally {
      check.cancel();
      for (const socket of accepted) socket.destroy();
      silent.close();
    }
  }, 60_000);

  it('stops a start-up step of a client without KAFKA_SSL at once, naming KAFKA_SSL, before kafkajs has given up retrying the connection the TLS listener closes', async () => {
    const certs = makeTestCerts();
    const tls = await tlsPort(certs, (socket) => socket.destroy());
    const admin = createKafka(loadConfig({ KAFKA_BROKERS: tls.address, KAFKA_SSL: 'false' })).admin();
    const retries: number[] = [];
    const check = watchForTlsListener([tls.address], 0, 10_000);
    try {
      await expect(retryStartup(async () => { await admin.connect(); await admin.listTopics(); }, { timeoutMs: 120_000, refusal: check.refusal, onRetry: (attempt) => void retries.push(attempt) }))
        .rejects.toThrow(/^invalid configuration: KAFKA_SSL: the broker at 127\.0\.0\.1:\d+ answered a TLS handshake/);
      expect(retries).toEqual([]); // the step itself had not failed yet: kafkajs was still retrying
    } finally {
      check.cancel();
      await admin.disconnect().catch(() => undefined);
      tls.server.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  }, 120_000);
});
