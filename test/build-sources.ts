/**
 * Vitest's global setup: transpiles src/ once per run into .test-build/ (esbuild, what tsx does in
 * every process it starts), for the `tidewatch` commands and monitors the tests start as child
 * processes (test/helpers/tidewatch-cli.ts). Started with `--import tsx`, each of those spent about
 * 0.6 s of CPU more than plain JavaScript loading the module graph through tsx's hooks, hundreds of
 * times a run.
 *
 * .test-build/ sits beside src/, so that paths the code finds from its own place (`../../rules`,
 * `../../data`, `../../src/cases/lua`) resolve as they do from src/ and dist/. A file is written
 * only when its text changed, by a rename, so a run beside another in the same checkout never
 * reads a half-written file. In watch mode the sources are transpiled again before each rerun.
 * The test helper a command preloads to skew its clock (helpers/skewed-clock.ts) is transpiled
 * with them, into .test-build/test-helpers/: loaded through tsx instead, it cost each such command
 * tsx's hooks as well.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { BUILT_SOURCES, BUILT_TEST_HELPERS } from './helpers/built-sources.js';
import { root } from './helpers/sample.js';

/** Test helpers that commands started by the tests preload (`node --import`). */
const PRELOADED_HELPERS = ['skewed-clock.ts'];

async function transpile(entryPoints: string[], outdir: string, outbase: string): Promise<void> {
  const { outputFiles } = await build({ entryPoints, outdir, outbase, format: 'esm', platform: 'node', target: 'node20', tsconfig: join(root, 'tsconfig.json'), write: false, logLevel: 'error' });
  for (const file of outputFiles) {
    let old: string | undefined;
    try {
      old = readFileSync(file.path, 'utf8');
    } catch {
      old = undefined;
    }
    if (old === file.text) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.text);
    renameSync(temporary, file.path);
  }
}

async function transpileSources(): Promise<void> {
  const src = join(root, 'src');
  const entryPoints = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(src, f));
  await transpile(entryPoints, BUILT_SOURCES, src);
  const helpers = join(root, 'test', 'helpers');
  await transpile(PRELOADED_HELPERS.map((f) => join(helpers, f)), BUILT_TEST_HELPERS, helpers);
}

export default async function setup(project: TestProject): Promise<void> {
  await transpileSources();
  project.onTestsRerun(transpileSources);
}
