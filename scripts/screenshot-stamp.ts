/**
 * What front end a README screenshot shows: a digest of the console's sources (web/index.html and
 * web/src), written into each PNG as a tEXt chunk by scripts/console-screenshots.ts and compared
 * with the sources by test/unit/docs-screenshots.test.ts, so a change to the front end without
 * new screenshots fails a test (session 45's Password link was missing from them).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { crc32 } from 'node:zlib';

export const STAMP_KEYWORD = 'tidewatch-web';

/** SHA-256 over the front end's source files (web/src and its folders), each as its path and its bytes, in path order. */
export function webSourcesDigest(root: string): string {
  const sources = readdirSync(join(root, 'web/src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  const files = ['web/index.html', ...sources];
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f}\u0000`).update(readFileSync(join(root, f))).update('\u0000');
  return hash.digest('hex');
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The PNG with a tEXt chunk `keyword` = `text` after its IHDR chunk (8-byte signature, then IHDR of 25 bytes). */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const afterHeader = 8 + 25;
  if (png.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('not a PNG');
  return Buffer.concat([png.subarray(0, afterHeader), chunk('tEXt', Buffer.from(`${keyword}\u0000${text}`, 'latin1')), png.subarray(afterHeader)]);
}

/** The text of the PNG's tEXt chunk `keyword`, if it has one. */
export function textChunk(png: Buffer, keyword: string): string | undefined {
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    if (type === 'tEXt') {
      const data = png.subarray(at + 8, at + 8 + length).toString('latin1');
      const nul = data.indexOf('\u0000');
      if (data.slice(0, nul) === keyword) return data.slice(nul + 1);
    }
    if (type === 'IEND') return undefined;
    at += 12 + length;
  }
  return undefined;
}
