import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peerDirectoryStores } from '../../src/checkpoint/peer-directories.js';

const root = mkdtempSync(join(tmpdir(), 'tw-peers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An instance directory whose newest checkpoint file was last written `secondsAgo` ago. */
function instance(group: string, name: string, secondsAgo?: number): string {
  const dir = join(root, group, name);
  mkdirSync(dir, { recursive: true });
  if (secondsAgo !== undefined) {
    const file = join(dir, 'checkpoint-000000000002.twc');
    writeFileSync(file, 'x');
    const at = Date.now() / 1000 - secondsAgo;
    utimesSync(file, at, at);
    writeFileSync(join(dir, 'checkpoint-000000000001.twc'), 'older');
  }
  return dir;
}

describe('peer checkpoint directories', () => {
  it('lists the other instances of the group, newest checkpoint first, never its own, never one without a checkpoint', async () => {
    const own = instance('g1', 'self', 1);
    const old = instance('g1', 'old', 3600);
    const recent = instance('g1', 'recent', 60);
    instance('g1', 'empty');
    writeFileSync(join(instance('g1', 'scratch'), 'notes.txt'), 'not a checkpoint');
    instance('g2', 'other-group', 1);
    const peers = await peerDirectoryStores(join(root, 'g1'), own);
    expect(peers.map((p) => p.dir)).toEqual([recent, old]);
    expect(await peers[0]!.list()).toEqual(['checkpoint-000000000002.twc', 'checkpoint-000000000001.twc']);
  });

  it('a group directory that does not exist yet has no peers', async () => {
    expect(await peerDirectoryStores(join(root, 'nobody'), join(root, 'nobody', 'self'))).toEqual([]);
  });
});
