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
const globalSetup = ['test/build-sources.ts'];
const together = { globalSetup, maxWorkers: 4, sequence: { groupOrder: 0 } };

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, ...together } },
      { test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000, ...together } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: exclusive, testTimeout: 120_000, hookTimeout: 120_000, ...together } },
      { test: { name: 'integration-exclusive', include: exclusive, globalSetup, testTimeout: 120_000, hookTimeout: 120_000, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
