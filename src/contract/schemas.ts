/**
 * zod schemas for every message in docs/contract.md, keyed by the `schema` field.
 * This is the only module that knows the wire shapes; address canonicalisation and
 * txid checks happen in src/decode, which runs these first.
 */
import { z } from 'zod';
import { blockCount, chainSchema, eventIdSchema, isoTime, positiveDecimal, unitString } from './primitives.js';

/**
 * Length and size limits of the exchange messages, shared with their hand-written fast path
 * (src/decode/fast-path.ts) so that the two cannot drift apart. zod counts string lengths in code points, not UTF-16 units.
 */
export const LIMITS = {
  address: 128,
  accountId: 128,
  asset: 32,
  txHash: 130,
  ip: 64,
  vpnProvider: 128,
  deviceId: 128,
  fromAddresses: 1000,
  usdValue: 1e13,
} as const;

export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;

const address = z.string().min(1).max(LIMITS.address);
const countryCode = z.string().regex(COUNTRY_CODE_PATTERN, { message: 'not an ISO 3166 alpha-2 code' });

/** Where a session came from: a transfer's `session`, and the fields of a login itself. */
const sessionFields = {
  ip: z.string().min(1).max(LIMITS.ip), // an address unless SESSION_IP_FORMAT=any: decode.ts
  ipCountry: countryCode,
  vpn: z.boolean(),
  vpnProvider: z.string().max(LIMITS.vpnProvider).optional(),
  deviceId: z.string().max(LIMITS.deviceId).optional(),
};

export const sessionSchema = z.object(sessionFields);

export const customerSchema = z.object({
  type: z.enum(['individual', 'business']),
  kycCountry: countryCode,
  createdAt: isoTime,
});

export const transferSchema = z.object({
  schema: z.literal('exchange.transfer.v1'),
  eventId: eventIdSchema,
  kind: z.enum(['deposit', 'withdrawal']),
  status: z.enum(['requested', 'completed']).default('completed'),
  occurredAt: isoTime,
  accountId: z.string().min(1).max(LIMITS.accountId),
  chain: chainSchema,
  asset: z.string().min(1).max(LIMITS.asset),
  amount: positiveDecimal,
  usdValue: z.number().finite().nonnegative().max(LIMITS.usdValue).optional(),
  txHash: z.string().min(1).max(LIMITS.txHash).optional(),
  // Optional on a withdrawal (the exchange's hot wallet); absent is read as empty, as on a deposit whose senders are unknown.
  from: z.array(address).max(LIMITS.fromAddresses).default([]),
  to: address,
  session: sessionSchema.optional(),
  customer: customerSchema.optional(),
});

export const loginSchema = z.object({
  schema: z.literal('exchange.login.v1'),
  eventId: eventIdSchema,
  occurredAt: isoTime,
  accountId: z.string().min(1).max(LIMITS.accountId),
  ...sessionFields,
});

export const bitcoinTxSchema = z.object({
  schema: z.literal('chain.bitcoin.tx.v1'),
  txid: z.string().regex(/^[0-9a-fA-F]{64}$/, { message: 'txid must be 64 hex characters' }),
  hex: z.string().regex(/^([0-9a-fA-F]{2})+$/, { message: 'hex must be an even-length hex string' }).max(8_000_000),
  blockHeight: blockCount.optional(),
  blockTime: isoTime,
  prevouts: z.array(z.object({ address: address.nullable(), value: unitString })),
});

export const evmTxSchema = z.object({
  schema: z.literal('chain.evm.tx.v1'),
  chain: chainSchema.refine((c) => c !== 'bitcoin', { message: 'chain.evm.tx.v1 cannot carry bitcoin' }),
  hash: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, { message: 'hash must be 32 bytes of hex' }),
  blockNumber: blockCount,
  blockTime: isoTime,
  from: address,
  to: address.nullable(),
  value: unitString,
  /**
   * Beside the contract: the receipt's status where the producer knows it (`0x1` or 1 succeeded,
   * `0x0` or 0 failed). A failed transaction moves no value, so it makes no flow edge.
   */
  status: z.union([z.literal('0x0'), z.literal('0x1'), z.literal(0), z.literal(1)]).optional(),
});

export const evmLogSchema = z.object({
  schema: z.literal('chain.evm.log.v1'),
  chain: chainSchema.refine((c) => c !== 'bitcoin', { message: 'chain.evm.log.v1 cannot carry bitcoin' }),
  txHash: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, { message: 'txHash must be 32 bytes of hex' }),
  logIndex: blockCount,
  blockNumber: blockCount,
  blockTime: isoTime,
  address,
  topics: z.array(z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: 'topic must be 32 bytes of 0x-hex' })).max(4),
  data: z.string().regex(/^0x([0-9a-fA-F]{2})*$/, { message: 'data must be 0x-hex' }),
  /**
   * Beside the contract, as `eth_getLogs` serves it: `true` for a log a chain reorganisation
   * removed. Such a log never happened on the canonical chain, so it makes no flow edge.
   */
  removed: z.boolean().optional(),
});

export const labelSchema = z.object({
  schema: z.literal('intel.label.v1'),
  chain: chainSchema,
  address,
  label: z.string().min(1).max(64),
  entity: z.string().max(256).optional(),
  source: z.string().min(1).max(128),
  confidence: z.number().min(0).max(1).optional(),
  observedAt: isoTime,
  /** Extension: `true` withdraws the label from `observedAt` on (delistings). */
  removed: z.boolean().optional(),
});

/**
 * Extension beside the contract: an asset's market price at an event time, from a named feed.
 * `asset` is the ticker as transfers name it (matched case-blind), `price` a positive decimal
 * string of `quote` per whole unit.
 */
export const priceSchema = z.object({
  schema: z.literal('market.price.v1'),
  asset: z.string().min(1).max(LIMITS.asset),
  quote: z.literal('USD'),
  price: positiveDecimal,
  observedAt: isoTime,
  source: z.string().min(1).max(64).regex(/^[^@\s]+$/, { message: 'source must have no spaces and no @' }),
});

export const alertSchema = z.object({
  alertId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  typology: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  score: z.number().min(0).max(100),
  subject: z.object({ accountId: z.string(), cluster: z.string().optional() }),
  eventIds: z.array(z.string()),
  triggeredAt: isoTime,
  evidence: z.record(z.string(), z.unknown()),
  explanation: z.string(),
});

export const INPUT_SCHEMAS = {
  'exchange.transfer.v1': transferSchema,
  'exchange.login.v1': loginSchema,
  'chain.bitcoin.tx.v1': bitcoinTxSchema,
  'chain.evm.tx.v1': evmTxSchema,
  'chain.evm.log.v1': evmLogSchema,
  'intel.label.v1': labelSchema,
  'market.price.v1': priceSchema,
} as const;

export type SchemaName = keyof typeof INPUT_SCHEMAS;
export type TransferMessage = z.infer<typeof transferSchema>;
export type LoginMessage = z.infer<typeof loginSchema>;
export type BitcoinTxMessage = z.infer<typeof bitcoinTxSchema>;
export type EvmTxMessage = z.infer<typeof evmTxSchema>;
export type EvmLogMessage = z.infer<typeof evmLogSchema>;
export type LabelMessage = z.infer<typeof labelSchema>;
export type PriceMessage = z.infer<typeof priceSchema>;
export type Alert = z.infer<typeof alertSchema>;
export type Severity = Alert['severity'];

/** The Kafka topic each schema travels on (contract, "Inputs"). */
export const DEFAULT_TOPICS = {
  deposits: 'exchange.deposits',
  withdrawals: 'exchange.withdrawals',
  logins: 'exchange.logins',
  bitcoinTxs: 'chain.bitcoin.txs',
  evmTxs: 'chain.evm.txs',
  evmLogs: 'chain.evm.logs',
  labels: 'intel.labels',
  /** Extension: market.price.v1. */
  prices: 'market.prices',
  alerts: 'compliance.alerts',
} as const;


/** Every input topic: the contract's, and the price topic beside it. */
export const INPUT_TOPICS: string[] = [DEFAULT_TOPICS.deposits, DEFAULT_TOPICS.withdrawals, DEFAULT_TOPICS.logins, DEFAULT_TOPICS.bitcoinTxs, DEFAULT_TOPICS.evmTxs, DEFAULT_TOPICS.evmLogs, DEFAULT_TOPICS.labels, DEFAULT_TOPICS.prices];

/** The contract topic a message travels on (deposits and withdrawals share a schema, not a topic). */
export function topicFor(message: { schema: string; kind?: string }): string | undefined {
  switch (message.schema) {
    case 'exchange.transfer.v1': return message.kind === 'withdrawal' ? DEFAULT_TOPICS.withdrawals : DEFAULT_TOPICS.deposits;
    case 'exchange.login.v1': return DEFAULT_TOPICS.logins;
    case 'chain.bitcoin.tx.v1': return DEFAULT_TOPICS.bitcoinTxs;
    case 'chain.evm.tx.v1': return DEFAULT_TOPICS.evmTxs;
    case 'chain.evm.log.v1': return DEFAULT_TOPICS.evmLogs;
    case 'intel.label.v1': return DEFAULT_TOPICS.labels;
    case 'market.price.v1': return DEFAULT_TOPICS.prices;
    default: return undefined;
  }
}
