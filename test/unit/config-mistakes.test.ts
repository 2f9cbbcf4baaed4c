/**
 * A configuration mistake stops start-up with the variable it concerns named, before anything
 * runs: an empty number (unset, not zero), a broker port out of range, a retention too short, a
 * TLS file that is a directory, a checkpoint directory that cannot be made (Node's recursive
 * mkdir spun for ever under /proc, and the monitor with it, deaf to SIGTERM).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latenessCutEveryMs, loadConfig } from '../../src/config/config.js';
import { configRefusal } from '../helpers/config-refusal.js';
import { makeDirectories, proveWritable } from '../../src/checkpoint/directory-store.js';
import { checkCheckpointDirectory } from '../../src/cli/monitor-wiring.js';
import { root, samplePath } from '../helpers/sample.js';
import { makeTestCerts } from '../helpers/tls-certs.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

describe('configuration mistakes', () => {
  it('refuses SASL credentials without a mechanism (it connected without authentication) and a misspelt variable, naming the one meant', () => {
    expect(configRefusal({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toContain('KAFKA_SASL_MECHANISM: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM');
    expect(configRefusal({ KAFKA_SASL_MECHANISIM: 'plain' })).toContain('KAFKA_SASL_MECHANISIM: not a Tidewatch variable (it would be ignored); did you mean KAFKA_SASL_MECHANISM?');
    expect(configRefusal({ REDIS_TLS_CA: '/x' })).toContain('did you mean REDIS_TLS_CA_FILE?');
    // Other tools' variables with the same prefixes are left alone.
    expect(configRefusal({ KAFKA_HEAP_OPTS: '-Xmx1g', KAFKA_OPTS: '-Dx', TIDEWATCH_CRASH_ROUNDS: '20' })).toBe('accepted');
  });

  it('refuses misspellings of the state bounds and of names outside our prefixes (session 33 QA: ignored, so the defaults held)', () => {
    expect(configRefusal({ STATE_MAX_TRANSFER: '5' })).toContain('STATE_MAX_TRANSFER: not a Tidewatch variable (it would be ignored); did you mean STATE_MAX_TRANSFERS?');
    expect(configRefusal({ STATE_MAX_ADRESSES: '1000' })).toContain('did you mean STATE_MAX_ADDRESSES?');
    expect(configRefusal({ METRIC_PORT: '19999' })).toContain('METRIC_PORT: not a Tidewatch variable (it would be ignored); did you mean METRICS_PORT?');
    expect(configRefusal({ LOGLEVEL: 'debug' })).toContain('did you mean LOG_LEVEL?');
    // A product prefix on one of ours (it connected to the default broker, ignoring the one named).
    expect(configRefusal({ TIDEWATCH_KAFKA_BROKERS: 'kafka:9092' })).toContain('TIDEWATCH_KAFKA_BROKERS: not a Tidewatch variable (it would be ignored); did you mean KAFKA_BROKERS?');
    expect(configRefusal({ TW_REDIS_URL: 'redis://r:6379' })).toContain('did you mean REDIS_URL?');
    // The rest of a usual environment is none of ours.
    expect(configRefusal({ PATH: '/usr/bin', HOME: '/root', HOSTNAME: 'vm', LOGNAME: 'root', NODE_OPTIONS: '', LANG: 'C', TERM: 'xterm', SHELL: '/bin/bash', KUBERNETES_PORT: 'tcp://10.0.0.1:443' })).toBe('accepted');
  });

  it('refuses a Redis database that is no whole number, naming REDIS_URL', () => {
    expect(configRefusal({ REDIS_URL: 'redis://127.0.0.1:6379/abc' })).toContain('REDIS_URL: the database after the host (redis://host:6379/N) must be a whole number from 0');
    expect(loadConfig({ REDIS_URL: 'redis://u:p@127.0.0.1:6379/3' }).REDIS_URL).toBe('redis://u:p@127.0.0.1:6379/3');
  });

  it('refuses TLS files it can read but not use, naming the variable: a CA with no certificate, a passphrase that does not open the key, a key of another certificate', () => {
    const certs = makeTestCerts();
    const encrypted = join(certs.dir, 'client-enc.key');
    execFileSync('openssl', ['pkey', '-in', certs.clientKey, '-aes256', '-passout', 'pass:right-one', '-out', encrypted]);
    const kafka = (env: Record<string, string>): string => configRefusal({ KAFKA_SSL: 'true', ...env });
    expect(kafka({ KAFKA_SSL_CA_FILE: samplePath })).toContain('KAFKA_SSL_CA_FILE: holds no PEM certificate');
    expect(kafka({ KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: encrypted, KAFKA_SSL_KEY_PASSWORD: 'wrong' })).toContain('KAFKA_SSL_KEY_PASSWORD: does not decrypt the key in KAFKA_SSL_KEY_FILE');
    expect(kafka({ KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: encrypted })).toContain('KAFKA_SSL_KEY_PASSWORD: the key in KAFKA_SSL_KEY_FILE is encrypted');
    expect(kafka({ KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: certs.serverKey })).toContain('KAFKA_SSL_KEY_FILE: is not the key of the certificate in KAFKA_SSL_CERT_FILE');
    expect(kafka({ KAFKA_SSL_CA_FILE: certs.ca, KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: encrypted, KAFKA_SSL_KEY_PASSWORD: 'right-one' })).toBe('accepted');
    expect(configRefusal({ REDIS_URL: 'rediss://127.0.0.1:6380', REDIS_TLS_CA_FILE: certs.clientKey })).toContain('REDIS_TLS_CA_FILE: holds no PEM certificate');
  });

  it('names the passphrase for every wrong one, also the one in about 256 whose garbage passes the decryption\'s padding check and fails to decode (it named the key file)', async () => {
    const { tlsMaterialErrors } = await import('../../src/config/tls.js');
    const certs = makeTestCerts();
    const encrypted = join(certs.dir, 'client-enc-many.key');
    execFileSync('openssl', ['pkey', '-in', certs.clientKey, '-aes256', '-passout', 'pass:right-one', '-out', encrypted]);
    const names = { ca: 'KAFKA_SSL_CA_FILE', cert: 'KAFKA_SSL_CERT_FILE', key: 'KAFKA_SSL_KEY_FILE', passphrase: 'KAFKA_SSL_KEY_PASSWORD' };
    // 1,500 wrong passphrases: the chance that none lands on the padding case is about 0.3%.
    const variables = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      for (const [variable] of tlsMaterialErrors({ cert: certs.clientCert, key: encrypted, passphrase: `wrong-${i}` }, names)) variables.add(variable);
    }
    expect([...variables]).toEqual(['KAFKA_SSL_KEY_PASSWORD']);
  });

  it('reads CONSOLE_TRUST_PROXY as off, true or the proxies\' addresses, and refuses anything else naming it (a hop count, which Fastify 5 ignores, included)', () => {
    expect(loadConfig({}).CONSOLE_TRUST_PROXY).toBe(false);
    expect(loadConfig({ CONSOLE_TRUST_PROXY: 'off' }).CONSOLE_TRUST_PROXY).toBe(false);
    expect(loadConfig({ CONSOLE_TRUST_PROXY: 'true' }).CONSOLE_TRUST_PROXY).toBe(true);
    expect(loadConfig({ CONSOLE_TRUST_PROXY: '10.0.0.5, 10.0.1.0/24,::1,loopback' }).CONSOLE_TRUST_PROXY).toEqual(['10.0.0.5', '10.0.1.0/24', '::1', 'loopback']);
    expect(configRefusal({ CONSOLE_TRUST_PROXY: '2' })).toMatch(/^invalid configuration: CONSOLE_TRUST_PROXY: a hop count is not trusted/);
    for (const bad of ['yes', '10.0.0.300', '10.0.0.0/33', '10.0.0.5,proxy.internal', '10.0.0.5/']) expect(configRefusal({ CONSOLE_TRUST_PROXY: bad }), bad).toMatch(/^invalid configuration: CONSOLE_TRUST_PROXY: expected off, true, or the proxies' addresses/);
  });

  it('exits 2 naming CONSOLE_TRUST_PROXY when the console is started with a bad one', () => {
    const r = spawnSync('node', [TIDEWATCH, 'console', '--demo', '--port', '0'], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, CONSOLE_TRUST_PROXY: 'yes' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^invalid configuration: CONSOLE_TRUST_PROXY: /);
  }, 60_000);

  it('refuses a lateness cut grid finer than the lateness, naming MONITOR_LATENESS_CUT_MS, and gives the default grid as ten lateness spans, at least 10 minutes', () => {
    expect(configRefusal({ MONITOR_LATENESS_MS: '3600000', MONITOR_LATENESS_CUT_MS: '1800000' })).toContain('MONITOR_LATENESS_CUT_MS: MONITOR_LATENESS_CUT_MS must be 0 (the default grid) or at least MONITOR_LATENESS_MS');
    expect(configRefusal({ MONITOR_LATENESS_CUT_MS: '1000' })).toContain('MONITOR_LATENESS_CUT_MS:');
    expect(latenessCutEveryMs(loadConfig({ MONITOR_LATENESS_MS: '3600000' }))).toBe(36_000_000);
    expect(latenessCutEveryMs(loadConfig({ MONITOR_LATENESS_MS: '1000' }))).toBe(600_000);
    expect(latenessCutEveryMs(loadConfig({ MONITOR_LATENESS_MS: '3600000', MONITOR_LATENESS_CUT_MS: '7200000' }))).toBe(7_200_000);
  });

  it('reads a number set to nothing as unset, not as zero', () => {
    const config = loadConfig({ MONITOR_HOLD_MS: '', METRICS_PORT: ' ', CHECKPOINT_JOURNAL_EVERY_SECONDS: '' });
    expect([config.MONITOR_HOLD_MS, config.METRICS_PORT, config.CHECKPOINT_JOURNAL_EVERY_SECONDS]).toEqual([2000, 9464, 5]);
    expect(loadConfig({ CHECKPOINT_DIR: '', KAFKA_INPUT_RETENTION_MS: '-1' }).CHECKPOINT_DIR).toBe(''); // an empty text keeps its meaning (checkpoints off)
  });

  it('says what was typed when a number does not parse, not the NaN it became', () => {
    expect(configRefusal({ MONITOR_HOLD_MS: 'abc' })).toBe('invalid configuration: MONITOR_HOLD_MS: Invalid input: expected number, not "abc"');
  });

  it('refuses a number written in hex, binary, octal or with an exponent, naming the variable (Number() read 0x10 as 16)', () => {
    expect(configRefusal({ MONITOR_HOLD_MS: '0x10' })).toBe('invalid configuration: MONITOR_HOLD_MS: a number is written in plain decimal digits, not "0x10"');
    expect(configRefusal({ CHECKPOINT_KEEP: '1e1', METRICS_PORT: '0b11', CONSOLE_PORT: '0o17' })).toBe('invalid configuration: METRICS_PORT: a number is written in plain decimal digits, not "0b11"; CONSOLE_PORT: a number is written in plain decimal digits, not "0o17"; CHECKPOINT_KEEP: a number is written in plain decimal digits, not "1e1"');
    expect(loadConfig({ CONSOLE_SESSION_HOURS: ' 0.5 ', KAFKA_INPUT_RETENTION_MS: '-1', MONITOR_HOLD_MS: '0' })).toMatchObject({ CONSOLE_SESSION_HOURS: 0.5, KAFKA_INPUT_RETENTION_MS: -1, MONITOR_HOLD_MS: 0 });
  });

  it('says that checkpoints are off when an empty CHECKPOINT_DIR meets a finite input retention (it named only the checkpoint interval)', () => {
    expect(configRefusal({ CHECKPOINT_DIR: '' })).toBe('invalid configuration: KAFKA_INPUT_RETENTION_MS: must be -1 (infinite) while checkpoints are off (CHECKPOINT_DIR is empty): every start re-reads the input from its first offset');
    expect(configRefusal({ CHECKPOINT_DIR: '', KAFKA_INPUT_RETENTION_MS: '-1' })).toBe('accepted');
    expect(configRefusal({ KAFKA_INPUT_RETENTION_MS: '60000' })).toMatch(/KAFKA_INPUT_RETENTION_MS: must be -1 \(infinite\) or longer than CHECKPOINT_KEEP/);
  });

  it('refuses a broker port past 65535, naming KAFKA_BROKERS', () => {
    expect(configRefusal({ KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:99999' })).toBe('invalid configuration: KAFKA_BROKERS: a port is 1 to 65535');
  });

  it('names the retention that is too short, not another one', () => {
    const message = configRefusal({ KAFKA_ALERT_RETENTION_MS: '60000' });
    expect(message).toContain('KAFKA_ALERT_RETENTION_MS: topic retentions are -1');
    expect(message).not.toContain('KAFKA_INPUT_RETENTION_MS');
  });

  it('refuses a TLS file that is a directory, naming it', () => {
    expect(configRefusal({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: tmpdir() })).toBe('invalid configuration: KAFKA_SSL_CA_FILE: cannot read this file (a PEM certificate or key)');
  });
});

describe('the checkpoint directory', () => {
  it('is made with its parents and proved writable', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tw-dirs-')), 'a', 'b', 'c');
    await proveWritable(dir);
    await makeDirectories(dir); // again: nothing to do
  });

  it('fails at once where a parent refuses children (under /proc), and where a parent is a file', async () => {
    await expect(makeDirectories('/proc/tidewatch-nope/x')).rejects.toMatchObject({ code: 'ENOENT' });
    const file = join(mkdtempSync(join(tmpdir(), 'tw-dirs-')), 'plain');
    writeFileSync(file, '');
    await expect(makeDirectories(join(file, 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('that cannot be written stops start-up naming CHECKPOINT_DIR', async () => {
    const config = loadConfig({ CHECKPOINT_DIR: '/proc/tidewatch-nope' });
    await expect(checkCheckpointDirectory(config, 'i-1')).rejects.toThrow(/^invalid configuration: CHECKPOINT_DIR: checkpoints cannot be written to \/proc\/tidewatch-nope\//);
  });
});

describe('replay windows', () => {
  const replay = (args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync('node', [TIDEWATCH, 'replay', ...args], { cwd: root, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };

  it('refuses --since on a file replay, which would ignore it, and a window that ends before it starts', () => {
    const onFiles = replay([samplePath, '--since', '2025-01-10T00:00:00Z', '--alerts', join(tmpdir(), 'tw-never.jsonl')]);
    expect([onFiles.status, onFiles.stderr.trim()]).toEqual([2, 'tidewatch: --since and --until select a window of topics read with --from-kafka; a file replay reads its whole files (cut the file, or write a checkpoint with --checkpoint-out and start from it)']);
    const backwards = replay(['--from-kafka', '--since', '2025-03-01T00:00:00Z', '--until', '2025-02-01T00:00:00Z']);
    expect([backwards.status, backwards.stderr.trim()]).toEqual([2, 'tidewatch: --since 2025-03-01T00:00:00Z is not before --until 2025-02-01T00:00:00Z: the window would hold nothing']);
  });
});
