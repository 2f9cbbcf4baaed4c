/**
 * Raw Bitcoin transactions, parsed with bitcoinjs-lib: the txid is recomputed from the hex,
 * every standard output gets its address (P2PKH, P2SH, P2WPKH, P2WSH, P2TR), OP_RETURN and
 * non-standard outputs get none, and prevouts give the input addresses and values.
 */
import * as bitcoin from 'bitcoinjs-lib';
import type { AddressKey } from './address.js';
import { addressKey, bitcoinScriptAddress } from './address.js';

export interface BitcoinInput {
  address: AddressKey | null;
  value: bigint;
}

export interface BitcoinOutput {
  address: AddressKey | null;
  value: bigint;
  /** `op_return`, `nonstandard`, or the output's payment type. */
  type: string;
}

export interface ParsedBitcoinTx {
  txid: string;
  inputs: BitcoinInput[];
  outputs: BitcoinOutput[];
  isCoinbase: boolean;
}

const OP_RETURN = 0x6a;

function outputType(script: Uint8Array): string {
  if (script[0] === OP_RETURN) return 'op_return';
  const len = script.length;
  if (len === 25 && script[0] === 0x76 && script[1] === 0xa9) return 'p2pkh';
  if (len === 23 && script[0] === 0xa9) return 'p2sh';
  if (len === 22 && script[0] === 0x00) return 'p2wpkh';
  if (len === 34 && script[0] === 0x00) return 'p2wsh';
  if (len === 34 && script[0] === 0x51) return 'p2tr';
  return 'nonstandard';
}

function outputAddress(script: Uint8Array, type: string): AddressKey | null {
  const address = bitcoinScriptAddress(script, type);
  return address === null ? null : `btc:${address}`;
}

export class BitcoinTxError extends Error {
  readonly code = 'TW_BAD_BITCOIN_TX';
}

/** Parses and checks a raw transaction; throws BitcoinTxError with the reason. */
export function parseBitcoinTx(hex: string, txid: string, prevouts: { address: string | null; value: string }[]): ParsedBitcoinTx {
  let tx: bitcoin.Transaction;
  try {
    tx = bitcoin.Transaction.fromHex(hex);
  } catch (err) {
    throw new BitcoinTxError(`hex is not a valid transaction: ${(err as Error).message}`);
  }
  const computed = tx.getId();
  if (computed !== txid.toLowerCase()) throw new BitcoinTxError(`txid ${txid} does not match the hex (computed ${computed})`);
  const isCoinbase = tx.isCoinbase();
  if (!isCoinbase && prevouts.length !== tx.ins.length) {
    throw new BitcoinTxError(`prevouts has ${prevouts.length} entries for ${tx.ins.length} inputs`);
  }
  const inputs = isCoinbase
    ? []
    : prevouts.map((p) => ({ address: p.address === null ? null : addressKey('bitcoin', p.address), value: BigInt(p.value) }));
  const outputs = tx.outs.map((o) => {
    const type = outputType(o.script);
    return { address: outputAddress(o.script, type), value: BigInt(o.value), type };
  });
  return { txid: computed, inputs, outputs, isCoinbase };
}
