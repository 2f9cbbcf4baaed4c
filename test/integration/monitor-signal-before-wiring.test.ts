/**
 * A SIGTERM while the monitor command is still checking its connections (before anything is
 * wired, read or written) ends it with status 0, as a stop does, not by the signal (session 40
 * QA: a SIGTERM in the first two seconds gave status 143). Redis here is a server that accepts the
 * connection and never answers, so the start-up stays in its Redis check until the signal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const sockets: Socket[] = [];
let silent: Server | undefined;

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
});

/** Whether the process has a handler installed for SIGTERM (Linux: bit 15 of SigCgt in /proc/<pid>/status). */
function catchesSigterm(pid: number): boolean {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('SigCgt:'));
    return line !== undefined && (BigInt(`0x${line.slice(7).trim()}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

describe('monitor command, signalled before it is wired', () => {
  it('exits 0 on SIGTERM during its start-up checks', async () => {
    silent = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as { port: number }).port;
    const child = spawn('node', [TIDEWATCH, 'monitor'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}`, CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tw-early-signal-')), METRICS_PORT: '0', KAFKA_GROUP_ID: `tw-early-signal-${process.pid}` },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // Wait (on the condition, not a sleep) until the command has its handler and holds a Redis connection.
    const deadline = Date.now() + 60_000;
    while (!(catchesSigterm(child.pid!) && sockets.length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sockets.length, output).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
  }, 90_000);
});
