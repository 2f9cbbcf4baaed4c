import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/sequencer.js';

// Four files at a time, across the unit, browser and integration projects (one group), on a
// 2-core machine: an integration file spends much of its time waiting on Kafka group changes,
// sessions and holds, so CPU-bound unit files run beside it (each integration file uses its own
// topics, groups and Redis key prefix). The sequencer starts the longest files first and spreads
// the integration and browser files over the whole run (test/sequencer.ts). The broker-restart file
// stops and starts the shared broker, so it runs alone, after everything else (groupOrder 1).
// Vitest runs projects of one group with one worker count, so the three share `maxWorkers`.
// Each project's global setup transpiles src/ once for the commands the tests start (test/build-sources.ts).
const exclusive = ['test/integration/monitor-broker-restart.test.ts'];
// The unit files share their workers' module graphs (isolate: false): a worker goes on to the next
// unit file with the modules the last one loaded, instead of a fresh process importing src/ again
// (session 62's CI put 720 s of the workers' time in imports). Vitest keeps a worker only while the
// next file queued is of the same project, so an integration or browser file between unit files
// starts a fresh one. Two unit files run in a fresh worker each: one replaces a module (vi.mock),
// which no other file may see or load before it; one writes a heap snapshot of its own process,
// which in a shared worker holds every earlier file's modules and leftovers (774 s in one run beside
// other work, at a load of 30). The unit files restore what they change (process.env, umask, spies,
// fake timers), and vitest restores spies after each file.
const ownModules = ['test/unit/review56-pointed-view-stale-reads.test.ts', 'test/unit/heap-retained.test.ts'];
const globalSetup = ['test/build-sources.ts'];
const together = { globalSetup, maxWorkers: 4, sequence: { groupOrder: 0 } };

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ownModules, isolate: false, testTimeout: 60_000, hookTimeout: 60_000, ...together } },
      { test: { name: 'unit-isolated', include: ownModules, testTimeout: 60_000, hookTimeout: 60_000, ...together } },
      { test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000, ...together } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: exclusive, testTimeout: 120_000, hookTimeout: 120_000, ...together } },
      { test: { name: 'integration-exclusive', include: exclusive, globalSetup, testTimeout: 120_000, hookTimeout: 120_000, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
