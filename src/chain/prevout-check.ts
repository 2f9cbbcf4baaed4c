/**
 * A prevout's address checked against what its input offers to spend it. The contract's
 * `prevouts` come from the producer's indexer, not from the transaction, so a wrong one (an
 * indexer's bug, or a forged message) would put an address the transaction never spent into
 * the co-spend cluster: an ordinary wallet merged with a sanctioned one (session 42 QA).
 *
 * Only what consensus fixes is judged, so a transaction the chain accepted passes:
 * - P2PKH: the scriptSig is push-only and its last push, when it is a public key, hashes
 *   (HASH160) to the address's hash (a last push that is no key, a pay-to-pubkey or bare
 *   multisig spend an indexer named by a key's address, is not judged);
 * - P2SH: the scriptSig is push-only and its last push, the redeem script, hashes to it;
 * - P2WPKH: no scriptSig, a witness of two items, the second hashing to the program;
 * - P2WSH: no scriptSig, a witness whose last item (the script) has the program as SHA-256;
 * - P2TR: no scriptSig and a witness (the key cannot be derived from a signature).
 * A transaction whose inputs all have neither scriptSig nor witness proves nothing and is taken
 * as stated: the labelled sample (and producers that strip signatures) send unsigned
 * transactions. In a signed one, an input without either cannot spend any of these types
 * (a witness stripped keeps the txid, which does not cover it: review, session 43). A
 * scriptSig that is not push-only proves nothing either (non-standard, never relayed).
 *
 * Bytes are compared with one-shot hashes (sha256.ts for short inputs, node:crypto's otherwise); an address is formatted only for a refusal
 * (bitcoinjs-lib's payments cost ten times the parse of a signed transaction: review).
 */
import { hash } from 'node:crypto';
import * as bitcoin from 'bitcoinjs-lib';
import type { AddressKey } from './address.js';
import { base58CheckDecode } from './base58check.js';
import { sha256Short, SHORT_INPUT } from './sha256.js';
import type { InputSpend } from './bitcoin-reader.js';

type Kind = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr';

/** The payment type and hash or program a canonical mainnet address names (canonicalBitcoin has checked its form). */
function programOf(address: string): { kind: Kind; program: Uint8Array } | undefined {
  if (address.startsWith('bc1')) {
    const { version, data } = bitcoin.address.fromBech32(address);
    if (version === 0) return data.length === 20 ? { kind: 'p2wpkh', program: data } : data.length === 32 ? { kind: 'p2wsh', program: data } : undefined;
    return version === 1 && data.length === 32 ? { kind: 'p2tr', program: data } : undefined;
  }
  const payload = base58CheckDecode(address) ?? bitcoin.address.fromBase58Check(address);
  const [version, hash] = payload instanceof Uint8Array ? [payload[0], payload.subarray(1)] : [payload.version, payload.hash];
  if (hash.length !== 20) return undefined;
  return version === 0x00 ? { kind: 'p2pkh', program: hash } : version === 0x05 ? { kind: 'p2sh', program: hash } : undefined;
}

/** Whether any input offers a scriptSig or a witness: a signed transaction. */
export function anySigned(spends: readonly InputSpend[]): boolean {
  for (const s of spends) if (s.scriptSig.length > 0 || s.witness.length > 0) return true;
  return false;
}

/** Why the input's proof contradicts the prevout address, or undefined when it does not. `signed`: some input of the transaction offers a proof (anySigned). */
export function prevoutContradiction(key: AddressKey, spend: InputSpend, signed: boolean): string | undefined {
  const { scriptSig, witness } = spend;
  const unsigned = scriptSig.length === 0 && witness.length === 0;
  if (unsigned && !signed) return undefined;
  const decoded = programOf(key.slice(key.indexOf(':') + 1));
  if (decoded === undefined) return undefined;
  const { kind, program } = decoded;
  if (unsigned) return `this input of a signed transaction has neither scriptSig nor witness, and a ${kind.toUpperCase()} output cannot be spent without one`;
  if (kind === 'p2pkh' || kind === 'p2sh') {
    if (scriptSig.length === 0) return `a ${kind.toUpperCase()} output is spent with a scriptSig, and this input has none (only a witness)`;
    const last = lastPush(scriptSig);
    if (last === undefined || (kind === 'p2pkh' && !isPublicKey(last))) return undefined;
    const hash = hash160(last);
    return equalBytes(hash, program) ? undefined : `the input's scriptSig spends ${bitcoin.address.toBase58Check(hash, kind === 'p2pkh' ? 0x00 : 0x05)}`;
  }
  if (scriptSig.length > 0) return `a native segwit output is spent with an empty scriptSig, and this input has one`;
  if (witness.length === 0) return `a native segwit output is spent with a witness, and this input has none`;
  if (kind === 'p2tr') return undefined;
  if (kind === 'p2wpkh') {
    if (witness.length !== 2) return `a P2WPKH output is spent with a witness of 2 items, not ${witness.length}`;
    const hash = hash160(witness[1]!);
    return equalBytes(hash, program) ? undefined : `the input's witness key spends ${bitcoin.address.toBech32(hash, 0, 'bc')}`;
  }
  const hash = sha256(witness[witness.length - 1]!);
  return equalBytes(hash, program) ? undefined : `the input's witness script spends ${bitcoin.address.toBech32(hash, 0, 'bc')}`;
}

/** A compressed (33 bytes, 02 or 03) or uncompressed or hybrid (65 bytes, 04, 06 or 07) public key. */
function isPublicKey(data: Uint8Array): boolean {
  return (data.length === 33 && (data[0] === 0x02 || data[0] === 0x03)) || (data.length === 65 && (data[0] === 0x04 || data[0] === 0x06 || data[0] === 0x07));
}

function sha256(data: Uint8Array): Uint8Array {
  return data.length <= SHORT_INPUT ? sha256Short(data) : hash('sha256', data, 'buffer');
}

function hash160(data: Uint8Array): Uint8Array {
  return hash('ripemd160', sha256(data), 'buffer');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The last data push of a push-only script; undefined when the script is not push-only, is cut short or pushes nothing. */
function lastPush(script: Uint8Array): Uint8Array | undefined {
  let at = 0;
  let last: Uint8Array | undefined;
  while (at < script.length) {
    const op = script[at++]!;
    let n: number;
    if (op === 0x00) { last = new Uint8Array(0); continue; }
    if (op <= 0x4b) n = op;
    else if (op === 0x4c) { if (at + 1 > script.length) return undefined; n = script[at]!; at += 1; }
    else if (op === 0x4d) { if (at + 2 > script.length) return undefined; n = script[at]! | (script[at + 1]! << 8); at += 2; }
    else if (op === 0x4e) { if (at + 4 > script.length) return undefined; n = (script[at]! | (script[at + 1]! << 8) | (script[at + 2]! << 16)) + script[at + 3]! * 0x1000000; at += 4; }
    else if (op === 0x4f || (op >= 0x51 && op <= 0x60)) { last = Uint8Array.of(op === 0x4f ? 0x81 : op - 0x50); continue; }
    else return undefined;
    if (at + n > script.length) return undefined;
    last = script.subarray(at, at + n);
    at += n;
  }
  return last;
}
