/** Turns the real mainnet fixtures into contract messages. Input addresses are derived from each
 * input's scriptSig or witness public key (the fixtures carry no prevouts); values are unknown (0). */
import { readFileSync } from 'node:fs';
import * as bitcoin from 'bitcoinjs-lib';
import { fixtures } from './sample.js';

export interface FixtureTx { txid: string; hex: string }

export function inputAddress(input: bitcoin.Transaction['ins'][number]): string | null {
  const witness = input.witness;
  if (witness.length === 2 && witness[1]!.length === 33) return bitcoin.payments.p2wpkh({ pubkey: Buffer.from(witness[1]!) }).address!;
  const chunks = bitcoin.script.decompile(input.script);
  const last = chunks?.[chunks.length - 1];
  if (chunks?.length === 2 && last instanceof Uint8Array && (last.length === 33 || last.length === 65)) return bitcoin.payments.p2pkh({ pubkey: Buffer.from(last) }).address!;
  return null;
}

export function bitcoinMessage(tx: FixtureTx, blockTime = '2021-09-30T11:50:41Z'): string {
  const parsed = bitcoin.Transaction.fromHex(tx.hex);
  return JSON.stringify({ schema: 'chain.bitcoin.tx.v1', txid: tx.txid, hex: tx.hex, blockHeight: 702861, blockTime, prevouts: parsed.ins.map((i) => ({ address: inputAddress(i), value: '0' })) });
}

export const multiInput = () => JSON.parse(readFileSync(`${fixtures}/btc_multi_input_block702861.json`, 'utf8')) as { cases: { case: string; expect: { multi_input_clusters: string[][]; is_coinjoin?: boolean }; transactions: FixtureTx[] }[] };
export const coinjoins = () => JSON.parse(readFileSync(`${fixtures}/btc_coinjoins_block702861.json`, 'utf8')) as { transactions: (FixtureTx & { label: string })[] };
export const erc20 = () => JSON.parse(readFileSync(`${fixtures}/eth_erc20_receipt_block1755635.json`, 'utf8')) as { transaction: { hash: string; from: string }; receipt: { logs: { address: string; topics: string[]; data: string; logIndex: string; blockNumber: string; transactionHash: string }[] } };
