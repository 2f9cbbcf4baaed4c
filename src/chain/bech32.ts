/**
 * Segwit addresses (BIP173 bech32 for witness v0, BIP350 bech32m for v1 and later) written and
 * checked in one pass over small typed scratch buffers. bitcoinjs-lib's `toBech32` builds the
 * address a character at a time (a chain of string concatenations, about 1.3 KB of garbage per
 * address) after converting the program to a word array; every Bitcoin output to a segwit
 * script is written here on the hot path. The result is the same text (test/unit/bech32.test.ts
 * checks both ways against bitcoinjs-lib on generated programs).
 *
 * `segwitProgramLength` only ever answers for an address it is sure about; anything else goes
 * to bitcoinjs-lib, so every refusal and its wording still come from there.
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const CHARSET_CODES = Uint8Array.from(CHARSET, (c) => c.charCodeAt(0));
/** Each character code's 5-bit value, 255 for a character outside the charset. */
const VALUE_OF = new Uint8Array(128).fill(255);
for (let i = 0; i < CHARSET.length; i++) VALUE_OF[CHARSET.charCodeAt(i)] = i;

const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;
/** BIP173's length limit for a whole address. */
const MAX_LENGTH = 90;

function polymodStep(chk: number): number {
  const b = chk >> 25;
  return (
    (((chk & 0x1ffffff) << 5) ^
      (-((b >> 0) & 1) & 0x3b6a57b2) ^
      (-((b >> 1) & 1) & 0x26508e6d) ^
      (-((b >> 2) & 1) & 0x1ea119fa) ^
      (-((b >> 3) & 1) & 0x3d4233dd) ^
      (-((b >> 4) & 1) & 0x2a1462b3))
  );
}

/** The checksum state after the human-readable part (lower-case ASCII). */
function prefixChecksum(prefix: string): number {
  let chk = 1;
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk) ^ (prefix.charCodeAt(i) >> 5);
  chk = polymodStep(chk);
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk) ^ (prefix.charCodeAt(i) & 0x1f);
  return chk;
}

const prefixChecksums = new Map<string, number>();
function prefixState(prefix: string): number {
  let chk = prefixChecksums.get(prefix);
  if (chk === undefined) prefixChecksums.set(prefix, (chk = prefixChecksum(prefix)));
  return chk;
}

/** Character codes of the address being written: the longest is 90. */
const out = new Uint16Array(MAX_LENGTH);

/**
 * The segwit address of a witness program (`bitcoin.address.toBech32(program, version, prefix)`
 * for a lower-case prefix, version 0 to 16 and a program of 2 to 40 bytes).
 */
export function segwitAddress(program: Uint8Array, version: number, prefix: string): string {
  const words = 1 + Math.ceil((program.length * 8) / 5);
  if (prefix.length + 7 + words > MAX_LENGTH || version < 0 || version > 16) throw new RangeError('not a segwit program this encoder writes');
  let at = 0;
  for (let i = 0; i < prefix.length; i++) out[at++] = prefix.charCodeAt(i);
  out[at++] = 49; // '1'
  let chk = polymodStep(prefixState(prefix)) ^ version;
  out[at++] = CHARSET_CODES[version]!;
  // 8-bit bytes to 5-bit words, the last padded with zero bits.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < program.length; i++) {
    acc = ((acc << 8) | program[i]!) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      const w = (acc >> bits) & 31;
      chk = polymodStep(chk) ^ w;
      out[at++] = CHARSET_CODES[w]!;
    }
  }
  if (bits > 0) {
    const w = (acc << (5 - bits)) & 31;
    chk = polymodStep(chk) ^ w;
    out[at++] = CHARSET_CODES[w]!;
  }
  for (let i = 0; i < 6; i++) chk = polymodStep(chk);
  chk ^= version === 0 ? BECH32_CONST : BECH32M_CONST;
  for (let i = 0; i < 6; i++) out[at++] = CHARSET_CODES[(chk >> ((5 - i) * 5)) & 31]!;
  return textOf(at);
}

/** Plain arrays of each length written so far: `apply` spreads one without the copy a typed view costs. */
const codesOfLength: number[][] = [];

/** The first `at` character codes of `out` as a string. */
function textOf(at: number): string {
  let codes = codesOfLength[at];
  if (codes === undefined) codes = codesOfLength[at] = new Array<number>(at).fill(0);
  for (let i = 0; i < at; i++) codes[i] = out[i]!;
  return String.fromCharCode.apply(null, codes);
}

/**
 * For a lower-case segwit address with this prefix that bitcoinjs-lib's `fromBech32` accepts
 * (the right checksum for its version, a program whose padding is zero bits and at most 4 of
 * them): its version, prefix and program length. Undefined for anything else, including addresses
 * bitcoinjs-lib would refuse: the caller then asks bitcoinjs-lib, for the verdict and its words.
 */
export function segwitProgramLength(address: string, prefix: string): { version: number; prefix: string; length: number } | undefined {
  const n = address.length;
  const dataStart = prefix.length + 1;
  // A version word, at least one program word, and six checksum words.
  if (n > MAX_LENGTH || n < dataStart + 8 || !address.startsWith(prefix) || address.charCodeAt(prefix.length) !== 49) return undefined;
  let chk = prefixState(prefix);
  let version = -1;
  let acc = 0;
  let bits = 0;
  let length = 0;
  const programEnd = n - 6;
  for (let i = dataStart; i < n; i++) {
    const c = address.charCodeAt(i);
    const v = c < 128 ? VALUE_OF[c]! : 255;
    if (v === 255) return undefined;
    chk = polymodStep(chk) ^ v;
    if (i >= programEnd) continue;
    if (version < 0) {
      version = v;
      continue;
    }
    acc = ((acc << 5) | v) & 0xff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      length++;
    }
  }
  // fromWords: at most 4 padding bits, all zero.
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) !== 0) return undefined;
  const expected = version === 0 ? BECH32_CONST : BECH32M_CONST;
  if (version > 31 || chk !== expected) return undefined;
  return { version, prefix, length };
}
