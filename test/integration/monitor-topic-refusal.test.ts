/**
 * A monitor whose topics the brokers refuse to create (a replication factor above the cluster's
 * broker count, a name Kafka does not allow) stops at once, exit 2, naming the setting and the
 * broker's reason (session 40 QA: it retried "Topic creation errors" for KAFKA_STARTUP_TIMEOUT_MS,
 * then exited 1 saying the brokers did not answer).
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
});
