import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where generated streams are written; each benchmark deletes its files when done (the long one is
 * ~1 GB). One folder per process, so benchmarks run side by side never share or delete a file.
 */
export function benchFile(name: string): string {
  const dir = join(tmpdir(), `tidewatch-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}
