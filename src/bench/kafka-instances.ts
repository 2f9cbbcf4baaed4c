/**
 * bench:kafka's scale-out figure: N monitor processes in one group on the same pre-filled topics,
 * timed from their start until every publishing slot's cursor covers every input partition's
 * high watermark (the moment the last alert is published). Each run writes to its own alert
 * topic, so the alert sets of one and of two instances can be compared. CPU comes from
 * /proc: the monitors' and the broker's, so the broker's share of this 2-core machine shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { YOUNG_GENERATION_FLAG } from '../config/node-flags.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaClient } from '../kafka/client.js';
import { committedCursor, offsetRanges } from '../monitor/broker-positions.js';

export interface InstancesRun {
  instances: number;
  seconds: number;
  /** Input messages per second of wall clock, all instances together. */
  rate: number;
  /** The alert topic's values, sorted. */
  alerts: string[];
  monitorCpuSeconds: number;
  brokerCpuSeconds: number | undefined;
}

const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in seconds (Linux /proc); undefined when unreadable. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export async function runInstances(kafka: KafkaClient, opts: { topics: string[]; alertTopic: string; group: string; instances: number; brokerPid?: number; env: Record<string, string>; timeoutMs: number }): Promise<InstancesRun> {
  const admin = kafka.admin();
  await admin.connect();
  const checkpoints = mkdtempSync(join(tmpdir(), 'tw-bench-instances-'));
  const children: ChildProcess[] = [];
  const lastLines = new Map<ChildProcess, string[]>();
  const cpuAtExit = new Map<number, number>();
  try {
    const highs = await offsetRanges(admin, opts.topics);
    const slots = [...highs.keys()].filter((pk) => pk.startsWith(`${opts.topics[0]}/`)).length;
    const brokerBefore = opts.brokerPid ? processCpuSeconds(opts.brokerPid) : undefined;
    const started = performance.now();
    for (let i = 0; i < opts.instances; i++) {
      const child = spawn(process.execPath, [YOUNG_GENERATION_FLAG, 'dist/cli/main.js', 'monitor', '--topics', opts.topics.join(','), '--alert-topic', opts.alertTopic, '--group', opts.group, '--instance', `i${i}`, '--metrics-port', '0'], {
        env: { ...process.env, LOG_LEVEL: 'warn', CHECKPOINT_DIR: checkpoints, ...opts.env }, stdio: ['ignore', 'pipe', 'inherit'],
      });
      keepLastLines(child, lastLines);
      children.push(child);
    }
    const covered = async (): Promise<boolean> => {
      for (let s = 0; s < slots; s++) {
        const cursor = await committedCursor(admin, opts.group, s, opts.topics);
        for (const [pk, range] of highs) if (range.high > 0n && (cursor.get(pk) ?? 0n) < range.high) return false;
      }
      return true;
    };
    const deadline = Date.now() + opts.timeoutMs;
    while (!(await covered())) {
      if (Date.now() > deadline) throw new Error(`${opts.instances} instance(s) did not catch up within ${opts.timeoutMs / 1000} s`);
      const exited = children.find((c) => c.exitCode !== null);
      if (exited) throw new Error(`a monitor exited during the benchmark (code ${exited.exitCode}); its last log lines:\n${(lastLines.get(exited) ?? []).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    for (const c of children) cpuAtExit.set(c.pid!, processCpuSeconds(c.pid!) ?? 0);
    const brokerAfter = opts.brokerPid ? processCpuSeconds(opts.brokerPid) : undefined;
    const messages = [...highs.values()].reduce((n, r) => n + Number(r.high - r.low), 0);
    return {
      instances: opts.instances, seconds, rate: messages / seconds,
      alerts: await readTopic(kafka, opts.alertTopic),
      monitorCpuSeconds: [...cpuAtExit.values()].reduce((a, b) => a + b, 0),
      brokerCpuSeconds: brokerBefore !== undefined && brokerAfter !== undefined ? brokerAfter - brokerBefore : undefined,
    };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await admin.disconnect();
    rmSync(checkpoints, { recursive: true, force: true });
  }
}

/**
 * Every committed value of a topic, sorted, up to the end offsets at call. Positions come from
 * the END_BATCH_PROCESS event, which counts transaction markers that are never delivered.
 */
async function readTopic(kafka: KafkaClient, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const positions = new Map<number, bigint>();
  const reached = (): boolean => [...ends].every(([p, end]) => end === 0n || (positions.get(p) ?? 0n) >= end);
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${process.pid}`, readUncommitted: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const next = BigInt(e.payload.lastOffset) + 1n;
    if (next > (positions.get(e.payload.partition) ?? 0n)) positions.set(e.payload.partition, next);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { values.push(message.value!.toString('utf8')); } });
    const deadline = Date.now() + 120_000;
    while (!reached()) {
      if (Date.now() > deadline) throw new Error(`a read of ${topic} to its end did not finish within 120 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return values.sort();
}

/** Lines a monitor's log keeps for the benchmark's error when it exits (warnings and errors only, at LOG_LEVEL=warn). */
const LINES_KEPT = 20;

/** Keeps the child's last LINES_KEPT stdout lines in `into`, so a monitor that exits says why. */
function keepLastLines(child: ChildProcess, into: Map<ChildProcess, string[]>): void {
  const lines: string[] = [];
  into.set(child, lines);
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > LINES_KEPT) lines.splice(0, lines.length - LINES_KEPT);
  });
}
