/**
 * The checkpoint directories of the other instances of a group (`<CHECKPOINT_DIR>/<group>/*`),
 * read-only. Every instance applies every message, so another instance's checkpoint is as good
 * a starting point as an instance's own: an instance that moved to a new machine, or came up
 * under a new id, restores a peer's instead of re-reading the whole history. Peers are listed
 * by the age of their newest checkpoint, newest first, so the one needing the least catch-up is
 * tried first; the usual usability checks (topics, retention, slot cursors) still decide.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DirectoryStore } from './directory-store.js';

export async function peerDirectoryStores(groupDir: string, ownDir: string): Promise<DirectoryStore[]> {
  const own = resolve(ownDir);
  let entries: string[];
  try {
    entries = await readdir(groupDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const peers: { store: DirectoryStore; newestAt: number; name: string }[] = [];
  for (const name of entries.sort()) {
    const dir = join(groupDir, name);
    if (resolve(dir) === own) continue;
    const store = new DirectoryStore(dir);
    const newest = (await store.list().catch(() => []))[0];
    if (newest === undefined) continue;
    const newestAt = await stat(store.locate(newest)).then((s) => s.mtimeMs, () => undefined);
    if (newestAt !== undefined) peers.push({ store, newestAt, name });
  }
  return peers.sort((a, b) => b.newestAt - a.newestAt || (a.name < b.name ? -1 : 1)).map((p) => p.store);
}
