/**
 * Hand-written validators for the chain messages (chain.evm.log.v1, chain.evm.tx.v1,
 * chain.bitcoin.tx.v1), as fast-path.ts does for transfers and logins: each returns exactly what
 * the zod schema's parse returns for a valid message (same keys in the schema's order, unknown
 * keys stripped, fresh objects where zod builds them), or undefined for anything zod might
 * reject, and zod then judges it. test/unit/decode-chain-fast-path.test.ts proves with generated
 * messages that they accept exactly what zod accepts, with the same value.
 */
import { CHAIN_NAMES, HEX_COUNT_PATTERN, HEX_UNITS_PATTERN, UNITS_PATTERN } from '../contract/primitives.js';
import { LIMITS, type BitcoinTxMessage, type EvmLogMessage, type EvmTxMessage } from '../contract/schemas.js';
import { isText, isTime } from './fast-path.js';

type Fields = Record<string, unknown>;

const HASH = /^(0x)?[0-9a-fA-F]{64}$/;
const TXID = /^[0-9a-fA-F]{64}$/;
const TOPIC = /^0x[0-9a-fA-F]{64}$/;
const HEX_DIGITS = /^[0-9a-fA-F]*$/;
const PREFIXED_HEX_DIGITS = /^0x[0-9a-fA-F]*$/;
const MAX_TOPICS = 4;
const MAX_RAW_HEX = 8_000_000;

const matches = (v: unknown, pattern: RegExp): v is string => typeof v === 'string' && pattern.test(v);
/**
 * What /^([0-9a-fA-F]{2})+$/ (raw hex, `nonEmpty`) or /^0x([0-9a-fA-F]{2})*$/ (log data) accept,
 * by length and one plain character class: a repeated capture group costs the regex engine its
 * bookkeeping at every byte of a raw transaction.
 */
const isRawHex = (v: string): boolean => v.length > 0 && v.length % 2 === 0 && HEX_DIGITS.test(v);
const isLogData = (v: unknown): v is string => typeof v === 'string' && v.length % 2 === 0 && PREFIXED_HEX_DIGITS.test(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** A block number or log index as zod's blockCount parses it (a 0x quantity becomes its number), or undefined. */
const countOf = (v: unknown): number | undefined => (isCount(v) ? v : matches(v, HEX_COUNT_PATTERN) ? Number.parseInt(v.slice(2), 16) : undefined);
/** Base units as zod's unitString parses them (a 0x quantity becomes its decimal string), or undefined. */
const unitsOf = (v: unknown): string | undefined => (matches(v, UNITS_PATTERN) ? v : matches(v, HEX_UNITS_PATTERN) ? BigInt(v).toString() : undefined);
const isEvmChain = (v: unknown): v is EvmTxMessage['chain'] => typeof v === 'string' && v !== 'bitcoin' && CHAIN_NAMES.has(v);
const isAddress = (v: unknown): v is string => isText(v, 1, LIMITS.address);

function isTopicList(v: unknown): v is string[] {
  if (!Array.isArray(v) || v.length > MAX_TOPICS) return false;
  for (let i = 0; i < v.length; i++) if (!matches(v[i], TOPIC)) return false;
  return true;
}

/** zod's evmLogSchema parse of a valid log, or undefined (then ask zod). */
export function fastParseEvmLog(v: Fields): EvmLogMessage | undefined {
  const logIndex = countOf(v.logIndex);
  const blockNumber = countOf(v.blockNumber);
  if (v.schema !== 'chain.evm.log.v1' || !isEvmChain(v.chain) || !matches(v.txHash, HASH) || logIndex === undefined || blockNumber === undefined
    || !isTime(v.blockTime) || !isAddress(v.address) || !isTopicList(v.topics) || !isLogData(v.data) || (v.removed !== undefined && typeof v.removed !== 'boolean')) return undefined;
  const log: EvmLogMessage = { schema: 'chain.evm.log.v1', chain: v.chain, txHash: v.txHash, logIndex, blockNumber, blockTime: v.blockTime, address: v.address, topics: v.topics, data: v.data };
  if (v.removed !== undefined) log.removed = v.removed as boolean; // a reorg's flag, where eth_getLogs gives it
  return log;
}

/** zod's evmTxSchema parse of a valid transaction, or undefined (then ask zod). */
export function fastParseEvmTx(v: Fields): EvmTxMessage | undefined {
  const blockNumber = countOf(v.blockNumber);
  const value = unitsOf(v.value);
  if (v.schema !== 'chain.evm.tx.v1' || !isEvmChain(v.chain) || !matches(v.hash, HASH) || blockNumber === undefined || !isTime(v.blockTime)
    || !isAddress(v.from) || (v.to !== null && !isAddress(v.to)) || value === undefined || v.status !== undefined) return undefined; // a receipt status: zod's
  return { schema: 'chain.evm.tx.v1', chain: v.chain, hash: v.hash, blockNumber, blockTime: v.blockTime, from: v.from, to: v.to as string | null, value };
}

type Prevout = BitcoinTxMessage['prevouts'][number];

/** Fresh {address, value} objects as zod builds them, or undefined when one is invalid. */
function parsePrevouts(v: unknown): Prevout[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Prevout[] = new Array<Prevout>(v.length);
  for (let i = 0; i < v.length; i++) {
    const p: unknown = v[i];
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return undefined;
    const { address, value } = p as Fields;
    const units = unitsOf(value);
    if ((address !== null && !isAddress(address)) || units === undefined) return undefined;
    out[i] = { address: address as string | null, value: units };
  }
  return out;
}

/** zod's bitcoinTxSchema parse of a valid transaction, or undefined (then ask zod). */
export function fastParseBitcoinTx(v: Fields): BitcoinTxMessage | undefined {
  if (v.schema !== 'chain.bitcoin.tx.v1' || !matches(v.txid, TXID) || typeof v.hex !== 'string' || v.hex.length > MAX_RAW_HEX || !isRawHex(v.hex)
    || !isTime(v.blockTime)) return undefined;
  const blockHeight = v.blockHeight === undefined ? undefined : countOf(v.blockHeight);
  if (v.blockHeight !== undefined && blockHeight === undefined) return undefined;
  const prevouts = parsePrevouts(v.prevouts);
  if (prevouts === undefined) return undefined;
  const msg = { schema: 'chain.bitcoin.tx.v1', txid: v.txid, hex: v.hex } as BitcoinTxMessage;
  if (blockHeight !== undefined) msg.blockHeight = blockHeight;
  msg.blockTime = v.blockTime;
  msg.prevouts = prevouts;
  return msg;
}
