/**
 * A prevout's address checked against what its input offers to spend it. The contract's
 * `prevouts` come from the producer's indexer, not from the transaction, so a wrong one (an
 * indexer's bug, or a forged message) would put an address the transaction never spent into
 * the co-spend cluster: an ordinary wallet merged with a sanctioned one (session 42 QA).
 *
 * Only what consensus fixes is judged, so a transaction the chain accepted always passes:
 * - P2PKH: the scriptSig is push-only and its last push hashes (HASH160) to the address's hash
 *   (a lone push, a pay-to-pubkey spend an indexer named by its key's address, is not judged);
 * - P2SH: the scriptSig is push-only and its last push, the redeem script, hashes to it;
 * - P2WPKH: no scriptSig, a witness of two items, the second hashing to the program;
 * - P2WSH: no scriptSig, a witness whose last item (the script) has the program as SHA-256;
 * - P2TR: no scriptSig and a witness (the key cannot be derived from a signature).
 * An input with neither scriptSig nor witness proves nothing and is taken as stated: the
 * labelled sample (and producers that strip signatures) send unsigned transactions. A
 * scriptSig that is not push-only proves nothing either (non-standard, never relayed).
 */
import * as bitcoin from 'bitcoinjs-lib';
import type { AddressKey } from './address.js';
import type { InputSpend } from './bitcoin-reader.js';

/** Why the input's proof contradicts the prevout address, or undefined when it does not. */
export function prevoutContradiction(key: AddressKey, spend: InputSpend): string | undefined {
  const { scriptSig, witness } = spend;
  if (scriptSig.length === 0 && witness.length === 0) return undefined;
  const address = key.slice(key.indexOf(':') + 1);
  const kind = addressKind(address);
  if (kind === undefined) return undefined;
  if (kind === 'p2pkh' || kind === 'p2sh') {
    if (scriptSig.length === 0) return `a ${kind.toUpperCase()} output is spent with a scriptSig, and this input has none (only a witness)`;
    const pushes = scriptPushes(scriptSig);
    if (pushes === undefined) return undefined;
    const last = pushes.last;
    // A lone push is how a pay-to-pubkey output is spent: an indexer may name such an output by
    // its key's P2PKH address, which then cannot be checked (the key is in the output, not here).
    if (kind === 'p2pkh' && pushes.count === 1) return undefined;
    const derived = kind === 'p2pkh' ? bitcoin.payments.p2pkh({ hash: hash160(last) }).address : bitcoin.payments.p2sh({ hash: hash160(last) }).address;
    return derived === address ? undefined : `the input's scriptSig spends ${derived}`;
  }
  if (scriptSig.length > 0) return `a native segwit output is spent with an empty scriptSig, and this input has one`;
  if (witness.length === 0) return `a native segwit output is spent with a witness, and this input has none`;
  if (kind === 'p2tr') return undefined;
  if (kind === 'p2wpkh') {
    if (witness.length !== 2) return `a P2WPKH output is spent with a witness of 2 items, not ${witness.length}`;
    const derived = bitcoin.payments.p2wpkh({ hash: hash160(witness[1]!) }).address;
    return derived === address ? undefined : `the input's witness key spends ${derived}`;
  }
  const derived = bitcoin.payments.p2wsh({ hash: bitcoin.crypto.sha256(witness[witness.length - 1]!) }).address;
  return derived === address ? undefined : `the input's witness script spends ${derived}`;
}

type Kind = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr';

/** The payment type a canonical mainnet address names (canonicalBitcoin has checked its form). */
function addressKind(address: string): Kind | undefined {
  if (address.startsWith('bc1q')) return address.length === 42 ? 'p2wpkh' : address.length === 62 ? 'p2wsh' : undefined;
  if (address.startsWith('bc1p')) return address.length === 62 ? 'p2tr' : undefined;
  if (address.startsWith('1')) return 'p2pkh';
  if (address.startsWith('3')) return 'p2sh';
  return undefined;
}

function hash160(data: Uint8Array): Uint8Array {
  return bitcoin.crypto.hash160(data);
}

/** The number of pushes of a push-only script and its last; undefined when the script is not push-only, is cut short or pushes nothing. */
function scriptPushes(script: Uint8Array): { count: number; last: Uint8Array } | undefined {
  let at = 0;
  let count = 0;
  let last: Uint8Array | undefined;
  while (at < script.length) {
    const op = script[at++]!;
    let n: number;
    count++;
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
  return last === undefined ? undefined : { count, last };
}
