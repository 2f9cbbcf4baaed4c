/**
 * Kafka over mutual TLS, as MSK or Strimzi run it: a second, real Apache Kafka broker (the jars
 * `npm run services:up` fetched) with an SSL listener that requires a client certificate
 * its private CA signed. Tidewatch's client, built from the KAFKA_SSL_* variables, creates a
 * topic, produces and consumes over it; without the client certificate the broker refuses it.
 * A mistake in the TLS settings stops the monitor at once, naming the variable it points at, and
 * so does the TLS listener reached without KAFKA_SSL.
 * The same broker has a SASL_SSL listener with SCRAM-SHA-512 (its user made when the storage is
 * formatted), for the KAFKA_SASL_* variables: one broker start serves both.
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
import { runTidewatch } from '../helpers/tidewatch-cli.js';

const LIBS = join(root, '.cache', 'kafka', 'libs');

/** The environment without any KAFKA_SSL or KAFKA_SASL setting of the machine's (nor KAFKA_BROKERS): a child is given exactly the test's. */
function withoutKafkaSecurity(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(withoutKafkaTls(environment)).filter(([k]) => !k.startsWith('KAFKA_SASL')));
}

/** The environment without any KAFKA_SSL setting of the machine's: a child is given exactly the test's. */
function withoutKafkaTls(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(environment).filter(([k]) => !k.startsWith('KAFKA_SSL') && k !== 'KAFKA_BROKERS'));
}
let certs: TestCerts;
let broker: ChildProcess | undefined;
let brokers: string;
let env: Record<string, string>;
/** The SCRAM user's settings for the SASL_SSL listener: TLS with the private CA, no client certificate. */
let saslEnv: Record<string, string>;
const SASL_USER = 'tidewatch';
const SASL_PASSWORD = 'scram-Pa55-in-test';
const WRONG_PASSWORD = 'not-the-Pa55-word';

function brokerProperties(dir: string, sslPort: number, saslPort: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller', 'node.id=1',
    `listeners=SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`, `advertised.listeners=SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslPort}`,
    'controller.listener.names=CONTROLLER', `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    'listener.security.protocol.map=SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT', 'inter.broker.listener.name=SSL', `log.dirs=${join(dir, 'data')}`,
    // SCRAM-SHA-512 only on the SASL listener, which asks for no client certificate.
    'listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512', 'listener.name.sasl_ssl.ssl.client.auth=none',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
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
  const [sslPort, saslPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'server.properties'), brokerProperties(dir, sslPort, saslPort, controllerPort));
  const cp = `${LIBS}/*`;
  const log4j = `-Dlog4j2.configurationFile=${join(root, 'infra', 'log4j2.properties')}`;
  const clusterId = execFileSync('java', ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('java', ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', join(dir, 'server.properties'), '--add-scram', `SCRAM-SHA-512=[name=${SASL_USER},password=${SASL_PASSWORD}]`], { stdio: 'pipe' });
  broker = spawn('java', ['-Xmx384m', '-cp', cp, log4j, 'kafka.Kafka', join(dir, 'server.properties')], { stdio: 'ignore' });
  brokers = `127.0.0.1:${sslPort}`;
  env = { KAFKA_BROKERS: brokers, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca, KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: certs.clientKey };
  saslEnv = { KAFKA_BROKERS: `127.0.0.1:${saslPort}`, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: SASL_USER, KAFKA_SASL_PASSWORD: SASL_PASSWORD };
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

  it('stops the monitor at start-up, exit 2, naming KAFKA_SSL, when KAFKA_BROKERS names the SSL or the SASL_SSL listener and KAFKA_SSL is off (it waited out KAFKA_STARTUP_TIMEOUT_MS)', () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: SASL_USER, KAFKA_SASL_PASSWORD: SASL_PASSWORD };
    for (const given of [{ KAFKA_BROKERS: brokers }, { KAFKA_BROKERS: saslEnv.KAFKA_BROKERS!, ...sasl }]) {
      const checkpoints = mkdtempSync(join(tmpdir(), 'tw-kafka-nossl-'));
      const r = spawnSync('node', [TIDEWATCH, 'monitor'], {
        cwd: root, encoding: 'utf8', timeout: 110_000,
        env: { ...withoutKafkaSecurity(process.env), ...given, KAFKA_SSL: 'false', KAFKA_STARTUP_TIMEOUT_MS: '100000', CHECKPOINT_DIR: checkpoints, METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-kafka-nossl-${process.pid}` },
      });
      rmSync(checkpoints, { recursive: true, force: true });
      expect(r.stderr + r.stdout).toMatch(/invalid configuration: KAFKA_SSL: the broker at 127\.0\.0\.1:\d+ answered a TLS handshake, so its listener is TLS/);
      expect(r.status).toBe(2);
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

/** Every KAFKA_SSL and KAFKA_SASL setting of the test's environment unset, then `given`: a child is given exactly the test's. */
function onlyKafkaSecurity(given: Record<string, string>): Record<string, string | undefined> {
  const unset = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('KAFKA_SSL') || k.startsWith('KAFKA_SASL')).map((k) => [k, undefined]));
  return { ...unset, ...given };
}

/** A deposit sent with `from: []` and its chain log naming an OFAC SDN sender (rules/sanctions-exposure/cases/late-chain-sender-positive.jsonl): one critical alert. */
const SANCTIONED_DEPOSIT = join(root, 'rules', 'sanctions-exposure', 'cases', 'late-chain-sender-positive.jsonl');

describe('Kafka SASL SCRAM-SHA-512 over TLS (KAFKA_SASL_*), against the broker\'s SASL_SSL listener', () => {
  it('produces and consumes through the client the variables configure', async () => {
    const kafka = createKafka(loadConfig(saslEnv));
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'sasl-check', acks: -1, messages: [{ key: 'acct-1', value: '{"over":"SCRAM-SHA-512"}' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'sasl-check-reader' });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'sasl-check', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    try {
      await waitFor(async () => seen.length > 0, 120_000, 'the message back over SASL_SSL');
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toEqual(['{"over":"SCRAM-SHA-512"}']);
  }, 240_000);

  it('`replay --from-kafka` with the SASL settings reads contract messages from the topics and emits the expected alert', async () => {
    const kafka = createKafka(loadConfig(saslEnv));
    const [deposit, log] = readFileSync(SANCTIONED_DEPOSIT, 'utf8').split('\n').filter((l) => l !== '');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'sasl-deposits', acks: -1, messages: [{ key: 'acct-late-sender-pos', value: deposit! }] });
    await producer.send({ topic: 'sasl-evm-logs', acks: -1, messages: [{ value: log! }] });
    await producer.disconnect();
    const out = mkdtempSync(join(tmpdir(), 'tw-kafka-sasl-'));
    try {
      const r = await runTidewatch(['replay', '--from-kafka', '--topics', 'sasl-deposits,sasl-evm-logs', '--alerts', join(out, 'alerts.jsonl'), '--quiet'], onlyKafkaSecurity(saslEnv));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const alerts = readFileSync(join(out, 'alerts.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { ruleId: string; subject: { accountId?: string } });
      expect(alerts.map((a) => [a.ruleId, a.subject.accountId])).toEqual([['sanctions-exposure.direct', 'acct-late-sender-pos']]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);

  it('refuses a wrong password: `replay --from-kafka` exits 2 naming KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, printing neither password (it printed kafkajs\' bare "authentication failed")', async () => {
    const r = await runTidewatch(['replay', '--from-kafka', '--topics', 'sasl-check', '--quiet'], onlyKafkaSecurity({ ...saslEnv, KAFKA_SASL_PASSWORD: WRONG_PASSWORD }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^invalid configuration: KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: Kafka refused the client's SASL authentication .*invalid credentials/);
    expect(r.stderr + r.stdout).not.toContain(WRONG_PASSWORD);
    expect(r.stderr + r.stdout).not.toContain(SASL_PASSWORD);
  }, 120_000);

  it('refuses a wrong password in the monitor\'s start-up step at once, naming the variables (it is not waited out as a broker still starting)', async () => {
    const kafka = createKafka(loadConfig({ ...saslEnv, KAFKA_SASL_PASSWORD: WRONG_PASSWORD }));
    const admin = kafka.admin();
    const retries: number[] = [];
    const refusal = retryStartup(async () => { await admin.connect(); await admin.listTopics(); }, { timeoutMs: 120_000, onRetry: (attempt) => void retries.push(attempt) });
    await expect(refusal).rejects.toThrow(/^invalid configuration: KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: /);
    await expect(refusal).rejects.not.toThrow(WRONG_PASSWORD);
    await admin.disconnect().catch(() => undefined);
    expect(retries).toEqual([]);
  }, 120_000);
});
