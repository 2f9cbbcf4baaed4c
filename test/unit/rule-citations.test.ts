/** Rule files cite the typology research in docs/typologies.md: every cited T/S item must exist there. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuleFiles } from '../../src/engine/loader.js';
import { root, rulesDir } from '../helpers/sample.js';

const research = readFileSync(join(root, 'docs/typologies.md'), 'utf8');
const defined = new Set([...research.matchAll(/^### (T\d+)\./gm), ...research.matchAll(/^\*\*(S\d+) →/gm)].map((m) => m[1]!));

describe('rule citations', () => {
  it('resolve: every "typologies.md T4, S8" a rule cites is a section of docs/typologies.md', () => {
    const cited: string[] = [];
    for (const file of listRuleFiles(rulesDir)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const at = line.indexOf('typologies.md');
        if (at < 0) continue;
        for (const m of line.slice(at).matchAll(/\b([TS]\d+)\b/g)) cited.push(`${file}: ${m[1]}`);
      }
    }
    expect(cited.length).toBeGreaterThan(10);
    expect(cited.filter((c) => !defined.has(c.split(': ')[1]!))).toEqual([]);
  });

  it('every rule folder carries a README naming its signals, knobs, false positives and cases', () => {
    for (const folder of readdirSync(rulesDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const readme = readFileSync(join(rulesDir, folder.name, 'README.md'), 'utf8');
      for (const heading of ['## What it detects', '## Signals', '## Tuning', '## False positives', '## Cases']) expect(readme, `${folder.name}: ${heading}`).toContain(heading);
    }
  });
});
