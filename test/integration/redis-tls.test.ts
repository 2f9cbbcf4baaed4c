/**
 * Redis over mutual TLS, as an exchange runs it: a real redis-server that only takes TLS
 * connections with a client certificate its CA signed (`tls-auth-clients yes`). Tidewatch
 * connects with the CA and client certificate its REDIS_TLS_* variables name, is refused
 * without the certificate or with another CA, and a bad TLS configuration stops start-up
 * naming the variable.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedisCredentials, connectRedis } from '../../src/cli/redis-connection.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { kafkaSsl, redisTls } from '../../src/config/tls.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/kafka.js';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

let certs: TestCerts;
let server: ChildProcess;
let port: number;

beforeAll(async () => {
  certs = makeTestCerts();
  port = await freePort();
  server = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey,
    '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `rediss://127.0.0.1:${port}`;
  const env = { REDIS_URL: url, REDIS_TLS_CA_FILE: certs.ca, REDIS_TLS_CERT_FILE: certs.clientCert, REDIS_TLS_KEY_FILE: certs.clientKey };
  await waitFor(async () => {
    const redis = await connectRedis(url, false, redisTls(loadConfig(env)));
    await redis.quit();
    return true;
  }, 60_000, 'the TLS redis-server to answer');
});

afterAll(() => {
  server?.kill('SIGTERM');
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

describe('Redis over mutual TLS (REDIS_TLS_*)', () => {
  it('connects with the CA and client certificate the variables name, and works', async () => {
    const config = loadConfig({ REDIS_URL: `rediss://127.0.0.1:${port}`, REDIS_TLS_CA_FILE: certs.ca, REDIS_TLS_CERT_FILE: certs.clientCert, REDIS_TLS_KEY_FILE: certs.clientKey });
    const redis = await connectRedis(config.REDIS_URL, false, redisTls(config));
    try {
      await redis.set('tw:tls-check', 'ok');
      expect(await redis.get('tw:tls-check')).toBe('ok');
    } finally {
      await redis.quit();
    }
  });

  it('is refused without the client certificate, and when the server is not signed by the named CA', async () => {
    const url = `rediss://127.0.0.1:${port}`;
    await expect(connectRedis(url, false, redisTls(loadConfig({ REDIS_URL: url, REDIS_TLS_CA_FILE: certs.ca })))).rejects.toThrow(/cannot reach Redis at REDIS_URL=rediss:\/\/127\.0\.0\.1/);
    const otherCa = loadConfig({ REDIS_URL: url, REDIS_TLS_CA_FILE: certs.otherCa, REDIS_TLS_CERT_FILE: certs.clientCert, REDIS_TLS_KEY_FILE: certs.clientKey });
    await expect(connectRedis(url, false, redisTls(otherCa))).rejects.toThrow(/cannot reach Redis at REDIS_URL=.*(self[- ]signed|unable to (get|verify)).*check REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE/i);
  });

  it("a long-running service's start-up check stops on either, naming the REDIS_TLS variables, where it waited for ever as for an outage", async () => {
    const url = `rediss://127.0.0.1:${port}`;
    for (const env of [{ REDIS_URL: url, REDIS_TLS_CA_FILE: certs.ca }, { REDIS_URL: url, REDIS_TLS_CA_FILE: certs.otherCa, REDIS_TLS_CERT_FILE: certs.clientCert, REDIS_TLS_KEY_FILE: certs.clientKey }]) {
      const refused = checkRedisCredentials(url, redisTls(loadConfig(env)));
      await expect(refused).rejects.toBeInstanceOf(ConfigError);
      await expect(refused).rejects.toThrow(/^invalid configuration: REDIS_URL, REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE: the TLS handshake with Redis failed/);
    }
    // An unreachable Redis is still only waited for.
    await expect(checkRedisCredentials(`rediss://127.0.0.1:1`, redisTls(loadConfig({ REDIS_URL: url, REDIS_TLS_CA_FILE: certs.ca })))).resolves.toBeUndefined();
  });

  it('stops start-up for rediss:// to a plaintext Redis (the handshake only timed out, and the monitor waited as for an outage)', async () => {
    const plain = 'rediss://127.0.0.1:6379'; // the suite's own plaintext Redis
    const refused = checkRedisCredentials(plain);
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/^invalid configuration: REDIS_URL: rediss:\/\/ \(TLS\) to a Redis that answers without TLS on that port/);
  }, 60_000);

  it('refuses redis:// (plaintext) to the TLS-only Redis at once, naming REDIS_URL and rediss://, in a command, a service\'s connection and its start-up check (it retried for ever)', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const tlsOnly = /^invalid configuration: REDIS_URL: redis:\/\/ \(plaintext\) to a Redis that speaks only TLS on that port: use rediss:\/\//;
    for (const attempt of [() => connectRedis(url), () => connectRedis(url, true), () => checkRedisCredentials(url)]) {
      const refused = attempt();
      await expect(refused).rejects.toBeInstanceOf(ConfigError);
      await expect(refused).rejects.toThrow(tlsOnly);
    }
  }, 60_000);

  it('stops the monitor at start-up, exit 2, naming REDIS_URL, when given redis:// for the TLS-only Redis', () => {
    const checkpoints = mkdtempSync(join(tmpdir(), 'tw-redis-tls-only-'));
    const r = spawnSync('node', [TIDEWATCH, 'monitor', '--redis', `redis://127.0.0.1:${port}`], {
      cwd: root, encoding: 'utf8', timeout: 100_000,
      env: { ...process.env, CHECKPOINT_DIR: checkpoints, METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-redis-tls-only-${process.pid}` },
    });
    rmSync(checkpoints, { recursive: true, force: true });
    expect(r.stderr).toMatch(/invalid configuration: REDIS_URL: redis:\/\/ \(plaintext\) to a Redis that speaks only TLS on that port: use rediss:\/\//);
    expect(r.status).toBe(2);
  }, 120_000);
});

describe('TLS configuration', () => {
  const wrong = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
      return 'accepted';
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  it('names the variable of an unreadable file, a certificate without its key, a key password without its key, and TLS files without TLS', () => {
    expect(wrong({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toMatch(/KAFKA_SSL_CA_FILE: cannot read this file/);
    expect(wrong({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: certs.clientCert })).toMatch(/KAFKA_SSL_KEY_FILE: a client certificate needs its key/);
    expect(wrong({ KAFKA_SSL_CA_FILE: certs.ca })).toMatch(/KAFKA_SSL: KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE need KAFKA_SSL=true/);
    expect(wrong({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_KEY_FILE: certs.clientKey })).toMatch(/REDIS_TLS_KEY_FILE: a client certificate needs its key/);
    expect(wrong({ REDIS_URL: 'redis://h:6379', REDIS_TLS_CA_FILE: certs.ca })).toMatch(/REDIS_URL: REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE need a rediss:\/\/ REDIS_URL/);
    // A key password without its key was silently ignored (newcomer QA, session 43).
    expect(wrong({ KAFKA_SSL: 'true', KAFKA_SSL_KEY_PASSWORD: 'secret' })).toMatch(/KAFKA_SSL_KEY_PASSWORD: a key password needs its key/);
    expect(wrong({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_KEY_PASSWORD: 'secret' })).toMatch(/REDIS_TLS_KEY_PASSWORD: a key password needs its key/);
  });

  it("gives kafkajs the CA, certificate, key and passphrase as TLS options, plain TLS without files, and no TLS when off", () => {
    const ssl = kafkaSsl(loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certs.ca, KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: certs.clientKey, KAFKA_SSL_KEY_PASSWORD: 'k3y' }));
    expect(typeof ssl).toBe('object');
    const o = ssl as { ca: string; cert: string; key: string; passphrase: string };
    expect([o.ca.startsWith('-----BEGIN CERTIFICATE-----'), o.cert.startsWith('-----BEGIN CERTIFICATE-----'), o.key.includes('PRIVATE KEY'), o.passphrase]).toEqual([true, true, true, 'k3y']);
    expect(kafkaSsl(loadConfig({ KAFKA_SSL: 'true' }))).toBe(true);
    expect(kafkaSsl(loadConfig({}))).toBe(false);
  });
});
