import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFiles } from '../../src/replay/replay.js';
import { serialiseAlert } from '../../src/sinks/serialise.js';
import { caughtUp, deleteRun, newRun, produceSample, readAll, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { ofacLabels, root, rules, samplePath } from '../helpers/sample.js';

/** Only a broker that services:up started (its pid file exists) can be restarted by a test. */
const ownBroker = existsSync(`${root}.cache/kafka/broker.pid`);
const run: Run = newRun();
let expectedAlerts: string[];

beforeAll(async () => {
  expectedAlerts = (await replayFiles({ files: [samplePath], rules: rules(), labels: ofacLabels() })).alerts.map(serialiseAlert).sort();
});

afterAll(async () => {
  await deleteRun(run).catch(() => undefined);
});

describe.skipIf(!ownBroker)('monitor across a broker restart (real Kafka)', () => {
  it('recovers when the broker restarts mid-stream: the alert topic still equals a file replay', async () => {
    await produceSample(run);
    let monitor: ChildProcess = startMonitor(run);
    let restarts = 0;
    // A supervisor, as systemd or Kubernetes would be: a monitor that exits is started again.
    const supervise = (): void => {
      monitor.once('exit', (code) => {
        if (code !== 0 && code !== null) { restarts++; monitor = startMonitor(run); supervise(); }
      });
    };
    supervise();
    await new Promise((r) => setTimeout(r, 3000));
    execFileSync('bash', ['infra/services-down.sh'], { cwd: root, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 2000));
    execFileSync('bash', ['infra/services-up.sh'], { cwd: root, stdio: 'ignore' });
    await waitFor(() => caughtUp(run).catch(() => false), 150_000);
    expect((await readAll(run.alertTopic)).sort()).toEqual(expectedAlerts);
    monitor.removeAllListeners('exit');
    await stopMonitor(monitor, 'SIGTERM');
    console.log(`broker restart: monitor restarted by the supervisor ${restarts} time(s)`);
  }, 300_000);
});
