/**
 * decode + normalise: one raw message (bytes or text) becomes a DecodedEvent or a Reject.
 * It never throws: every failure is a value with a reason code, bound for the dead-letter sink.
 */
import type { z } from 'zod';
import { addressKey, AddressError, type AddressKey } from '../chain/address.js';
import { BitcoinTxError, parseBitcoinTx } from '../chain/bitcoin.js';
import { decodeTransferLog, tokenInfo, unitsToNumber } from '../chain/evm.js';
import { parseIsoUtc, type Chain } from '../contract/primitives.js';
import { INPUT_SCHEMAS, type SchemaName } from '../contract/schemas.js';
import type { DecodedEvent, Reject, ValueTransfer } from './events.js';
import { DEFAULT_PRICES, usdOf, type PriceTable } from './prices.js';

export interface DecodeOptions {
  /** Messages larger than this many bytes are rejected unparsed. @defaultValue 1 MiB */
  maxBytes: number;
  prices: PriceTable;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = { maxBytes: 1 << 20, prices: DEFAULT_PRICES };

export type DecodeResult = { ok: true; event: DecodedEvent } | { ok: false; reject: Reject };

const reject = (code: string, reason: string, issues?: Reject['issues']): DecodeResult => ({ ok: false, reject: { code, reason, ...(issues ? { issues } : {}) } });

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

const time = (iso: string): number => parseIsoUtc(iso)!;

function decodeTransfer(msg: z.infer<(typeof INPUT_SCHEMAS)['exchange.transfer.v1']>, prices: PriceTable): DecodedEvent {
  const from = msg.from.map((a, i) => keyAt(msg.chain, a, `from.${i}`));
  const to = keyAt(msg.chain, msg.to, 'to');
  const amount = Number(msg.amount);
  return { type: 'transfer', eventId: msg.eventId, time: time(msg.occurredAt), msg, from, to, amount, usd: usdOf(msg.asset, amount, prices, msg.usdValue) };
}

class FieldAddressError extends Error {
  constructor(readonly path: string, readonly inner: AddressError) {
    super(inner.message);
  }
}

function keyAt(chain: Chain, address: string, path: string): AddressKey {
  try {
    return addressKey(chain, address);
  } catch (err) {
    if (err instanceof AddressError) throw new FieldAddressError(path, err);
    throw err;
  }
}

function decodeBitcoin(msg: z.infer<(typeof INPUT_SCHEMAS)['chain.bitcoin.tx.v1']>, prices: PriceTable): DecodedEvent {
  msg.prevouts.forEach((p, i) => p.address !== null && keyAt('bitcoin', p.address, `prevouts.${i}.address`));
  const tx = parseBitcoinTx(msg.hex, msg.txid, msg.prevouts);
  const totalIn = tx.inputs.reduce((s, i) => s + i.value, 0n);
  const transfers: ValueTransfer[] = [];
  // Value flow: each input funds each output in proportion to its share of the inputs.
  const inputs = tx.inputs.filter((i) => i.address !== null);
  const outputs = tx.outputs.filter((o) => o.address !== null);
  if (inputs.length * outputs.length <= 2500 && totalIn > 0n) {
    for (const i of inputs) {
      for (const o of outputs) {
        if (o.address === i.address) continue;
        const sats = (o.value * i.value) / totalIn;
        const btc = unitsToNumber(sats, 8);
        transfers.push({ from: i.address!, to: o.address!, asset: 'BTC', amount: btc, usd: usdOf('BTC', btc, prices) });
      }
    }
  }
  return { type: 'chain', eventId: `btc:${tx.txid}`, time: time(msg.blockTime), chain: 'bitcoin', txHash: tx.txid, transfers, bitcoin: tx };
}

function nativeSymbol(chain: Chain): string {
  return ({ ethereum: 'ETH', tron: 'TRX', polygon: 'POL', bsc: 'BNB', avalanche: 'AVAX', arbitrum: 'ETH', base: 'ETH', optimism: 'ETH', bitcoin: 'BTC' } as const)[chain];
}

function decodeEvmTx(msg: z.infer<(typeof INPUT_SCHEMAS)['chain.evm.tx.v1']>, prices: PriceTable): DecodedEvent {
  const from = keyAt(msg.chain, msg.from, 'from');
  const to = msg.to === null ? null : keyAt(msg.chain, msg.to, 'to');
  const symbol = nativeSymbol(msg.chain);
  const amount = unitsToNumber(BigInt(msg.value), msg.chain === 'tron' ? 6 : 18);
  const transfers = to && amount > 0 ? [{ from, to, asset: symbol, amount, usd: usdOf(symbol, amount, prices) }] : [];
  const hash = msg.hash.toLowerCase().replace(/^0x/, '');
  return { type: 'chain', eventId: `evm:${msg.chain}:${hash}`, time: time(msg.blockTime), chain: msg.chain, txHash: hash, transfers };
}

function decodeEvmLog(msg: z.infer<(typeof INPUT_SCHEMAS)['chain.evm.log.v1']>, prices: PriceTable): DecodedEvent {
  const hash = msg.txHash.toLowerCase().replace(/^0x/, '');
  const eventId = `log:${msg.chain}:${hash}:${msg.logIndex}`;
  const contract = keyAt(msg.chain, msg.address, 'address');
  const decoded = decodeTransferLog(msg.chain, msg.address, msg.topics, msg.data);
  if (!decoded) return { type: 'ignored', eventId, time: time(msg.blockTime), reason: 'not an ERC-20/TRC-20 Transfer log' };
  const token = tokenInfo(contract);
  const asset = token?.symbol ?? contract;
  const amount = unitsToNumber(decoded.value, token?.decimals ?? 0);
  const usd = token ? usdOf(token.symbol, amount, prices) : null;
  return { type: 'chain', eventId, time: time(msg.blockTime), chain: msg.chain, txHash: hash, transfers: [{ from: decoded.from, to: decoded.to, asset, amount, usd }] };
}

function decodeLabel(msg: z.infer<(typeof INPUT_SCHEMAS)['intel.label.v1']>): DecodedEvent {
  const key = keyAt(msg.chain, msg.address, 'address');
  const eventId = `label:${key}:${msg.label}:${msg.source}:${msg.observedAt}${msg.removed ? ':removed' : ''}`;
  return { type: 'label', eventId, time: time(msg.observedAt), key, msg };
}

/** Decodes one message. `text` is the raw line or Kafka value. */
export function decodeMessage(text: string, options: DecodeOptions = DEFAULT_DECODE_OPTIONS): DecodeResult {
  if (text.length > options.maxBytes || Buffer.byteLength(text) > options.maxBytes) {
    return reject('TW_OVERSIZED', `message of ${Buffer.byteLength(text)} bytes exceeds the limit of ${options.maxBytes}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return reject('TW_JSON', `malformed JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('TW_NOT_OBJECT', `message is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`);
  }
  const name = (value as { schema?: unknown }).schema;
  if (typeof name !== 'string' || !(name in INPUT_SCHEMAS)) {
    return reject('TW_UNKNOWN_SCHEMA', `unknown schema ${JSON.stringify(name ?? null)}`, [{ path: 'schema', message: 'not a known schema name and version' }]);
  }
  const parsed = INPUT_SCHEMAS[name as SchemaName].safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return reject('TW_SCHEMA', `${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  try {
    const msg = parsed.data;
    switch (msg.schema) {
      case 'exchange.transfer.v1':
        return { ok: true, event: decodeTransfer(msg, options.prices) };
      case 'exchange.login.v1':
        return { ok: true, event: { type: 'login', eventId: msg.eventId, time: time(msg.occurredAt), msg } };
      case 'chain.bitcoin.tx.v1':
        return { ok: true, event: decodeBitcoin(msg, options.prices) };
      case 'chain.evm.tx.v1':
        return { ok: true, event: decodeEvmTx(msg, options.prices) };
      case 'chain.evm.log.v1':
        return { ok: true, event: decodeEvmLog(msg, options.prices) };
      case 'intel.label.v1':
        return { ok: true, event: decodeLabel(msg) };
    }
  } catch (err) {
    if (err instanceof FieldAddressError) return reject('TW_ADDRESS', `${name}: ${err.path}: ${err.message}`, [{ path: err.path, message: err.message }]);
    if (err instanceof AddressError) return reject('TW_ADDRESS', `${name}: ${err.message}`);
    if (err instanceof BitcoinTxError) return reject('TW_TXID', `${name}: ${err.message}`, [{ path: 'txid', message: err.message }]);
    return reject('TW_DECODE', `${name}: ${(err as Error).message}`);
  }
}

