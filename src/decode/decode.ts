/**
 * decode + normalise: one raw message (bytes or text) becomes a DecodedEvent or a Reject.
 * It never throws: every failure is a value with a reason code, bound for the dead-letter sink.
 */
import type { z } from 'zod';
import { addressKey, AddressError, type AddressKey } from '../chain/address.js';
import { BitcoinTxError, parseBitcoinTx } from '../chain/bitcoin.js';
import { decodeTransferLog, tokenInfo } from '../chain/evm.js';
import { blacklistLabelEvent } from './blacklist-label.js';
import { CONTROL_CHARACTER_MESSAGE, fieldWithControlCharacter } from './identifier-text.js';
import { IP_LITERAL_MESSAGE, isIpLiteral, parseIsoUtc, type Chain } from '../contract/primitives.js';
import { INPUT_SCHEMAS, LIMITS, type SchemaName } from '../contract/schemas.js';
import { dropNullOptionals } from '../contract/null-optionals.js';
import { raiseTimeLetters } from '../contract/time-letters.js';
import type { DecodedEvent, Reject, ValueTransfer } from './events.js';
import { fastParseBitcoinTx, fastParseEvmLog, fastParseEvmTx } from './chain-fast-path.js';
import { fastParseLogin, fastParseTransfer } from './fast-path.js';
import { misspeltFields } from './misspelt-fields.js';
import { suspectFields, type SuspectField } from './suspect-fields.js';
import { Decimal } from '../money/decimal.js';
import { impossibleForAsset } from './asset-precision.js';
import { DEFAULT_PRICES, STABLECOINS, usdOf, type PriceTable } from './prices.js';

export interface DecodeOptions {
  /** Messages larger than this many bytes are rejected unparsed. @defaultValue 1 MiB */
  maxBytes: number;
  prices: PriceTable;
  /**
   * Validate transfers and logins with the hand-written fast path first (zod still judges every
   * message the fast path does not accept). `false` forces zod alone, for tests and benchmarks.
   * @defaultValue true
   */
  fastPath?: boolean;
  /**
   * An event time further ahead of this machine's clock is impossible (a producer's clock or a
   * unit error) and rejected: accepted, one message dated 2099 would move every retention clock
   * 74 years on and evict the whole state. @defaultValue 366 days
   */
  maxAheadMs?: number;
  /** This machine's clock (ms), for `maxAheadMs`. @defaultValue Date.now */
  now?: () => number;
  /**
   * What a login's or a session's `ip` must be: `address`, an IPv4 or IPv6 literal (`999.1.1.1`
   * or free text is refused); `any`, any text of at most 64 characters, for an exchange that
   * sends opaque pseudonyms (SESSION_IP_FORMAT). @defaultValue 'address'
   */
  ipFormat?: IpFormat;
  /**
   * Whether identifiers holding a control character are refused (identifier-text.ts). A
   * checkpoint's retained events were accepted when they arrived and are not judged again.
   * @defaultValue true
   */
  refuseControlCharacters?: boolean;
  /**
   * Whether an event time before EARLIEST_EVENT_TIME (Bitcoin's genesis block) is refused
   * (TW_TIME_PAST). Not an operator's setting: no crypto-asset event can be older. Off only for a
   * checkpoint's retained events, accepted once by a release before the check. @defaultValue true
   */
  refuseBeforeGenesis?: boolean;
}

export const IP_FORMATS = ['address', 'any'] as const;
export type IpFormat = (typeof IP_FORMATS)[number];

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = { maxBytes: 1 << 20, prices: DEFAULT_PRICES, fastPath: true, maxAheadMs: 366 * 86_400_000 };

/**
 * The earliest event time that can be: the timestamp of Bitcoin's genesis block (height 0),
 * 2009-01-03T18:15:05Z. No chain, exchange, label or price event of a crypto-asset can be older;
 * the contract names no lower bound, so this is no setting. An older time is an input error (a
 * Unix epoch of 0, a year 0001, seconds read as milliseconds) and, accepted, would set a window's
 * or a retention clock's start decades back (session 63 QA: 1970, year 0001 and 2008 were all
 * accepted).
 */
export const EARLIEST_EVENT_TIME = '2009-01-03T18:15:05Z';
const EARLIEST_EVENT_MS = Date.parse(EARLIEST_EVENT_TIME);

/** The field each schema's event time comes from, for the reject's issue path. */
const TIME_FIELD: Record<SchemaName, string> = {
  'exchange.transfer.v1': 'occurredAt', 'exchange.login.v1': 'occurredAt', 'chain.bitcoin.tx.v1': 'blockTime', 'chain.evm.tx.v1': 'blockTime',
  'chain.evm.log.v1': 'blockTime', 'intel.label.v1': 'observedAt', 'market.price.v1': 'observedAt',
};

type InputMessage = z.infer<(typeof INPUT_SCHEMAS)[SchemaName]>;

/**
 * An accepted message's event, the schema it was (which topics may carry it: src/contract/topic-schemas.ts)
 * and, when it has any, its unknown fields that look like a misspelt optional field it lacks (suspect-fields.ts).
 */
export type DecodeResult = { ok: true; event: DecodedEvent; schema: SchemaName; suspects?: SuspectField[] } | { ok: false; reject: Reject };

const reject = (code: string, reason: string, issues?: Reject['issues']): DecodeResult => ({ ok: false, reject: { code, reason, ...(issues ? { issues } : {}) } });

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

const time = (iso: string): number => parseIsoUtc(iso)!;

/** A transaction hash as the graph keeps it: lower case, without `0x` (what `.toLowerCase().replace(/^0x/, '')` gives, without a regex). */
function bareHash(hash: string): string {
  const lower = hash.toLowerCase();
  return lower.charCodeAt(0) === 48 && lower.charCodeAt(1) === 120 ? lower.slice(2) : lower;
}

/**
 * More USD than every crypto-asset in existence is worth (about 3 × 10^12 in 2025): a transfer
 * valued above it is an input error (a unit mistake, a corrupt amount), as a `usdValue` above it
 * is refused by the schema.
 */
export const MAX_PLAUSIBLE_USD = Decimal.fromNumber(LIMITS.usdValue);

/** Bitcoin's supply limit: no amount of BTC can be larger. */
const BTC_SUPPLY = Decimal.fromNumber(21_000_000);
/** Above all the ether there is (about 120 M in 2025, and issuance is about flat): no amount of ETH can be larger. */
const ETH_BOUND = Decimal.fromNumber(200_000_000);

/** A tenth of the bound: a double's rounding cannot carry an amount valued below it past the bound. */
const PLAINLY_POSSIBLE_USD = LIMITS.usdValue / 10;

/** A transfer whose amount cannot be: refused by decodeValid with its field and reason. */
class ImpossibleAmountError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

/**
 * Refuses an amount worth more than MAX_PLAUSIBLE_USD at its peg or the price table's price,
 * whatever `usdValue` the exchange gave: 10^30 BTC with a `usdValue` of 100 is still no transfer.
 * Assets without a peg or table price are bounded by the schema's 30 whole digits only.
 * `near`: the amount as the nearest double, the Number of its text (a chain amount's is
 * Decimal.toNumber, which prints no text while its units are a safe integer).
 */
function refuseImpossibleAmount(asset: string, near: number, amount: Decimal, prices: PriceTable, path = 'amount'): void {
  const symbol = asset.toUpperCase();
  const price = STABLECOINS.has(symbol) ? 1 : prices[symbol];
  // Nearly every amount is far below the bound: told by a double, without the exact product.
  if (price !== undefined && near * price > PLAINLY_POSSIBLE_USD) {
    const valued = usdOf(asset, amount, prices);
    if (valued.usd !== null && valued.usd.compare(MAX_PLAUSIBLE_USD) > 0) {
      throw new ImpossibleAmountError(path, `${amount.toString()} ${asset} is worth more than ${LIMITS.usdValue.toExponential()} USD at the ${valued.source === 'peg' ? 'stablecoin peg' : 'price table'}: an impossible amount`);
    }
  }
  // Whatever its price: no more bitcoin will ever exist (session 42 QA: a deposit of 30,000,000
  // BTC without usdValue was accepted, worth less than the USD bound at the table's price).
  if (symbol === 'BTC' && near >= 21_000_000 && amount.compare(BTC_SUPPLY) > 0) {
    throw new ImpossibleAmountError(path, `${amount.toString()} BTC is more than the 21,000,000 BTC that will ever exist: an impossible amount`);
  }
  if (symbol === 'ETH' && near >= 200_000_000 && amount.compare(ETH_BOUND) > 0) {
    throw new ImpossibleAmountError(path, `${amount.toString()} ETH is more than all the ether there is (about 120,000,000; bound 200,000,000): an impossible amount`);
  }
}

/** No crypto-asset trades near this many USD a unit: a price above it is a unit or feed error. */
const MAX_PLAUSIBLE_PRICE = Decimal.fromNumber(10_000_000);
/** A stablecoin priced outside this band around its 1 USD peg is a feed error, not a de-peg to trust blindly. */
const PEG_BAND = [Decimal.parse('0.5'), Decimal.parse('1.5')] as const;

/**
 * Refuses a market price that would revalue every transfer of its asset into nonsense for the
 * next 24 h (a feed's one fat-fingered USDT price of 10^15 made a 10 USDT deposit worth 10^16 USD).
 */
function refuseImplausiblePrice(asset: string, price: Decimal): void {
  if (price.compare(MAX_PLAUSIBLE_PRICE) > 0) throw new ImpossibleAmountError('price', `${price.toString()} USD for one ${asset} is more than ${MAX_PLAUSIBLE_PRICE.toString()}: a unit or feed error`);
  if (STABLECOINS.has(asset) && (price.compare(PEG_BAND[0]) < 0 || price.compare(PEG_BAND[1]) > 0)) {
    throw new ImpossibleAmountError('price', `${price.toString()} USD for ${asset}, a stablecoin pegged at 1 USD, is outside ${PEG_BAND[0].toString()} to ${PEG_BAND[1].toString()}: a feed error`);
  }
}

/**
 * The senders of every transfer that names none (withdrawals): frozen, so nothing can fill it
 * for all of them; typed as the mutable list a TransferEvent declares (nothing writes one).
 */
const NO_SENDERS = Object.freeze([]) as unknown as AddressKey[];

function decodeTransfer(msg: z.infer<(typeof INPUT_SCHEMAS)['exchange.transfer.v1']>, prices: PriceTable): DecodedEvent {
  // Sized up front: a list grown by push reserves 16 slots or more, about 130 bytes wasted on
  // every retained deposit. A withdrawal names no sender: one shared empty list serves them all.
  const from: AddressKey[] = msg.from.length === 0 ? NO_SENDERS : new Array<AddressKey>(msg.from.length);
  for (let i = 0; i < msg.from.length; i++) from[i] = keyAt(msg.chain, msg.from[i]!, 'from', i);
  const to = keyAt(msg.chain, msg.to, 'to');
  const amount = Decimal.parse(msg.amount);
  refuseImpossibleAmount(msg.asset, Number(msg.amount), amount, prices);
  const impossible = impossibleForAsset(msg.chain, msg.asset, amount, nativeSymbol(msg.chain), NATIVE_SYMBOL_SET);
  if (impossible !== undefined) throw new ImpossibleAmountError(impossible.path, impossible.reason);
  const valued = usdOf(msg.asset, amount, prices, msg.usdValue);
  // A stablecoin's USD value is usually its amount: then one object serves both (a Decimal is immutable).
  const usd = valued.usd !== null && valued.usd.units === amount.units && valued.usd.scale === amount.scale ? amount : valued.usd;
  const source = valued.source;
  // `dealtSince` and `settles` are declared here, unset, so the event keeps them in-object
  // when the state sets them: added later, they cost a separate property array (40 bytes) on
  // every retained transfer that gets one (a soak snapshot: 55% of them, for `dealtSince`).
  return { type: 'transfer', eventId: msg.eventId, time: time(msg.occurredAt), msg, from, to, amount, usd, usdSource: source, dealtSince: undefined, settles: undefined, gateStamp: -1, gatesFailed: 0 };
}

class FieldAddressError extends Error {
  constructor(readonly path: string, readonly inner: AddressError) {
    super(inner.message);
  }
}

/**
 * The address's key; a bad address throws FieldAddressError naming its field (`from.2` for field
 * `from`, index 2; `prevouts.2.address` with `inner` too).
 */
function keyAt(chain: Chain, address: string, field: string, index?: number, inner?: string): AddressKey {
  try {
    return addressKey(chain, address);
  } catch (err) {
    // The path string is built only on failure: the hot path allocates no field name per address.
    if (err instanceof AddressError) throw new FieldAddressError(index === undefined ? field : inner === undefined ? `${field}.${index}` : `${field}.${index}.${inner}`, err);
    throw err;
  }
}

function decodeBitcoin(msg: z.infer<(typeof INPUT_SCHEMAS)['chain.bitcoin.tx.v1']>, prices: PriceTable): DecodedEvent {
  // Keys first: a bad prevout address is reported before the hex is looked at.
  const inputKeys = msg.prevouts.map((p, i) => (p.address === null ? null : keyAt('bitcoin', p.address, 'prevouts', i, 'address')));
  const tx = parseBitcoinTx(msg.hex, msg.txid, msg.prevouts, inputKeys);
  const transfers: ValueTransfer[] = [];
  // Value flow: co-spend makes a transaction's inputs one cluster, so each output is paid by that
  // cluster, in full, through its largest input (ties by key). An edge per input and output, each
  // a share, had split a payment from a wallet of many coins under every per-hop floor (two inputs
  // paying $1,425 were two $712 edges) and grew as inputs times outputs (QA). Outputs to an input
  // address are change. A CoinJoin's outputs are not traced at all (the graph writer's rule). The
  // graph writer links the other inputs to the payer (GraphWriter.linkCoSpent), so a walk from
  // any input reaches the outputs at the payer's hop.
  const payer = largestInput(tx.inputs);
  if (payer !== undefined) {
    const spenders = new Set(tx.inputs.map((i) => i.address));
    for (const o of tx.outputs) {
      if (o.address === null || spenders.has(o.address)) continue;
      const btc = Decimal.fromUnits(o.value, 8);
      const { usd, source } = usdOf('BTC', btc, prices);
      transfers.push({ from: payer, to: o.address, asset: 'BTC', amount: btc, usd, usdSource: source });
    }
  }
  return { type: 'chain', eventId: `btc:${tx.txid}`, time: time(msg.blockTime), chain: 'bitcoin', txHash: tx.txid, transfers, bitcoin: tx };
}

/** The address of the input that spends the most (the smallest key among equals), if any has one. */
function largestInput(inputs: readonly { address: string | null; value: bigint }[]): string | undefined {
  let best: { address: string; value: bigint } | undefined;
  for (const i of inputs) {
    if (i.address === null) continue;
    if (!best || i.value > best.value || (i.value === best.value && i.address < best.address)) best = { address: i.address, value: i.value };
  }
  return best?.address;
}

/** Each chain's native coin (exhaustive: a chain added to the contract's list must name its coin). */
const NATIVE_SYMBOLS: Record<Chain, string> = {
  ethereum: 'ETH', tron: 'TRX', polygon: 'POL', bsc: 'BNB', avalanche: 'AVAX', arbitrum: 'ETH', base: 'ETH', optimism: 'ETH', bitcoin: 'BTC',
  linea: 'ETH', zksync: 'ETH', scroll: 'ETH', blast: 'ETH', fantom: 'FTM', gnosis: 'XDAI', mantle: 'MNT', celo: 'CELO',
};

function nativeSymbol(chain: Chain): string {
  return NATIVE_SYMBOLS[chain];
}

const NATIVE_SYMBOL_SET: ReadonlySet<string> = new Set(Object.values(NATIVE_SYMBOLS));

function decodeEvmTx(msg: z.infer<(typeof INPUT_SCHEMAS)['chain.evm.tx.v1']>, prices: PriceTable): DecodedEvent {
  const from = keyAt(msg.chain, msg.from, 'from');
  const to = msg.to === null ? null : keyAt(msg.chain, msg.to, 'to');
  const symbol = nativeSymbol(msg.chain);
  const amount = Decimal.fromUnits(BigInt(msg.value), msg.chain === 'tron' ? 6 : 18);
  const hash = bareHash(msg.hash);
  // A reverted transaction moved nothing: no flow edge, so no taint and no forwarding merge (QA).
  if (msg.status === '0x0' || msg.status === 0) return { type: 'ignored', eventId: `evm:${msg.chain}:${hash}`, time: time(msg.blockTime), reason: 'a failed transaction (receipt status 0) moves no value' };
  // As for a token's: 2^256 - 1 wei is no transfer.
  refuseImpossibleAmount(symbol, amount.toNumber(), amount, prices, 'value');
  const valued = usdOf(symbol, amount, prices);
  const transfers = to && amount.sign() > 0 ? [{ from, to, asset: symbol, amount, usd: valued.usd, usdSource: valued.source }] : [];
  return { type: 'chain', eventId: `evm:${msg.chain}:${hash}`, time: time(msg.blockTime), chain: msg.chain, txHash: hash, transfers };
}

function decodeEvmLog(msg: z.infer<(typeof INPUT_SCHEMAS)['chain.evm.log.v1']>, prices: PriceTable): DecodedEvent {
  const hash = bareHash(msg.txHash);
  const eventId = `log:${msg.chain}:${hash}:${msg.logIndex}`;
  const contract = keyAt(msg.chain, msg.address, 'address');
  // A log a reorganisation removed moved nothing: no flow edge, no forward, no blacklist (QA). Its
  // own id, so that it never shadows the log itself as a duplicate; a log already applied stays.
  if (msg.removed === true) return { type: 'ignored', eventId: `${eventId}:removed`, time: time(msg.blockTime), reason: 'a log removed by a chain reorganisation (removed: true) moved nothing' };
  const decoded = decodeTransferLog(msg.chain, msg.address, msg.topics, msg.data, contract);
  if (!decoded) return blacklistLabelEvent(msg, eventId, time(msg.blockTime)) ?? { type: 'ignored', eventId, time: time(msg.blockTime), reason: 'not an ERC-20/TRC-20 Transfer or issuer blacklist log' };
  const token = tokenInfo(msg.chain, contract);
  const asset = token?.symbol ?? contract;
  const amount = Decimal.fromUnits(decoded.value, token?.decimals ?? 0);
  // A registered token's amount is bounded as an exchange transfer's is (2^256 - 1 USDT is no transfer).
  if (token) refuseImpossibleAmount(asset, amount.toNumber(), amount, prices, 'data');
  const { usd, source } = token ? usdOf(token.symbol, amount, prices) : { usd: null, source: null };
  return { type: 'chain', eventId, time: time(msg.blockTime), chain: msg.chain, txHash: hash, transfers: [{ from: decoded.from, to: decoded.to, asset, amount, usd, usdSource: source }] };
}

function decodeLabel(msg: z.infer<(typeof INPUT_SCHEMAS)['intel.label.v1']>): DecodedEvent {
  const key = keyAt(msg.chain, msg.address, 'address');
  const at = time(msg.observedAt);
  // The instant in one form (`…T00:00:00Z` and `…T00:00:00.000Z` are one observation): a label
  // judged again as of its time names the same event id as its own arrival did.
  const eventId = `label:${key}:${msg.label}:${msg.source}:${new Date(at).toISOString()}${msg.removed ? ':removed' : ''}`;
  return { type: 'label', eventId, time: at, key, msg };
}

function decodePrice(msg: z.infer<(typeof INPUT_SCHEMAS)['market.price.v1']>): DecodedEvent {
  const asset = msg.asset.toUpperCase();
  // A redelivery adds nothing; a restatement (another value for the same asset, feed and
  // instant) is its own event, and the price book keeps one of them whatever the arrival order.
  const price = Decimal.parse(msg.price);
  refuseImplausiblePrice(asset, price);
  const eventId = `price:${asset}:${msg.source}:${msg.observedAt}:${price.toString()}`;
  return { type: 'price', eventId, time: time(msg.observedAt), asset, price, source: msg.source, observedAt: msg.observedAt };
}

const BYTE_ORDER_MARK = 0xfeff;

/** A UTF-16 code unit never takes more than 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

function isOversized(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  // Counting UTF-8 bytes scans the whole message: skip it when even the worst case fits.
  return text.length * MAX_UTF8_BYTES_PER_UNIT > maxBytes && Buffer.byteLength(text) > maxBytes;
}

/** The fast path's parse of the exchange and chain schemas, or undefined when it has no verdict. */
function fastParse(name: SchemaName, value: Record<string, unknown>): InputMessage | undefined {
  switch (name) {
    case 'exchange.transfer.v1': return fastParseTransfer(value);
    case 'exchange.login.v1': return fastParseLogin(value);
    case 'chain.evm.log.v1': return fastParseEvmLog(value);
    case 'chain.evm.tx.v1': return fastParseEvmTx(value);
    case 'chain.bitcoin.tx.v1': return fastParseBitcoinTx(value);
    default: return undefined;
  }
}

/** Decodes one message. `text` is the raw line or Kafka value. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** With the u flag a surrogate pair is one code point: what matches is a surrogate alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether any string (or key) of a parsed JSON value holds a lone surrogate. */
function holdsLoneSurrogate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => holdsLoneSurrogate(v, depth + 1));
  for (const [k, v] of Object.entries(value)) if (LONE_SURROGATE.test(k) || holdsLoneSurrogate(v, depth + 1)) return true;
  return false;
}

export function decodeMessage(text: string, options: DecodeOptions = DEFAULT_DECODE_OPTIONS): DecodeResult {
  if (isOversized(text, options.maxBytes)) {
    return reject('TW_OVERSIZED', `message of ${Buffer.byteLength(text)} bytes exceeds the limit of ${options.maxBytes}`);
  }
  // An empty or blank value (a blank line, a tombstone record) holds no JSON at all: said so, not as a parse error.
  if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) {
    return reject('TW_JSON', `empty message: no JSON text (${text.length === 0 ? 'an empty value, such as a tombstone record or an empty line' : 'only whitespace'})`);
  }
  // U+FFFD is what a producer leaves where it replaced bytes that were not UTF-8 (Kafka's console
  // producer does, before the bytes reach Kafka): an account id or address holding it is a mangled
  // one, taken for another (QA). Refused as the bytes themselves would have been.
  const replaced = text.indexOf(REPLACEMENT_CHARACTER);
  if (replaced >= 0) {
    return reject('TW_ENCODING', `holds U+FFFD at character ${replaced}: the replacement character a producer writes where the bytes were not UTF-8, so some text was lost before the message reached Kafka`);
  }
  let value: unknown;
  try {
    // A leading byte-order mark (a file saved by a Windows tool, fed on by kafka-console-producer)
    // is not part of the JSON text; RFC 8259 lets a parser ignore it, and this one does.
    value = JSON.parse(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text);
  } catch (err) {
    return reject('TW_JSON', `malformed JSON: ${(err as Error).message}`);
  }
  // A lone surrogate can come only from a JSON escape (\ud800 not in a pair): it is no character,
  // and it is written out as U+FFFD, so two ids holding different ones would be one account in
  // Kafka keys, Redis and files (session 41 QA). Looked for only when the text has an escape.
  if (text.includes('\\u') && holdsLoneSurrogate(value)) {
    return reject('TW_ENCODING', 'holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape not in a pair): no character, written out as U+FFFD, so text holding it is taken for other text');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('TW_NOT_OBJECT', `message is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`);
  }
  const name = (value as { schema?: unknown }).schema;
  // Own keys only: `"toString" in INPUT_SCHEMAS` is true through the prototype.
  if (typeof name !== 'string' || !Object.hasOwn(INPUT_SCHEMAS, name)) {
    return reject('TW_UNKNOWN_SCHEMA', `unknown schema ${JSON.stringify(name ?? null)}`, [{ path: 'schema', message: 'not a known schema name and version' }]);
  }
  // An optional field given as null is absent (src/contract/null-optionals.ts), for both judges
  // alike. A JSON null is always the literal text `null` (it has no escaped form): without one, no
  // field of the message can be null, and one scan of the text is cheaper than the key look-ups.
  if (text.includes('null')) dropNullOptionals(name as SchemaName, value as Record<string, unknown>);
  // A time's `t` and `z` may be lower case (RFC 3339): read as the upper-case time (src/contract/time-letters.ts).
  raiseTimeLetters(name as SchemaName, value as Record<string, unknown>);
  let msg = options.fastPath === false ? undefined : fastParse(name as SchemaName, value as Record<string, unknown>);
  if (msg === undefined) {
    const parsed = INPUT_SCHEMAS[name as SchemaName].safeParse(value);
    if (!parsed.success) {
      const issues = [...zodIssues(parsed.error), ...misspeltFields(name as SchemaName, value as Record<string, unknown>)];
      return reject('TW_SCHEMA', `${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
    msg = parsed.data;
  }
  if (options.ipFormat !== 'any') {
    const refused = refuseIpNotAddress(msg, name);
    if (refused !== undefined) return refused;
  }
  if (options.refuseControlCharacters !== false) {
    const field = fieldWithControlCharacter(name, msg);
    if (field !== undefined) return reject('TW_SCHEMA', `${name}: ${field}: ${CONTROL_CHARACTER_MESSAGE}`, [{ path: field, message: CONTROL_CHARACTER_MESSAGE }]);
  }
  const decoded = decodeValid(name, msg, options.prices);
  if (!decoded.ok) return decoded;
  if (options.refuseBeforeGenesis !== false && decoded.event.time < EARLIEST_EVENT_MS) return refuseBeforeGenesis(decoded.event.time, name as SchemaName);
  const result = refuseFarAhead(decoded, name as SchemaName, options);
  if (!result.ok) return result;
  const suspects = suspectFields(name as SchemaName, value as Record<string, unknown>);
  if (suspects !== undefined) result.suspects = suspects;
  return result;
}

/** TW_TIME_PAST for an event time before the genesis block, naming the field and the bound. */
function refuseBeforeGenesis(time: number, name: SchemaName): DecodeResult {
  const field = TIME_FIELD[name];
  const message = `${new Date(time).toISOString()} is before ${EARLIEST_EVENT_TIME}, Bitcoin's genesis block: no crypto-asset event can be older (an epoch of 0, a wrong year or a unit error)`;
  return reject('TW_TIME_PAST', `${name}: ${field}: ${message}`, [{ path: field, message }]);
}

/**
 * A login's `ip` or a transfer's `session.ip` that is no IPv4 or IPv6 literal, as a TW_SCHEMA
 * reject naming the field (session 45 QA: `999.1.1.1` was accepted, and linked accounts by
 * whatever text two sessions shared); undefined otherwise. After the schema, so both the fast
 * path and zod are judged by the same check.
 */
function refuseIpNotAddress(msg: InputMessage, name: string): DecodeResult | undefined {
  let ip: string;
  if (msg.schema === 'exchange.login.v1') ip = msg.ip;
  else if (msg.schema === 'exchange.transfer.v1' && msg.session !== undefined) ip = msg.session.ip;
  else return undefined;
  if (isIpLiteral(ip)) return undefined;
  const path = msg.schema === 'exchange.login.v1' ? 'ip' : 'session.ip';
  const message = `${IP_LITERAL_MESSAGE}; an exchange that sends pseudonyms of its own form sets SESSION_IP_FORMAT=any`;
  return reject('TW_SCHEMA', `${name}: ${path}: ${message}`, [{ path, message }]);
}

/** The decoded event, or a reject when its time is more than `maxAheadMs` ahead of the clock. */
function refuseFarAhead(decoded: Extract<DecodeResult, { ok: true }>, name: SchemaName, options: DecodeOptions): DecodeResult {
  const limit = options.maxAheadMs;
  if (limit === undefined) return decoded;
  const now = (options.now ?? Date.now)();
  if (decoded.event.time - now <= limit) return decoded;
  const field = TIME_FIELD[name];
  // The clock's reading stays out of the text: a dead letter's reason is the same bytes whenever it is decided.
  const message = `${new Date(decoded.event.time).toISOString()} is more than ${Math.round(limit / 86_400_000)} days ahead of this machine's clock`;
  return reject('TW_TIME_AHEAD', `${name}: ${field}: ${message}`, [{ path: field, message }]);
}

/** A message that passed its schema → its event, or a reject for what only decoding can find (addresses, txids). */
function decodeValid(name: string, msg: InputMessage, prices: PriceTable): DecodeResult {
  try {
    switch (msg.schema) {
      case 'exchange.transfer.v1':
        return { ok: true, event: decodeTransfer(msg, prices), schema: msg.schema };
      case 'exchange.login.v1':
        return { ok: true, event: { type: 'login', eventId: msg.eventId, time: time(msg.occurredAt), msg }, schema: msg.schema };
      case 'chain.bitcoin.tx.v1':
        return { ok: true, event: decodeBitcoin(msg, prices), schema: msg.schema };
      case 'chain.evm.tx.v1':
        return { ok: true, event: decodeEvmTx(msg, prices), schema: msg.schema };
      case 'chain.evm.log.v1':
        return { ok: true, event: decodeEvmLog(msg, prices), schema: msg.schema };
      case 'intel.label.v1':
        return { ok: true, event: decodeLabel(msg), schema: msg.schema };
      case 'market.price.v1':
        return { ok: true, event: decodePrice(msg), schema: msg.schema };
    }
  } catch (err) {
    if (err instanceof FieldAddressError) return reject('TW_ADDRESS', `${name}: ${err.path}: ${err.message}`, [{ path: err.path, message: err.message }]);
    if (err instanceof ImpossibleAmountError) return reject('TW_SCHEMA', `${name}: ${err.path}: ${err.message}`, [{ path: err.path, message: err.message }]);
    if (err instanceof AddressError) return reject('TW_ADDRESS', `${name}: ${err.message}`);
    if (err instanceof BitcoinTxError) return reject('TW_TXID', `${name}: ${err.message}`, [{ path: 'txid', message: err.message }]);
    return reject('TW_DECODE', `${name}: ${(err as Error).message}`);
  }
}

