/** `cases archive` on a real Redis: resolved cases before a date go to a verified JSONL file, then leave Redis; the rest stay. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { archiveResolved, verifyArchive } from '../../src/cases/case-archive.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseKeys } from '../../src/cases/redis-keys.js';
import { alert } from '../conformance/case-store-suite.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefix = uniquePrefix('archive');
const dir = mkdtempSync(join(tmpdir(), 'tw-archive-'));
const sue = { name: 'sue', role: 'supervisor' as const };
const ana = { name: 'ana', role: 'analyst' as const };
const day = (d: number): number => Date.UTC(2025, 0, d);

afterAll(() => deleteKeysAndQuit(redis, prefix));

describe('cases archive (real Redis)', () => {
  it('exports resolved cases closed before the date with alerts and audit, verifies the file, then removes only them', async () => {
    const store = new RedisCaseStore(redis, prefix);
    const k = caseKeys(prefix);
    const old = (await store.addAlert(alert('ar-1', 'acct-ar1', 60, 'medium'))).caseId;
    const recent = (await store.addAlert(alert('ar-2', 'acct-ar2', 60, 'medium'))).caseId;
    const open = (await store.addAlert(alert('ar-3', 'acct-ar3', 60, 'medium'))).caseId;
    await store.resolve(old, 'false-positive', 'payroll of a known employer', ana, day(2));
    await store.resolve(recent, 'escalated', 'to the MLRO', ana, day(20));
    const file = join(dir, 'archive-1.jsonl');
    await expect(archiveResolved(store, ana, day(10), file, day(30))).rejects.toThrow(/ana \(analyst\) may not archive/);
    const result = await archiveResolved(store, sue, day(10), file, day(30));
    expect(result).toMatchObject({ archived: 1, removed: 1, keptChanged: [] });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ case: { caseId: old, status: 'resolved', disposition: 'false-positive' }, alerts: [{ alertId: 'ar-1' }] });
    expect((lines[0]!.audit as { action: string; analyst?: string }[]).map((e) => [e.action, e.analyst ?? ''])).toEqual([['open', ''], ['resolve', 'ana'], ['archive', 'sue']]);
    expect(lines[1]).toEqual({ checksum: `sha256:${result.sha256}`, cases: 1 });
    expect(await verifyArchive(file)).toEqual({ sha256: result.sha256, caseIds: [old] });
    expect(await store.get(old)).toBeUndefined();
    expect(await redis.exists(k.caseAlerts(old))).toBe(0);
    // The audit stays in Redis until the case's retention ends, with who archived it: an archive
    // run cannot take the record of who did what with it (session 33 security QA).
    expect((await store.audit(old)).map((e) => [e.action, e.analyst ?? ''])).toEqual([['open', ''], ['resolve', 'ana'], ['archive', 'sue']]);
    const ttl = await redis.ttl(k.audit(old));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1825 * 86_400);
    expect(await redis.zscore(k.index.all, old)).toBeNull();
    // Out of its subject's index set too: the subject filter finds none of the archived case.
    expect(await redis.exists(k.index.subject('acct-ar1'))).toBe(0);
    const every = ['open', 'claimed', 'pending-approval', 'resolved'] as const;
    expect(await store.query({ subject: 'acct-ar1', statuses: [...every] })).toEqual({ total: 0, cases: [] });
    expect((await store.query({ subject: 'acct-ar2', statuses: [...every] })).cases.map((c) => c.caseId)).toEqual([recent]);
    expect((await store.query({ statuses: ['resolved', 'open'] })).cases.map((c) => c.caseId).sort()).toEqual([recent, open].sort());
    expect(await store.archiveLog()).toEqual([expect.objectContaining({ analyst: 'sue', file, sha256: result.sha256, archived: '1', removed: '1' })]);
    await expect(archiveResolved(store, sue, day(10), file, day(31))).rejects.toThrow(/EEXIST/); // never overwrites
  });

  it('keeps a case reopened between export and removal, and refuses a file whose checksum does not match', async () => {
    const store = new RedisCaseStore(redis, prefix);
    const id = (await store.addAlert(alert('ar-4', 'acct-ar4', 60, 'medium'))).caseId;
    await store.resolve(id, 'false-positive', 'known employer', ana, day(3));
    const [candidate] = (await store.resolvedBefore(day(10))).filter((x) => x.case.caseId === id);
    await store.reopen(id, 'employer listed since', ana, day(40));
    expect(await store.removeArchived(id, candidate!.raw, { caseId: id, action: 'archive', at: new Date(day(41)).toISOString(), analyst: 'sue' })).toBe(0);
    expect((await store.get(id))!.status).toBe('open');
    const forged = join(dir, 'forged.jsonl');
    writeFileSync(forged, `${JSON.stringify({ case: { caseId: id } })}\n${JSON.stringify({ checksum: 'sha256:00', cases: 1 })}\n`);
    await expect(verifyArchive(forged)).rejects.toThrow(/checksum line does not match/);
  });
});
