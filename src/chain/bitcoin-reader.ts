/**
 * A lean reader of raw Bitcoin transactions for the common case: it walks the bytes once, keeps
 * output scripts as views, and computes the txid (sha256.ts) over the ranges of the non-witness
 * serialisation, instead of building bitcoinjs-lib objects and re-serialising.
 *
 * It gives a verdict only when it is sure to agree with bitcoinjs-lib's `Transaction.fromHex`
 * and `getId`: at least one input and one output, canonical var-ints (bitcoinjs re-encodes them
 * canonically before hashing), non-negative values, a witness on some input when the segwit
 * marker is present, and no trailing bytes. Anything else returns undefined and the caller uses
 * bitcoinjs-lib, so every reject and its message still comes from bitcoinjs-lib alone.
 * test/unit/bitcoin-reader.test.ts checks the agreement on mainnet, generated and mutated txs.
 */
import { createHash, hash } from 'node:crypto';
import { sha256dFinishInto, sha256Into, sha256Start, sha256Update } from './sha256.js';

export interface RawBitcoinTx {
  txid: string;
  inputCount: number;
  /** The first input spends the all-zero hash (bitcoinjs-lib's `isCoinbase`). */
  isCoinbase: boolean;
  outputs: { value: bigint; script: Uint8Array }[];
  /** What each input offers as proof of its spend (views into the bytes): its scriptSig and witness items. */
  spends: InputSpend[];
}

export interface InputSpend {
  scriptSig: Uint8Array;
  witness: Uint8Array[];
}

const NO_BYTES = new Uint8Array(0);
/** Shared by every input without a witness; never written (an input with one gets its own list). */
const NO_WITNESS: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

/** Throws nothing; undefined means "no verdict, ask bitcoinjs-lib". */
export function readRawBitcoinTx(bytes: Buffer): RawBitcoinTx | undefined {
  const reader = new Reader(bytes);
  return reader.transaction();
}

/** A txid's digest and its 32 bytes reversed: one buffer each for every read (reading is synchronous). */
const digest = new Uint8Array(32);
const txidBytes = Buffer.alloc(32);

/**
 * Serialisations from this many bytes take their first pass in Node's native hash: about 1 GB/s
 * against 90 MB/s here (session 55 review: 10 KB took 16 µs natively, 108 µs here; a 4 MB
 * transaction, the schema's largest, 5 ms against 50), which outweighs the native call's overhead
 * and its new Buffer. Most transactions are a few hundred bytes and stay allocation-free.
 */
const NATIVE_FROM = 2048;

/** Double SHA-256 of version, inputs and outputs, and locktime (the witness left out), byte-reversed. */
function txidOf(b: Buffer, bodyStart: number, bodyEnd: number): string {
  const whole = bodyStart === 4;
  if ((whole ? b.length : bodyEnd - bodyStart + 8) >= NATIVE_FROM) {
    const first = whole ? hash('sha256', b, 'buffer') : createHash('sha256').update(b.subarray(0, 4)).update(b.subarray(bodyStart, bodyEnd)).update(b.subarray(b.length - 4)).digest();
    sha256Into(first, digest);
  } else {
    sha256Start();
    if (whole) sha256Update(b);
    else {
      sha256Update(b, 0, 4);
      sha256Update(b, bodyStart, bodyEnd);
      sha256Update(b, b.length - 4, b.length);
    }
    sha256dFinishInto(digest);
  }
  for (let i = 0; i < 32; i++) txidBytes[i] = digest[31 - i]!;
  return txidBytes.toString('hex');
}

/** Cursor over the bytes; `fail` marks the tx as outside what this reader vouches for. */
class Reader {
  private at = 0;
  private fail = false;

  constructor(private readonly bytes: Buffer) {}

  transaction(): RawBitcoinTx | undefined {
    const b = this.bytes;
    if (b.length < 10) return undefined;
    const segwit = b[4] === 0 && b[5] === 1;
    this.at = segwit ? 6 : 4;
    const bodyStart = this.at;
    const inputCount = this.varInt();
    if (this.fail || inputCount < 1) return undefined;
    let isCoinbase = false;
    const spends: InputSpend[] = [];
    for (let i = 0; i < inputCount; i++) {
      if (i === 0) isCoinbase = this.allZero(this.at, 32);
      this.skip(36);
      const scriptSig = this.slice(this.varInt());
      this.skip(4);
      if (this.fail) return undefined;
      spends.push({ scriptSig, witness: NO_WITNESS });
    }
    const outputCount = this.varInt();
    if (this.fail || outputCount < 1) return undefined;
    const outputs: RawBitcoinTx['outputs'] = [];
    for (let i = 0; i < outputCount; i++) {
      if (this.at + 8 > b.length) return undefined;
      const value = b.readBigInt64LE(this.at);
      if (value < 0n) return undefined;
      this.skip(8);
      const length = this.varInt();
      const start = this.at;
      this.skip(length);
      if (this.fail) return undefined;
      outputs.push({ value, script: b.subarray(start, start + length) });
    }
    const bodyEnd = this.at;
    if (segwit && !this.witnesses(spends)) return undefined;
    this.skip(4);
    if (this.fail || this.at !== b.length) return undefined;
    return { txid: txidOf(b, bodyStart, bodyEnd), inputCount, isCoinbase, outputs, spends };
  }

  /** Each input's witness stack; true when at least one is non-empty (else bitcoinjs-lib rejects). */
  private witnesses(spends: InputSpend[]): boolean {
    let any = false;
    for (const spend of spends) {
      const items = this.varInt();
      if (items > 0) {
        any = true;
        spend.witness = [];
      }
      for (let k = 0; k < items && !this.fail; k++) spend.witness.push(this.slice(this.varInt()));
      if (this.fail) return false;
    }
    return any;
  }

  /** The next n bytes as a view (empty when they run past the end, which fails the read). */
  private slice(n: number): Uint8Array {
    const start = this.at;
    this.skip(n);
    return this.fail ? NO_BYTES : this.bytes.subarray(start, start + n);
  }

  private allZero(from: number, length: number): boolean {
    if (from + length > this.bytes.length) return false;
    for (let i = from; i < from + length; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }

  private skip(n: number): void {
    if (this.fail || this.at + n > this.bytes.length) { this.fail = true; return; }
    this.at += n;
  }

  /** A canonically encoded var-int below 2^32; anything else fails the read. */
  private varInt(): number {
    const b = this.bytes;
    if (this.fail || this.at >= b.length) { this.fail = true; return 0; }
    const first = b[this.at]!;
    if (first < 0xfd) { this.at += 1; return first; }
    let value: number;
    if (first === 0xfd && this.at + 3 <= b.length) { value = b.readUInt16LE(this.at + 1); this.at += 3; if (value >= 0xfd) return value; }
    else if (first === 0xfe && this.at + 5 <= b.length) { value = b.readUInt32LE(this.at + 1); this.at += 5; if (value > 0xffff) return value; }
    this.fail = true;
    return 0;
  }
}
