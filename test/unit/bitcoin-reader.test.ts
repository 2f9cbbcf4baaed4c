import * as bitcoin from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRawBitcoinTx, type RawBitcoinTx } from '../../src/chain/bitcoin-reader.js';
import { BitcoinTxError, parseBitcoinTx } from '../../src/chain/bitcoin.js';
import { coinjoins, multiInput } from '../helpers/mainnet.js';

/**
 * The lean reader must be bitcoinjs-lib, only quicker: whenever it gives a verdict, bitcoinjs-lib
 * parses the same bytes to the same txid, input count, coinbase flag and outputs; whenever
 * bitcoinjs-lib throws, the reader gives no verdict.
 */

function viaBitcoinjs(hex: string): RawBitcoinTx | 'throws' {
  try {
    const tx = bitcoin.Transaction.fromHex(hex);
    return { txid: tx.getId(), inputCount: tx.ins.length, isCoinbase: tx.isCoinbase(), outputs: tx.outs.map((o) => ({ value: BigInt(o.value), script: Buffer.from(o.script) })), spends: tx.ins.map((i) => ({ scriptSig: Buffer.from(i.script), witness: i.witness.map((w) => Buffer.from(w)) })) };
  } catch {
    return 'throws';
  }
}

function lean(hex: string): RawBitcoinTx | undefined {
  const raw = readRawBitcoinTx(Buffer.from(hex, 'hex'));
  return raw && { ...raw, outputs: raw.outputs.map((o) => ({ value: o.value, script: Buffer.from(o.script) })), spends: raw.spends.map((s) => ({ scriptSig: Buffer.from(s.scriptSig), witness: s.witness.map((w) => Buffer.from(w)) })) };
}

const mainnetHexes = (): string[] => [...multiInput().cases.flatMap((c) => c.transactions.map((t) => t.hex)), ...coinjoins().transactions.map((t) => t.hex)];

/** Legacy and segwit transactions with 1-4 inputs and outputs, some with witnesses. */
const generatedTx = fc.record({
  version: fc.constantFrom(1, 2),
  inputs: fc.array(fc.record({ hash: fc.uint8Array({ minLength: 32, maxLength: 32 }), index: fc.nat(), script: fc.uint8Array({ maxLength: 300 }), witness: fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 3 }) }), { minLength: 1, maxLength: 4 }),
  outputs: fc.array(fc.record({ script: fc.uint8Array({ maxLength: 260 }), value: fc.bigInt({ min: 0n, max: 21_000_000n * 100_000_000n }) }), { minLength: 1, maxLength: 4 }),
  locktime: fc.nat(),
}).map(({ version, inputs, outputs, locktime }) => {
  const tx = new bitcoin.Transaction();
  tx.version = version;
  tx.locktime = locktime;
  for (const i of inputs) tx.addInput(i.hash, i.index, 0xfffffffd, i.script);
  inputs.forEach((i, n) => { tx.ins[n]!.witness = i.witness; });
  for (const o of outputs) tx.addOutput(o.script, o.value);
  return tx.toHex();
});

/** A hex string damaged the ways a broken producer damages it. */
const mutated = (base: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.tuple(base, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert', 'drop', 'append')).map(([hex, at, byte, how]) => {
  const bytes = Buffer.from(hex, 'hex');
  const i = at % Math.max(1, bytes.length);
  const b = Buffer.from([byte]);
  switch (how) {
    case 'flip': bytes[i] = byte; return bytes.toString('hex');
    case 'cut': return bytes.subarray(0, i).toString('hex');
    case 'insert': return Buffer.concat([bytes.subarray(0, i), b, bytes.subarray(i)]).toString('hex');
    case 'drop': return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]).toString('hex');
    case 'append': return hex + b.toString('hex');
  }
});

function agrees(hex: string): void {
  const reference = viaBitcoinjs(hex);
  const ours = lean(hex);
  if (reference === 'throws') expect(ours).toBeUndefined();
  else if (ours !== undefined) expect(ours).toEqual(reference);
}

describe('lean Bitcoin reader', () => {
  it('reads every mainnet fixture exactly as bitcoinjs-lib does', () => {
    const hexes = mainnetHexes();
    expect(hexes.length).toBeGreaterThan(5);
    for (const hex of hexes) {
      const ours = lean(hex);
      expect(ours, 'a standard mainnet tx gets a verdict').toBeDefined();
      expect(ours).toEqual(viaBitcoinjs(hex));
    }
  });

  it('agrees with bitcoinjs-lib on generated legacy and segwit transactions', () => {
    let verdicts = 0;
    let segwit = 0;
    fc.assert(fc.property(generatedTx, (hex) => {
      const ours = lean(hex);
      if (ours) { verdicts++; if (hex.slice(8, 12) === '0001') segwit++; }
      agrees(hex);
    }), { numRuns: 2000 });
    // The reader must settle the common case, segwit included, or it saves nothing.
    expect(verdicts).toBeGreaterThan(1900);
    expect(segwit).toBeGreaterThan(500);
  });

  it('gives bitcoinjs-lib\'s txid on both sides of the hand-over to the native hash (2 KB of non-witness bytes), legacy and segwit', () => {
    const sizes = new Set<number>();
    for (const witness of [false, true]) {
      for (let script = 1_900; script <= 2_100; script += 7) {
        const tx = new bitcoin.Transaction();
        tx.addInput(Buffer.alloc(32, script & 0xff), 1, 0xfffffffd, Buffer.alloc(script, 0x51));
        if (witness) tx.ins[0]!.witness = [Buffer.alloc(72, 3), Buffer.alloc(33, 2)];
        tx.addOutput(Buffer.alloc(22, 0x14), 12_345n);
        const hex = tx.toHex();
        sizes.add(tx.byteLength(false));
        const ours = lean(hex);
        expect(ours, `${witness ? 'segwit' : 'legacy'}, script of ${script} bytes`).toBeDefined();
        expect(ours!.txid).toBe(tx.getId());
      }
    }
    // Serialisations without the witness from under 2,048 bytes to over it.
    expect(Math.min(...sizes)).toBeLessThan(2_048);
    expect(Math.max(...sizes)).toBeGreaterThan(2_048);
  });

  it('never vouches for damaged bytes that bitcoinjs-lib rejects, and agrees on those it accepts', () => {
    fc.assert(fc.property(mutated(fc.oneof(generatedTx, fc.constantFrom(...mainnetHexes()))), agrees), { numRuns: 5000 });
  });

  it('gives no verdict on var-ints bitcoinjs-lib would re-encode before hashing', () => {
    const tx = new bitcoin.Transaction();
    tx.addInput(Buffer.alloc(32, 7), 0);
    tx.addOutput(Buffer.from('0014' + '11'.repeat(20), 'hex'), 1000n);
    const hex = tx.toHex();
    // The input count 01 written as fd 01 00: bitcoinjs-lib accepts it but hashes 01.
    const padded = hex.slice(0, 8) + 'fd0100' + hex.slice(10);
    expect(viaBitcoinjs(padded)).not.toBe('throws');
    expect(lean(padded)).toBeUndefined();
    expect(parseBitcoinTx(padded, (viaBitcoinjs(padded) as RawBitcoinTx).txid, [{ address: null, value: '0' }]).txid).toBe(tx.getId());
  });

  it('leaves the wording of a reject to bitcoinjs-lib', () => {
    expect(() => parseBitcoinTx('0200', 'ab', [])).toThrowError(new BitcoinTxError('hex is not a valid transaction: Offset is outside the bounds of Uint8Array'));
  });
});
