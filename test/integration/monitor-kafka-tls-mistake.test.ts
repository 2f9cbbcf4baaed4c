/**
 * A monitor told KAFKA_SSL=true for the plaintext broker stops at once, exit 2, naming KAFKA_SSL
 * (security QA, session 28: it logged nothing for 38 to 58 s, then exited 1 naming nothing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

describe('monitor start-up with TLS against a plaintext broker', () => {
  it('stops at once, exit 2, naming KAFKA_SSL, before any Kafka client retries', () => {
    const r = spawnSync('node', [TIDEWATCH, 'monitor'], {
      cwd: root, encoding: 'utf8', timeout: 110_000,
      env: { ...process.env, KAFKA_SSL: 'true', KAFKA_STARTUP_TIMEOUT_MS: '100000', CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tw-kafka-tls-')), METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-kafka-tls-${process.pid}` },
    });
    expect(r.status).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/invalid configuration: KAFKA_SSL, KAFKA_BROKERS: the broker closed the connection on the TLS hello/);
    expect(r.stderr + r.stdout).not.toContain('waiting for topic leaders');
  });
});
