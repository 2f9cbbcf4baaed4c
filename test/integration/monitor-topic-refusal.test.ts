/**
 * A monitor whose topics the brokers refuse to create (a replication factor above the cluster's
 * broker count, a name Kafka does not allow) stops at once, exit 2, naming the setting and the
 * broker's reason (session 40 QA: it retried "Topic creation errors" for KAFKA_STARTUP_TIMEOUT_MS,
 * then exited 1 saying the brokers did not answer). Since session 59 also an ownership topic that
 * does not exist, and topics that would make it read what it writes (its alerts or dead letters).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

function startMonitor(env: Record<string, string>, args: string[]): { status: number | null; output: string } {
  const r = spawnSync('node', [TIDEWATCH, 'monitor', ...args], {
    cwd: root, encoding: 'utf8', timeout: 110_000,
    env: { ...process.env, KAFKA_STARTUP_TIMEOUT_MS: '100000', CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tw-topic-refusal-')), METRICS_PORT: '0', ...env },
  });
  return { status: r.status, output: r.stderr + r.stdout };
}

describe('monitor start-up when the brokers refuse to create its topics', () => {
  it('stops at once, exit 2, naming KAFKA_TOPIC_REPLICATION when it is more than the brokers', () => {
    const id = randomUUID().slice(0, 8);
    const r = startMonitor({ KAFKA_TOPIC_REPLICATION: '3', KAFKA_GROUP_ID: `tw-refusal-${id}` }, ['--topics', `tw-refusal-${id}-a`, '--alert-topic', `tw-refusal-${id}-alerts`]);
    expect(r.status, r.output).toBe(2);
    expect(r.output).toMatch(/the brokers refused to create the topics: tw-refusal-[0-9a-f]+-\S+: INVALID_REPLICATION_FACTOR .*check KAFKA_TOPIC_REPLICATION/);
    expect(r.output).not.toMatch(/did not answer/);
  }, 120_000);

  it('stops at once, exit 2, naming the topic Kafka does not allow', () => {
    const id = randomUUID().slice(0, 8);
    const r = startMonitor({ KAFKA_GROUP_ID: `tw-refusal-${id}` }, ['--topics', `tw-refusal-${id} bad`, '--alert-topic', `tw-refusal-${id}-alerts`]);
    expect(r.status, r.output).toBe(2);
    expect(r.output).toMatch(/INVALID_TOPIC_EXCEPTION/);
  }, 120_000);

  it('stops at once, exit 2, naming --ownership-topic when that topic does not exist (session 59 QA: kafkajs\' "This server does not host this topic-partition", exit 1, naming nothing)', () => {
    const id = randomUUID().slice(0, 8);
    const r = startMonitor({ KAFKA_GROUP_ID: `tw-refusal-${id}` }, ['--topics', `tw-refusal-${id}-a`, '--alert-topic', `tw-refusal-${id}-alerts`, '--ownership-topic', `tw-refusal-${id}-nowhere`]);
    expect(r.status, r.output).toBe(2);
    expect(r.output).toContain(`--ownership-topic: the topic tw-refusal-${id}-nowhere does not exist`);
    expect(r.output).not.toMatch(/does not host this topic-partition/);
  }, 120_000);
});

describe('monitor start-up with topics that make it read what it writes (session 59 QA: it started)', () => {
  const refusal = (args: string[]): { status: number | null; output: string } => startMonitor({ KAFKA_GROUP_ID: `tw-refusal-${randomUUID().slice(0, 8)}`, KAFKA_BROKERS: '127.0.0.1:1', KAFKA_STARTUP_TIMEOUT_MS: '2000' }, args);

  it('refuses an alert topic that is also an input topic, exit 2, naming --alert-topic, before it connects', () => {
    const r = refusal(['--topics', 'tw-choice.exchange.deposits,tw-choice.exchange.logins', '--alert-topic', 'tw-choice.exchange.logins']);
    expect(r.status, r.output).toBe(2);
    expect(r.output).toContain('--alert-topic: tw-choice.exchange.logins is also an input topic (--topics)');
    expect(r.output).not.toMatch(/connecting to the brokers/);
  });

  it('refuses an alert topic that is an input\'s dead-letter topic, and an input that is another\'s dead-letter topic', () => {
    expect(refusal(['--topics', 'tw-choice.a', '--alert-topic', 'tw-choice.a.dlq']).output).toContain('--alert-topic: tw-choice.a.dlq is the dead-letter topic of the input tw-choice.a');
    const r = refusal(['--topics', 'tw-choice.a,tw-choice.a.dlq,tw-choice.b', '--alert-topic', 'tw-choice.alerts']);
    expect(r.status, r.output).toBe(2);
    expect(r.output).toContain('--topics: tw-choice.a.dlq is the dead-letter topic of the input tw-choice.a');
  });
});
