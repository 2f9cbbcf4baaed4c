/**
 * Checkpoints as files in a local directory. A new one is written to `<name>.tmp`, fsynced,
 * renamed to `<name>` and the directory fsynced, so after a crash at any point the directory
 * holds whole checkpoints only (and at worst a stale .tmp, removed by the next write).
 */
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { newestFirst, type CheckpointSink, type CheckpointStore } from './store.js';

export interface DirectoryStoreOptions {
  /**
   * Removes the `.tmp` files a crash left, once, before this instance's first write. Off for a
   * second writer of the same directory (a fold in a worker thread, fold.ts), whose first write
   * would otherwise remove the first writer's file in progress. @defaultValue true
   */
  removeStaleTemporaries?: boolean;
}

/**
 * Creates `dir` and any missing parents, one level at a time. Node's recursive mkdir loops for
 * ever where a parent exists but refuses children with ENOENT (a path under /proc): a monitor
 * given such a CHECKPOINT_DIR spun at full CPU and ignored SIGTERM.
 */
export async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if ((await stat(at)).isDirectory()) break;
      throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw err;
      missing.push(at);
    }
  }
  for (const at of missing.reverse()) {
    // Owner only: checkpoints and journals hold the state and raw input (account ids, sessions).
    await mkdir(at, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

/** Makes the directory and writes and removes a file in it: what checkpoints will need, tried before they are. */
export async function proveWritable(dir: string): Promise<void> {
  await makeDirectories(dir);
  const probe = join(dir, `.tidewatch-write-test-${process.pid}`);
  const handle = await open(probe, 'w');
  await handle.close();
  await rm(probe, { force: true });
}

export class DirectoryStore implements CheckpointStore {
  private staleRemoved: boolean;

  constructor(readonly dir: string, options: DirectoryStoreOptions = {}) {
    this.staleRemoved = options.removeStaleTemporaries === false;
  }

  async list(): Promise<string[]> {
    try {
      return newestFirst(await readdir(this.dir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async create(name: string): Promise<CheckpointSink> {
    await makeDirectories(this.dir);
    if (!this.staleRemoved) {
      // Once: after that, a .tmp here is a write in progress (this writer's aborts remove their own).
      this.staleRemoved = true;
      await this.removeStaleTemporaries();
    }
    const final = this.locate(name);
    const temporary = this.temporary(name);
    const handle = await open(temporary, 'w', 0o600); // owner only, whatever the umask allows
    return {
      write: (chunk) => writeAll(handle, chunk),
      commit: async () => {
        await handle.sync();
        await handle.close();
        await rename(temporary, final);
        await syncDirectory(this.dir);
      },
      abort: async () => {
        await handle.close().catch(() => undefined);
        await rm(temporary, { force: true });
      },
    };
  }

  read(name: string): AsyncIterable<Uint8Array> {
    return createReadStream(this.locate(name), { highWaterMark: 1 << 20 });
  }

  async remove(name: string): Promise<void> {
    await rm(this.locate(name), { force: true });
  }

  locate(name: string): string {
    return join(this.dir, name);
  }

  /** Renames the file (or whatever holds the name) to `<name>.refused`, or `.refused-2`, … when that is taken. */
  async setAside(name: string): Promise<string> {
    for (let n = 1; ; n++) {
      const target = `${this.locate(name)}.refused${n === 1 ? '' : `-${n}`}`;
      if (await exists(target)) continue;
      await rename(this.locate(name), target);
      await syncDirectory(this.dir);
      return target;
    }
  }

  /** Where a checkpoint is written before it is committed (a fold cut short leaves it; its owner removes it). */
  temporary(name: string): string {
    return `${this.locate(name)}.tmp`;
  }

  async size(name: string): Promise<number> {
    return (await stat(this.locate(name))).size;
  }

  /** A .tmp left by a crash mid-write is never a checkpoint (one writer per directory, and a fold's beside it). */
  private async removeStaleTemporaries(): Promise<void> {
    for (const f of await readdir(this.dir)) if (f.startsWith('checkpoint-') && (f.endsWith('.twc.tmp') || f.endsWith('.twj.tmp'))) await rm(join(this.dir, f), { force: true });
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
}

/** Makes the rename itself durable: without it a power cut can forget the new name. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
