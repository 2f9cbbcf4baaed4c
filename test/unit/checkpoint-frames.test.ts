/** The framing alone: what the reader accepts, and how it names what is wrong with what it refuses. */
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/checkpoint/frame-reader.js';
import { FrameWriter } from '../../src/checkpoint/frame-writer.js';
import { KIND, MAX_FRAME } from '../../src/checkpoint/frames.js';

async function written(build: (w: FrameWriter) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const w = new FrameWriter({ write: async (c) => { chunks.push(Buffer.from(c)); } });
  await build(w);
  await w.finish();
  return Buffer.concat(chunks);
}

/** The bytes as a stream of small chunks, so frames straddle chunk boundaries. */
async function* inChunks(bytes: Buffer, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const reader = (bytes: Buffer): FrameReader => new FrameReader(inChunks(bytes), '/ckpt/x.twc');

describe('frames', () => {
  it('round-trips JSON values and typed arrays across chunk boundaries, and checks the checksum', async () => {
    const floats = Float64Array.from([1.5, Number.NaN, -0, 1e300]);
    const bytes = await written(async (w) => { await w.json({ a: 1 }); await w.typedArray(floats); });
    const r = reader(bytes);
    await r.start();
    expect(await r.json()).toEqual({ a: 1 });
    const back = new Float64Array(4);
    await r.intoTypedArray(back);
    expect(Object.is(back[1], Number.NaN) && Object.is(back[2], -0)).toBe(true);
    expect(back[3]).toBe(1e300);
    await expect(r.finish()).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses trailing bytes, an unknown frame kind and a length no writer makes', async () => {
    const bytes = await written(async (w) => { await w.json({ a: 1 }); });
    const trailing = reader(Buffer.concat([bytes, Buffer.from('x')]));
    await trailing.start();
    await trailing.json();
    await expect(trailing.finish()).rejects.toThrow(/\/ckpt\/x\.twc refused: bytes after the checksum/);

    const badKind = Buffer.from(bytes);
    badKind[8] = 0x51; // the first frame's kind byte, right after the 8-byte magic
    const r1 = reader(badKind);
    await r1.start();
    await expect(r1.next()).rejects.toThrow(/unknown frame kind 0x51 at byte 8/);

    const huge = Buffer.from(bytes);
    huge.writeUInt32LE(MAX_FRAME + 1, 9);
    const r2 = reader(huge);
    await r2.start();
    await expect(r2.next()).rejects.toThrow(/claims \d+ bytes \(corrupt\)/);
    expect(huge[8]).toBe(KIND.json);
  });

  it('refuses an array whose bytes do not match its declared size', async () => {
    const bytes = await written(async (w) => { await w.typedArray(Uint32Array.from([1, 2, 3])); });
    const r = reader(bytes);
    await r.start();
    await expect(r.intoTypedArray(new Uint32Array(4))).rejects.toThrow(/holds 12 bytes, 16 declared/);
  });
});
