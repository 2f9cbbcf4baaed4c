/**
 * A monitor given Redis credentials that Redis refuses must stop at start-up naming REDIS_URL.
 * It used to start, rebuild and apply its input, then exit with "publishing a slot failed" and
 * be restarted by its supervisor to do the same again: a crash loop that named nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TIDEWATCH } from '../helpers/built-sources.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const redisHost = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').host;

function monitorWith(redisUrl: string): { status: number | null; stderr: string } {
  const r = spawnSync('node', [TIDEWATCH, 'monitor', '--redis', redisUrl], {
    cwd: root, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tw-redis-creds-')), METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-redis-creds-${process.pid}` },
  });
  return { status: r.status, stderr: r.stderr };
}

describe('monitor start-up against Redis', () => {
  it('stops at once, exit 2, naming REDIS_URL, when Redis refuses the user and password (and hides the password)', () => {
    const r = monitorWith(`redis://nobody:not-the-password@${redisHost}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/REDIS_URL: Redis refused the credentials \(.*WRONGPASS/);
    expect(r.stderr).not.toContain('not-the-password');
  });

  it('stops at once, exit 2, naming REDIS_URL, when Redis has no such database (it wrote the case queue into database 0)', () => {
    const r = monitorWith(`redis://${redisHost}/99`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/REDIS_URL: Redis refused the database it names \(.*DB index is out of range/);
  });
});
