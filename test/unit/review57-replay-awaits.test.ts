/**
 * Review 57 of the replay loop without a promise per message (replay.ts `handle`/`applyRun`): a
 * case store that answers later (as Redis does) still gets a message's alerts one at a time, in
 * the order they are written, each awaited before the next; and the line's `afterEach` (the
 * checkpoint's) is told only once every alert of it is in the store. The alerts written are
 * those of a run without a case store or callbacks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { replayFiles } from '../../src/replay/replay.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules } from '../helpers/sample.js';

afterAll(removeTempDirs);

const STREAM = 'examples/stream.jsonl';

/** A store that answers on a later turn of the event loop and logs when each call starts and ends. */
class LateStore extends MemoryCaseStore {
  inFlight = 0;
  overlapped = false;
  constructor(private readonly log: string[]) { super(); }
  override async addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    if (this.inFlight++ > 0) this.overlapped = true;
    await new Promise<void>((resolve) => setImmediate(resolve));
    const out = await super.addAlert(alert);
    this.inFlight--;
    this.log.push(`case ${alert.alertId}`);
    return out;
  }
}

describe('review 57: the replay awaits a late case store and tells afterEach after it', () => {
  it('alerts reach the store in written order, one at a time, each before its line is told applied', async () => {
    const dir = tempDir('tw-review57-awaits-');
    await replayFiles({ files: [STREAM], rules: rules(), labels: [], alertsPath: join(dir, 'plain.jsonl'), keep: { alerts: false, cases: false } });
    const log: string[] = [];
    const store = new LateStore(log);
    let toldWhileInFlight = 0;
    const result = await replayFiles({
      files: [STREAM], rules: rules(), labels: [], alertsPath: join(dir, 'cased.jsonl'), caseStore: store,
      afterEach: async (_p, origin) => {
        if (store.inFlight > 0) toldWhileInFlight++;
        await new Promise<void>((resolve) => setImmediate(resolve));
        log.push(`line ${origin.line ?? -1}`);
      },
    });
    const written = readFileSync(join(dir, 'cased.jsonl'), 'utf8');
    expect(written).toBe(readFileSync(join(dir, 'plain.jsonl'), 'utf8'));
    const cased = written.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert).filter((a) => a.severity !== 'low');
    expect(cased.length).toBeGreaterThan(0);
    expect(store.overlapped).toBe(false);
    expect(log.filter((e) => e.startsWith('case ')).map((e) => e.slice(5))).toEqual(cased.map((a) => a.alertId));
    // No line is told applied (a checkpoint written) while a case of its alerts is still being added.
    expect(toldWhileInFlight).toBe(0);
    expect(result.alerts.filter((a) => a.severity !== 'low').map((a) => a.alertId)).toEqual(cased.map((a) => a.alertId));
    // Lines are told in increasing order, each once.
    const told = log.filter((e) => e.startsWith('line ')).map((e) => Number(e.slice(5)));
    expect(told).toEqual([...told].sort((a, b) => a - b));
    expect(new Set(told).size).toBe(told.length);
  });
});
