/** Where vitest's global setup (test/build-sources.ts) puts the transpiled sources, and the `tidewatch` command in them. */
import { fileURLToPath } from 'node:url';

export const BUILT_SOURCES = fileURLToPath(new URL('../../.test-build/', import.meta.url));
/** `node <TIDEWATCH> <args>` runs `tidewatch <args>` from the sources as they were when the run started. */
export const TIDEWATCH = fileURLToPath(new URL('../../.test-build/cli/main.js', import.meta.url));
/** Where the global setup puts the test helpers that commands preload (skewed-clock.js). */
export const BUILT_TEST_HELPERS = fileURLToPath(new URL('../../.test-build/test-helpers/', import.meta.url));
