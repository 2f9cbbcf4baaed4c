/**
 * The README's console screenshots show the console as it is: each PNG carries the digest of the
 * front end's sources it was taken of (scripts/screenshot-stamp.ts). Session 45 added the Password
 * page's header link and the screenshots, taken long before, lacked it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAMP_KEYWORD, textChunk, webSourcesDigest, withTextChunk } from '../../scripts/screenshot-stamp.js';
import { root } from '../helpers/sample.js';

const shots = readdirSync(`${root}docs`).filter((f) => /^console-.*\.png$/.test(f)).sort();

describe('the console screenshots in docs/', () => {
  it('are the four the README shows', () => {
    expect(shots).toEqual(['console-case-merge.png', 'console-case.png', 'console-dashboard.png', 'console-queue.png']);
  });

  it.each(shots)('%s was taken of the current front end (else: npm run build && npx tsx scripts/console-screenshots.ts)', (file) => {
    expect(textChunk(readFileSync(`${root}docs/${file}`), STAMP_KEYWORD)).toBe(webSourcesDigest(root));
  });

  it('digests the sources in folders under web/src too, so a change there asks for new screenshots', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-stamp-'));
    try {
      mkdirSync(join(dir, 'web/src/pages'), { recursive: true });
      writeFileSync(join(dir, 'web/index.html'), '<html></html>');
      writeFileSync(join(dir, 'web/src/main.ts'), 'main');
      writeFileSync(join(dir, 'web/src/pages/case.ts'), 'one');
      const before = webSourcesDigest(dir);
      writeFileSync(join(dir, 'web/src/pages/case.ts'), 'two');
      expect(webSourcesDigest(dir)).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads back the stamp it writes, and none from a PNG without it', () => {
    const png = readFileSync(`${root}docs/console-queue.png`);
    const bare = Buffer.concat([png.subarray(0, 33), png.subarray(png.indexOf('IEND', 33, 'latin1') - 4)]);
    expect(textChunk(bare, STAMP_KEYWORD)).toBeUndefined();
    expect(textChunk(withTextChunk(bare, STAMP_KEYWORD, 'abc'), STAMP_KEYWORD)).toBe('abc');
  });
});
