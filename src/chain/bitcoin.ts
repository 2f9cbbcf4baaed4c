/**
 * Raw Bitcoin transactions, parsed with bitcoinjs-lib: the txid is recomputed from the hex,
 * every standard output gets its address (P2PKH, P2SH, P2WPKH, P2WSH, P2TR), OP_RETURN and
 * non-standard outputs get none, and prevouts give the input addresses and values (each checked
 * against what its input offers to spend it: prevout-check.ts).
 */
import * as bitcoin from 'bitcoinjs-lib';
import type { AddressKey } from './address.js';
import { addressKey, bitcoinScriptAddress } from './address.js';
import { readRawBitcoinTx, type RawBitcoinTx } from './bitcoin-reader.js';
import { anySigned, prevoutContradiction } from './prevout-check.js';

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

/** Parses and checks a raw transaction; throws BitcoinTxError with the reason. `inputKeys`: the prevouts' keys when the caller has them. */
export function parseBitcoinTx(hex: string, txid: string, prevouts: { address: string | null; value: string }[], inputKeys?: readonly (AddressKey | null)[]): ParsedBitcoinTx {
  // The lean reader settles the common case; bitcoinjs-lib judges everything else (and words every reject).
  const raw = readRawBitcoinTx(Buffer.from(hex, 'hex')) ?? viaBitcoinjs(hex);
  if (raw.txid !== txid.toLowerCase()) throw new BitcoinTxError(`txid ${txid} does not match the hex (computed ${raw.txid})`);
  if (!raw.isCoinbase && prevouts.length !== raw.inputCount) {
    throw new BitcoinTxError(`prevouts has ${prevouts.length} entries for ${raw.inputCount} inputs`);
  }
  const inputs = raw.isCoinbase
    ? []
    : prevouts.map((p, i) => ({ address: inputKeys ? inputKeys[i]! : p.address === null ? null : addressKey('bitcoin', p.address), value: BigInt(p.value) }));
  const signed = anySigned(raw.spends);
  for (let i = 0; i < inputs.length; i++) {
    const key = inputs[i]!.address;
    const why = key === null ? undefined : prevoutContradiction(key, raw.spends[i]!, signed);
    if (why !== undefined) throw new BitcoinTxError(`prevouts.${i}.address ${prevouts[i]!.address} is not what input ${i} spends: ${why}`);
  }
  const outputs = raw.outputs.map((o) => {
    const type = outputType(o.script);
    return { address: outputAddress(o.script, type), value: o.value, type };
  });
  refuseImpossibleValues(inputs, outputs, raw.isCoinbase);
  return { txid: raw.txid, inputs, outputs, isCoinbase: raw.isCoinbase };
}

/** Satoshis that will ever exist (21 million BTC): Bitcoin's own bound on any value and any sum. */
const MAX_MONEY = 2_100_000_000_000_000n;

/**
 * No value or sum exceeds MAX_MONEY: such a transaction or prevout list cannot exist. Outputs
 * that pay more than the prevouts hold (a negative fee) are accepted: the labelled sample stream
 * carries 36 such transactions (prevout values a producer approximated), and the value flow
 * splits the outputs by each input's share, which stays meaningful. A coinbase has no prevouts.
 */
function refuseImpossibleValues(inputs: readonly { value: bigint }[], outputs: readonly { value: bigint }[], isCoinbase: boolean): void {
  let spent = 0n;
  for (const o of outputs) spent += o.value;
  if (spent > MAX_MONEY) throw new BitcoinTxError(`outputs pay ${spent} satoshis, more than the 21 million BTC that will ever exist`);
  if (isCoinbase) return;
  let held = 0n;
  for (const i of inputs) held += i.value;
  if (held > MAX_MONEY) throw new BitcoinTxError(`prevouts hold ${held} satoshis, more than the 21 million BTC that will ever exist`);
}

function viaBitcoinjs(hex: string): RawBitcoinTx {
  let tx: bitcoin.Transaction;
  try {
    tx = bitcoin.Transaction.fromHex(hex);
  } catch (err) {
    throw new BitcoinTxError(`hex is not a valid transaction: ${(err as Error).message}`);
  }
  return { txid: tx.getId(), inputCount: tx.ins.length, isCoinbase: tx.isCoinbase(), outputs: tx.outs.map((o) => ({ value: BigInt(o.value), script: o.script })), spends: tx.ins.map((i) => ({ scriptSig: i.script, witness: i.witness })) };
}
