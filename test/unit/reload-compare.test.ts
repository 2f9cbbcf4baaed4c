import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedRule } from '../../src/engine/loader.js';
import { RuleReloader } from '../../src/engine/rule-reloader.js';
import { diffAlerts } from '../../src/replay/compare.js';
import { replayFiles } from '../../src/replay/replay.js';
import { ofacLabels, rulesDir, samplePath } from '../helpers/sample.js';

const copyRules = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-reload-'));
  cpSync(rulesDir, dir, { recursive: true });
  return dir;
};

describe('rule reload', () => {
  it('keeps the rules in force when a changed file is broken, and applies the folder once it is fixed', () => {
    const dir = copyRules();
    let active: LoadedRule[] = [];
    const refused: string[] = [];
    const reloader = new RuleReloader(dir, { applied: (r) => { active = r; }, refused: (e) => refused.push(e.message) });
    expect(reloader.reload()).toBe(true);
    const before = active;
    const file = join(dir, 'pass-through/quick-out.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('minRatio: 90%', 'minRatio: ninety'));
    expect(reloader.reload()).toBe(false);
    expect(active).toBe(before);
    expect(refused[0]).toMatch(/quick-out\.yaml:\d+: signals\.flow\.minRatio/);
    const version = Number(/^version: (\d+)$/m.exec(good)![1]);
    writeFileSync(file, good.replace(/^version: \d+$/m, `version: ${version + 1}`));
    expect(reloader.reload()).toBe(true);
    expect(active.find((r) => r.spec.id === 'pass-through.quick-out')!.spec.version).toBe(version + 1);
  });

  it('notices a change on disk while watching', async () => {
    const dir = copyRules();
    const applied: number[] = [];
    const reloader = new RuleReloader(dir, { applied: (r) => applied.push(r.length), refused: () => undefined }, 50);
    reloader.start();
    writeFileSync(join(dir, 'structuring/just-under.yaml'), readFileSync(join(dir, 'structuring/just-under.yaml'), 'utf8').replace(/^version: (\d+)$/m, (_, v: string) => `version: ${Number(v) + 1}`));
    await expect.poll(() => applied.length, { timeout: 5000 }).toBeGreaterThan(0);
    reloader.stop();
  });

  it('notices a file replaced by a rename each time, not only the first (an editor\'s save, git checkout, a ConfigMap swap)', async () => {
    const dir = copyRules();
    const file = join(dir, 'structuring/just-under.yaml');
    const text = readFileSync(file, 'utf8');
    const version = Number(/^version: (\d+)$/m.exec(text)![1]);
    const versions: number[] = [];
    const reloader = new RuleReloader(dir, { applied: (r) => versions.push(r.find((x) => x.spec.id === 'structuring.just-under')!.spec.version), refused: () => undefined }, 50, [], 100);
    reloader.start();
    try {
      for (const next of [version + 1, version + 2, version + 3]) {
        writeFileSync(`${file}.tmp`, text.replace(/^version: \d+$/m, `version: ${next}`));
        renameSync(`${file}.tmp`, file);
        await expect.poll(() => versions.at(-1), { timeout: 30_000 }).toBe(next);
      }
    } finally {
      reloader.stop();
    }
  });
});

describe('replay --compare', () => {
  it('reports the alerts a stricter rule set drops and none it adds', async () => {
    const dir = copyRules();
    const file = join(dir, 'dprk-consolidation/fan-in.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('pass: { gte: 3, lte: 50 }', 'pass: { gte: 50 }').replace(/^version: (\d+)$/m, (_, v: string) => `version: ${Number(v) + 1}`));
    const { loadRuleSet } = await import('../../src/engine/loader.js');
    const a = await replayFiles({ files: [samplePath], rules: loadRuleSet(rulesDir), labels: ofacLabels() });
    const b = await replayFiles({ files: [samplePath], rules: loadRuleSet(dir), labels: ofacLabels() });
    const diff = diffAlerts(a.alerts, b.alerts);
    expect(diff.added).toEqual([]);
    expect(diff.dropped.length).toBeGreaterThan(0);
    expect(diff.dropped.every((x) => x.typology === 'dprk-consolidation')).toBe(true);
  });
});
