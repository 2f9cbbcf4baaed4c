/**
 * Kafka over mutual TLS, as MSK or Strimzi run it: a second, real Apache Kafka broker (the jars
 * `npm run services:up` fetched) with only an SSL listener that requires a client certificate
 * its private CA signed. Tidewatch's client, built from the KAFKA_SSL_* variables, creates a
 * topic, produces and consumes over it; without the client certificate the broker refuses it.
 * A mistake in the TLS settings stops the monitor at once, naming the variable it points at.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { kafkaSsl } from '../../src/config/tls.js';
import { createKafka, retryStartup } from '../../src/kafka/client.js';
import { checkKafkaTls } from '../../src/kafka/tls-probe.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/kafka.js';
import { root } from '../helpers/sample.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const LIBS = join(root, '.cache', 'kafka', 'libs');

/** The environment without any KAFKA_SSL setting of the machine's: a child is given exactly the test's. */
function withoutKafkaTls(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(environment).filter(([k]) => !k.startsWith('KAFKA_SSL') && k !== 'KAFKA_BROKERS'));
}
let certs: TestCerts;
let broker: ChildProcess | undefined;
let brokers: string;
let env: Record<string, string>;

function brokerProperties(dir: string, sslPort: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller', 'node.id=1',
    `listeners=SSL://127.0.0.1:${sslPort},CONTROLLER://127.0.0.1:${controllerPort}`, `advertised.listeners=SSL://127.0.0.1:${sslPort}`,
    'controller.listener.names=CONTROLLER', `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    'listener.security.protocol.map=SSL:SSL,CONTROLLER:PLAINTEXT', 'inter.broker.listener.name=SSL', `log.dirs=${join(dir, 'data')}`,
    'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1', 'transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1', 'group.initial.rebalance.delay.ms=0',
    'ssl.keystore.type=PEM', `ssl.keystore.location=${join(dir, 'broker.pem')}`, 'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.ca}`,
    'ssl.client.auth=required', 'ssl.endpoint.identification.algorithm=',
  ].join('\n') + '\n';
}

beforeAll(async () => {
  expect(existsSync(LIBS), `Kafka's jars are missing from ${LIBS}: run npm run services:up`).toBe(true);
  certs = makeTestCerts();
  const dir = join(certs.dir, 'broker');
  mkdirSync(dir);
  // A PEM keystore is the private key and the certificate chain in one file.
  writeFileSync(join(dir, 'broker.pem'), readFileSync(certs.serverKey, 'utf8') + readFileSync(certs.serverCert, 'utf8'));
  const [sslPort, controllerPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'server.properties'), brokerProperties(dir, sslPort, controllerPort));
  const cp = `${LIBS}/*`;
  const log4j = `-Dlog4j2.configurationFile=${join(root, 'infra', 'log4j2.properties')}`;
  const clusterId = execFileSync('java', ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('java', ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', join(dir, 'server.properties')], { stdio: 'pipe' });
  broker = spawn('java', ['-Xmx384m', '-cp', cp, log4j, 'kafka.Kafka', join(dir, 'server.properties')], { stdio: 'ignore' });
  brokers = `127.0.0.1:${sslPort}`;
  env = { KAFKA_BROKERS: brokers, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca, KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: certs.clientKey };
  await waitFor(async () => {
    const admin = createKafka(loadConfig(env)).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }, 180_000, 'the TLS broker to answer');
}, 240_000);

afterAll(() => {
  broker?.kill('SIGKILL');
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

describe('Kafka over mutual TLS (KAFKA_SSL_*)', () => {
  it('creates a topic, produces and consumes through the client the variables configure', async () => {
    const kafka = createKafka(loadConfig(env));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tls-check', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'tls-check', messages: [{ key: 'acct-1', value: '{"over":"mutual TLS"}' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'tls-check-reader' });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'tls-check', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    try {
      await waitFor(async () => seen.length > 0, 120_000, 'the message back over TLS');
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toEqual(['{"over":"mutual TLS"}']);
  }, 240_000);

  it('passes the monitor\'s TLS pre-flight with its CA and certificate, and is refused there naming KAFKA_SSL_CA_FILE with a CA that did not sign the broker', async () => {
    await expect(checkKafkaTls([brokers], kafkaSsl(loadConfig(env)) as ConnectionOptions)).resolves.toBeUndefined();
    await expect(checkKafkaTls([brokers], kafkaSsl(loadConfig({ ...env, KAFKA_SSL_CA_FILE: certs.otherCa })) as ConnectionOptions))
      .rejects.toThrow(/^invalid configuration: KAFKA_SSL_CA_FILE: the broker's certificate does not verify against the CA in KAFKA_SSL_CA_FILE/);
  });

  it('refuses in the pre-flight, naming KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, no client certificate or one the broker does not trust (the TLS 1.3 handshake completed; only a request showed the refusal)', async () => {
    const noCert = kafkaSsl(loadConfig({ KAFKA_BROKERS: brokers, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca })) as ConnectionOptions;
    await expect(checkKafkaTls([brokers], noCert)).rejects.toThrow(/^invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker requires a client certificate \(mutual TLS\) and none is set/);
    const stranger = kafkaSsl(loadConfig({ ...env, KAFKA_SSL_CERT_FILE: certs.strangerCert, KAFKA_SSL_KEY_FILE: certs.strangerKey })) as ConnectionOptions;
    await expect(checkKafkaTls([brokers], stranger)).rejects.toThrow(/^invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker refused the client certificate in KAFKA_SSL_CERT_FILE .*\(broker 127\.0\.0\.1:\d+: the broker's TLS alert /);
  });

  it('stops the monitor at start-up, exit 2, naming KAFKA_SSL_CERT_FILE, before it connects to the brokers (it waited out KAFKA_STARTUP_TIMEOUT_MS naming KAFKA_BROKERS)', () => {
    for (const [mistake, expected] of [
      [{ KAFKA_SSL_CERT_FILE: '', KAFKA_SSL_KEY_FILE: '' }, /invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker requires a client certificate/],
      [{ KAFKA_SSL_CERT_FILE: certs.strangerCert, KAFKA_SSL_KEY_FILE: certs.strangerKey }, /invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker refused the client certificate/],
    ] as const) {
      const files = Object.fromEntries(Object.entries({ ...env, ...mistake }).filter(([, v]) => v !== ''));
      const checkpoints = mkdtempSync(join(tmpdir(), 'tw-kafka-mtls-'));
      const r = spawnSync('node', [TIDEWATCH, 'monitor'], {
        cwd: root, encoding: 'utf8', timeout: 110_000,
        env: { ...withoutKafkaTls(process.env), ...files, KAFKA_STARTUP_TIMEOUT_MS: '100000', CHECKPOINT_DIR: checkpoints, METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-kafka-mtls-${process.pid}` },
      });
      rmSync(checkpoints, { recursive: true, force: true });
      expect(r.stderr + r.stdout).toMatch(expected);
      expect(r.status).toBe(2);
      expect(r.stderr + r.stdout).not.toContain('connecting to the brokers');
    }
  }, 240_000);

  it('is refused by the broker without a client certificate', async () => {
    const noCert = loadConfig({ KAFKA_BROKERS: brokers, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca });
    // kafkajs itself, with no retries, so the refusal comes back at once.
    const kafka = new kafkajs.Kafka({ brokers: [brokers], ssl: kafkaSsl(noCert), retry: { retries: 0 }, logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow(/certificate|alert|handshake|Connection error/i);
    await admin.disconnect().catch(() => undefined);
  });

  it('a start-up step through the configured client stops at once, naming the KAFKA_SSL variable, on a CA that did not sign the broker or without a client certificate (it waited out KAFKA_STARTUP_TIMEOUT_MS)', async () => {
    for (const [mistake, expected] of [
      [{ ...env, KAFKA_SSL_CA_FILE: certs.otherCa }, /^invalid configuration: KAFKA_SSL_CA_FILE: the broker's certificate does not verify/],
      [{ KAFKA_BROKERS: brokers, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca }, /^invalid configuration: KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: the broker requires a client certificate/],
    ] as const) {
      const config = loadConfig(mistake);
      const kafka = createKafka(config);
      const admin = kafka.admin();
      const retries: number[] = [];
      const tlsGiven = { ca: Boolean(config.KAFKA_SSL_CA_FILE), cert: Boolean(config.KAFKA_SSL_CERT_FILE) };
      await expect(retryStartup(async () => { await admin.connect(); await admin.listTopics(); }, { timeoutMs: 120_000, tlsGiven, onRetry: (attempt) => void retries.push(attempt) }))
        .rejects.toThrow(expected);
      await admin.disconnect().catch(() => undefined);
      expect(retries).toEqual([]); // refused on the first attempt, not waited out
    }
  }, 240_000);
});
