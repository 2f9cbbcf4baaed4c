/**
 * KAFKA_STARTUP_TIMEOUT_MS is one limit for the whole start-up (topic creation, the topic-leader
 * wait, the broker-position reads), and the monitor that runs out of it exits 1 naming the
 * variable, KAFKA_BROKERS and the step it was at. Each step had the limit of its own before, so a
 * start could take about three times it, and the error did not say where it stopped (session 64
 * review). The brokers here accept no Kafka: a TCP server that accepts and never answers, and a
 * port nothing listens on. Asserted on the exit and its message, never on the time taken.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const accepted: Socket[] = [];
let silent: Server | undefined;

afterAll(async () => {
  for (const s of accepted) s.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
});

/** Runs `tidewatch monitor` against `brokers` until it exits (the test's own server keeps answering connections meanwhile). */
function monitorAgainst(brokers: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [TIDEWATCH, 'monitor'], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: brokers, KAFKA_SSL: 'false', KAFKA_STARTUP_TIMEOUT_MS: '3000', CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tw-startup-deadline-')), METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-startup-deadline-${process.pid}` },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** The `monitor could not start` line's error. */
function startError(output: string): string {
  for (const line of output.split('\n')) {
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: string };
      if (entry.msg === 'monitor could not start') return entry.err ?? '';
    } catch { /* not a log line */ }
  }
  return '';
}

describe('monitor start-up against brokers that speak no Kafka (one KAFKA_STARTUP_TIMEOUT_MS for the whole start)', () => {
  it('exits 1 naming KAFKA_STARTUP_TIMEOUT_MS as the limit of the whole start-up, KAFKA_BROKERS and the step, when the broker accepts and never answers', async () => {
    silent = createServer((socket) => { accepted.push(socket); socket.on('error', () => undefined); });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', () => resolve()));
    const brokers = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const r = await monitorAgainst(brokers);
    expect(r.code, r.output).toBe(1);
    expect(accepted.length).toBeGreaterThan(0);
    expect(startError(r.output)).toMatch(new RegExp(`^start-up ran out of KAFKA_STARTUP_TIMEOUT_MS \\(3000 ms, one limit for the whole start-up\\) while creating the topics \\(the brokers at KAFKA_BROKERS=${brokers} did not answer\\): `));
  });

  it('exits 1 the same way when nothing listens at KAFKA_BROKERS', async () => {
    const brokers = `127.0.0.1:${await freePort()}`;
    const r = await monitorAgainst(brokers);
    expect(r.code, r.output).toBe(1);
    expect(startError(r.output)).toMatch(new RegExp(`^start-up ran out of KAFKA_STARTUP_TIMEOUT_MS \\(3000 ms, one limit for the whole start-up\\) while creating the topics \\(the brokers at KAFKA_BROKERS=${brokers} did not answer\\): `));
  });
});
