/**
 * An upgrade resumes from the previous release's checkpoints: a format-3 checkpoint (written by
 * the release before id-memory sealing, kept gzipped in test/fixtures/checkpoint-v3) restores into
 * this build, and the replay that goes on from it gives the alerts, dead letters and final state
 * of a straight replay by this build, byte for byte. A version outside the readable ones is
 * refused with both versions named.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { FORMAT_VERSION, READABLE_VERSIONS } from '../../src/checkpoint/header.js';
import { fixtures, rules, sampleLines } from '../helpers/sample.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { ipKey, isCarrierNat } from '../../src/engine/ip-address.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const CUT = 800;
const FIXTURE = join(fixtures, 'checkpoint-v3', 'sample-first-800.twc.gz');

function fixtureDir(): string {
  const dir = tempDir('tw-ckpt-v3-');
  writeFileSync(join(dir, 'checkpoint-000000000001.twc'), gunzipSync(readFileSync(FIXTURE)));
  return dir;
}

/** The newest event time among the lines (chain and exchange messages). */
function lastTimeOf(lines: string[]): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    const m = JSON.parse(line) as { occurredAt?: string; blockTime?: string };
    const t = Date.parse(m.occurredAt ?? m.blockTime ?? '');
    if (t > newest) newest = t;
  }
  return newest;
}

/**
 * Removes the BTC flow edges dated at or before `time` from both of the graph's edge maps, and
 * puts each map in address-id order with its sweep at its start: the two builds created the
 * edge lists of those transactions in another order, and swept as many more times.
 */
function dropBitcoinEdgesUpTo(pipeline: Pipeline, time: number): void {
  const parts = pipeline.graph.checkpointParts();
  for (const map of [parts.outEdges, parts.inEdges]) {
    const entries = [...map.entries()].sort((a, b) => a[0] - b[0]);
    for (const [id] of entries) map.delete(id);
    for (const [id, list] of entries) {
      const kept = list.filter((e) => !(e.asset === 'BTC' && e.time <= time));
      if (kept.length > 0) map.set(id, kept);
    }
    map.seekSweep({ shard: 0 });
  }
}

/**
 * Removes from the IP link index every IP a session over a VPN, or behind carrier-grade NAT, used
 * at or before `time`, and puts the index in key order with its sweep at its start: since session
 * 29 a session over a VPN links nobody by its IP (a provider's exit address; since session 43 but
 * Astrill's), and since session 43 a carrier NAT address nobody, where the previous build
 * recorded them.
 */
function dropVpnIpsUpTo(pipeline: Pipeline, lines: string[], time: number): void {
  const vpnIps = new Set<string>();
  for (const line of lines) {
    const m = JSON.parse(line) as { occurredAt?: string; ip?: string; vpn?: boolean; session?: { ip?: string; vpn?: boolean } };
    const session = m.session ?? m;
    if ((session.vpn === true || isCarrierNat(session.ip ?? '')) && session.ip !== undefined && Date.parse(m.occurredAt ?? '') <= time) vpnIps.add(ipKey(session.ip));
  }
  const map = pipeline.state.checkpointParts().ips.checkpointMap();
  const entries = [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [ip] of entries) map.delete(ip);
  for (const [ip, list] of entries) if (!vpnIps.has(ip)) map.set(ip, list);
  map.seekSweep({ shard: 0 });
}

/**
 * Removes the cluster records that hold merge causes alone (no touches, no labelled member), and
 * puts the table in id order with its sweep at its start: since session 42 such a record stays
 * while its causes are within the edge retention, where the previous build swept it.
 */
function dropCauseOnlyMeta(pipeline: Pipeline): void {
  const meta = pipeline.graph.checkpointParts().meta;
  const entries = [...meta.entries()].sort((a, b) => a[0] - b[0]);
  for (const [id] of entries) meta.delete(id);
  for (const [id, m] of entries) if (m.touches.length > 0 || m.labelled.length > 0) meta.set(id, m);
  meta.seekSweep({ shard: 0 });
}

describe('a checkpoint of the previous format version', () => {
  it('is readable by this build, which writes the next one', () => {
    expect(FORMAT_VERSION).toBe(11);
    expect(READABLE_VERSIONS).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('restores, and the replay from it equals a straight replay by this build: alerts, dead letters and state', async () => {
    const lines = sampleLines();
    const work = tempDir('tw-ckpt-v3-work-');
    const straight = await replayRecords(records(lines, 0, lines.length), work, 'straight');
    const first = await replayRecords(records(lines, 0, CUT), work, 'first');

    const restored = await loadNewestValid(fixtureDir(), { build: emptyPipeline(), rules: rules() });
    expect(restored).toBeDefined();
    expect(restored!.warnings.filter((w) => w.includes('refused'))).toEqual([]);
    expect(restored!.header).toMatchObject({ version: 3, positions: { line: CUT } });
    const second = await replayRecords(records(lines, CUT, lines.length), work, 'second', restored!.pipeline);

    expect(straight.alerts.split('\n').length).toBeGreaterThan(200);
    expect(first.alerts + second.alerts).toBe(straight.alerts);
    expect(first.dlq + second.dlq).toBe(straight.dlq);
    // The re-evaluation counter is work done, not state: the previous build re-examined more
    // transfers after in-time funding transfers (Pipeline.explainsDeposits) to the same verdicts.
    expect(second.result.pipeline.stats.reevaluations).toBeGreaterThanOrEqual(straight.result.pipeline.stats.reevaluations);
    second.result.pipeline.stats.reevaluations = straight.result.pipeline.stats.reevaluations;
    // The novelty memory is compared apart: since session 25 it also remembers the severity bands
    // each rule gave each account, which the previous build did not write. The restored one holds
    // the bands of the alerts after the cut only.
    const restoredNovelty = second.result.pipeline.engine.checkpointWindows().alerted;
    const straightNovelty = straight.result.pipeline.engine.checkpointWindows().alerted;
    expect(restoredNovelty.size).toBeLessThan(straightNovelty.size);
    for (const pipeline of [second.result.pipeline, straight.result.pipeline]) pipeline.engine.checkpointWindows().alerted.restoreParts([], 0, 0);
    // Bitcoin value flow is compared apart too: since session 28 a transaction's outputs are each
    // one edge from its largest input, where the previous build made an edge per input and
    // output. The restored graph keeps the edges the previous build made before the cut.
    const cutTime = lastTimeOf(lines.slice(0, CUT));
    for (const pipeline of [second.result.pipeline, straight.result.pipeline]) dropBitcoinEdgesUpTo(pipeline, cutTime);
    for (const pipeline of [second.result.pipeline, straight.result.pipeline]) dropVpnIpsUpTo(pipeline, lines, cutTime);
    for (const pipeline of [second.result.pipeline, straight.result.pipeline]) dropCauseOnlyMeta(pipeline);
    // The memory of published alert ids too: an alert id names its rule's version, and since
    // session 29 `pass-through.quick-out` is version 2, so the restored memory holds version 1's
    // ids for the alerts before the cut. Each still holds one id per alert.
    const [restoredEmitted, straightEmitted] = [second, straight].map((r) => r.result.pipeline.engine.checkpointWindows().emitted);
    expect(restoredEmitted!.size).toBe(straightEmitted!.size);
    for (const pipeline of [second.result.pipeline, straight.result.pipeline]) pipeline.engine.checkpointWindows().emitted.restoreParts([], 0, 0);
    // Login signs too: format 3 carries none, so the restored state holds only the signs of the
    // logins after the cut (noted again from them): fewer sightings than the straight replay's.
    const [restoredSigns, straightSigns] = [second, straight].map((r) => r.result.pipeline.state.checkpointParts().loginSigns.checkpointParts().byAccount);
    const sightings = (map: typeof restoredSigns): number => [...map!.entries()].reduce((n, [, signs]) => n + signs.list().reduce((k, sign) => k + sign.times.length, 0), 0);
    expect(sightings(restoredSigns)).toBeGreaterThan(0);
    expect(sightings(restoredSigns)).toBeLessThan(sightings(straightSigns));
    for (const map of [restoredSigns!, straightSigns!]) {
      for (const [accountId] of [...map.entries()]) map.delete(accountId);
      map.seekSweep({ shard: 0 });
    }
    // IP block sightings too (format 8): the restored index holds only those of the events after
    // the cut (and its sweeps, run on other new blocks, left other dormant blocks in place), so on
    // every block it reads a subset of the accounts the straight replay's reads.
    const [restoredState, straightState] = [second, straight].map((r) => r.result.pipeline.state);
    const [restoredBlocks, straightBlocks] = [restoredState, straightState].map((state) => state!.checkpointParts().subnets.checkpointMap());
    const readOn = (state: typeof restoredState, block: string): string[] => state!.linkedBySubnet(block, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).map((s) => s.accountId);
    let blocksRead = 0;
    for (const [block] of restoredBlocks!.entries()) {
      const restoredRead = readOn(restoredState, block);
      if (restoredRead.length > 0) blocksRead++;
      expect(readOn(straightState, block)).toEqual(expect.arrayContaining(restoredRead));
    }
    expect(blocksRead).toBeGreaterThan(0);
    for (const map of [restoredBlocks!, straightBlocks!]) {
      for (const [block] of [...map.entries()]) map.delete(block);
      map.seekSweep({ shard: 0 });
    }
    // The logins waiting for a first KYC record too (format 11): format 3 carries none, so the
    // restored pipeline holds only some of those the straight replay holds.
    const [restoredKyc, straightKyc] = [second, straight].map((r) => r.result.pipeline.checkpointKyc().checkpointEntries());
    expect(straightKyc!.logins.map((l) => l.eventId)).toEqual(expect.arrayContaining(restoredKyc!.logins.map((l) => l.eventId)));
    for (const r of [second, straight]) r.result.pipeline.checkpointKyc().restore([], straightKyc!.newest);
    // And so the straight replay judged again, on their accounts' first KYC records, logins the
    // restored one never held: its count of later re-judgements is the larger (no alert differs).
    const [restoredStats, straightStats] = [second, straight].map((r) => r.result.pipeline.stats);
    expect(straightStats!.laterRejudged).toBeGreaterThan(restoredStats!.laterRejudged);
    restoredStats!.laterRejudged = straightStats!.laterRejudged;
    const a = await saveCheckpoint(tempDir('tw-ckpt-v3-a-'), straight.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    const b = await saveCheckpoint(tempDir('tw-ckpt-v3-b-'), second.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    expect(readFileSync(b.location).equals(readFileSync(a.location))).toBe(true);
  });

  it('a version this build cannot read is refused, naming the versions it reads, and the one before it is used', async () => {
    const dir = fixtureDir();
    const text = readFileSync(join(dir, 'checkpoint-000000000001.twc')).toString('latin1');
    // The header is JSON near the start of the file: a newer copy with its version rewritten in place (same length).
    const at = text.indexOf('"version":3');
    expect(at).toBeGreaterThanOrEqual(0);
    writeFileSync(join(dir, 'checkpoint-000000000002.twc'), Buffer.from(text.slice(0, at) + '"version":2' + text.slice(at + 11), 'latin1'));
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    expect(restored!.warnings[0]).toMatch(/checkpoint-000000000002\.twc refused: format version 2 .*this build reads versions 3, 4, 5, 6, 7, 8, 9, 10 and 11/);
    expect(restored!.header).toMatchObject({ version: 3, positions: { line: CUT } });
  });
});
