/** The normalised events that flow from decode to enrich and rules. */
import type { AddressKey } from '../chain/address.js';
import type { ParsedBitcoinTx } from '../chain/bitcoin.js';
import type { Chain } from '../contract/primitives.js';
import type { LabelMessage, LoginMessage, TransferMessage } from '../contract/schemas.js';
import type { Decimal } from '../money/decimal.js';
import type { UsdSource } from './prices.js';

/** Where a message came from: a file and line, or a topic, partition and offset. */
export interface Origin {
  file?: string;
  line?: number;
  topic?: string;
  partition?: number;
  offset?: string;
  /** A rejected Kafka record's key (as text), so its dead letter can be fed back as it came. */
  key?: string;
  /** A rejected Kafka record had no value at all (a tombstone), not an empty one. */
  tombstone?: boolean;
}

export interface TransferEvent {
  type: 'transfer';
  eventId: string;
  time: number;
  msg: TransferMessage;
  /** Canonical keys of `from` (deposit senders or our hot wallet). */
  from: AddressKey[];
  to: AddressKey;
  /** Whole units of the asset, exact. */
  amount: Decimal;
  /** usdValue, else a market price, else 1:1 for stablecoins, else the price table; null when none applies. */
  usd: Decimal | null;
  /** Where `usd` came from (src/decode/prices.ts); null when unpriced. */
  usdSource: UsdSource | null;
  /**
   * When the account first dealt with this transfer's sole counterparty, if earlier than `time`:
   * carried from its previous transfer with that address (src/engine/dealt-since.ts), so a
   * relation the account kept up outlives the history's retention. Checkpointed.
   */
  dealtSince?: number;
  /**
   * For a completed withdrawal: the requested one it settled, out of the history since
   * (src/engine/withdrawal-settlement.ts), kept so that a withdrawal read out of event order can
   * pair the group again as event order would. Checkpointed.
   */
  settles?: TransferEvent;
  /** The rule engine's notes of its rules' failed gates for this transfer (src/engine/gates.ts); never checkpointed. */
  gateStamp?: number;
  gatesFailed?: number;
}

export interface LoginEvent {
  type: 'login';
  eventId: string;
  time: number;
  msg: LoginMessage;
}

export interface ValueTransfer {
  from: AddressKey;
  to: AddressKey;
  asset: string;
  /** Whole units of the asset, exact (from the chain's base units). */
  amount: Decimal;
  usd: Decimal | null;
  usdSource: UsdSource | null;
}

export interface ChainEvent {
  type: 'chain';
  eventId: string;
  time: number;
  chain: Chain;
  txHash: string;
  transfers: ValueTransfer[];
  bitcoin?: ParsedBitcoinTx;
}

export interface LabelEvent {
  type: 'label';
  eventId: string;
  time: number;
  key: AddressKey;
  msg: LabelMessage;
  /** Provenance kept on the label record (e.g. the issuer contract and tx of a blacklist event). */
  detail?: Record<string, unknown>;
}

/** A market price (market.price.v1): `asset` upper-cased, `price` USD per whole unit, exact. */
export interface PriceEvent {
  type: 'price';
  eventId: string;
  time: number;
  asset: string;
  price: Decimal;
  source: string;
  /** The message's own observedAt text, as the USD source names it. */
  observedAt: string;
}

/** A message that decodes but carries nothing for us (e.g. a non-Transfer log). */
export interface IgnoredEvent {
  type: 'ignored';
  eventId: string;
  time: number;
  reason: string;
}

export type DecodedEvent = TransferEvent | LoginEvent | ChainEvent | LabelEvent | PriceEvent | IgnoredEvent;

export interface Reject {
  /** Stable reason code: TW_JSON, TW_NOT_OBJECT, TW_SCHEMA, TW_UNKNOWN_SCHEMA, TW_ADDRESS, TW_TXID, TW_OVERSIZED, TW_ENCODING, TW_TIME_AHEAD, TW_TIME_PAST, TW_TOPIC, TW_INTERNAL. */
  code: string;
  reason: string;
  issues?: { path: string; message: string }[];
  /** The message's original bytes, when they are not its text (TW_ENCODING: not UTF-8): the dead letter carries these. */
  bytes?: Buffer;
}

/** A rejected message on its way to the dead-letter output: the reject, where it came from, and its raw text. */
export interface DeadLetter extends Reject {
  origin: Origin;
  raw: string;
}
