/**
 * Builders for synthetic contract messages: valid addresses per chain, transfers, logins, labels,
 * ERC-20/TRC-20 Transfer logs and raw Bitcoin transactions whose txids really match their hex.
 */
import * as bitcoin from 'bitcoinjs-lib';
import bs58check from 'bs58check';
import { TRANSFER_TOPIC } from '../chain/evm.js';

export type Rand = () => number;

export function prng(seed: number): Rand {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand: Rand, bytes: number): string => Array.from({ length: bytes * 2 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

export const evmAddress = (rand: Rand): string => `0x${hex(rand, 20)}`;
export const tronAddress = (rand: Rand): string => bs58check.encode(Buffer.from(`41${hex(rand, 20)}`, 'hex'));
export const btcAddress = (rand: Rand): string => bitcoin.payments.p2wpkh({ hash: Buffer.from(hex(rand, 20), 'hex') }).address!;
export const txHash = (rand: Rand): string => `0x${hex(rand, 32)}`;

export const USDT_ETH = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
export const USDC_ETH = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
export const USDT_TRON = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface TransferSpec {
  eventId: string;
  kind: 'deposit' | 'withdrawal';
  time: number;
  accountId: string;
  chain: string;
  asset: string;
  amount: number;
  from?: string[];
  to: string;
  status?: 'requested' | 'completed';
  usd?: boolean;
  session?: { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId?: string };
  customer?: { type: 'individual' | 'business'; kycCountry: string; createdAt: string };
  decimals?: number;
}

const PRICES: Record<string, number> = { BTC: 95_000, ETH: 3_300, TRX: 0.25 };

export function transfer(s: TransferSpec, rand: Rand): string {
  const decimals = s.decimals ?? (s.asset === 'BTC' ? 8 : s.asset === 'ETH' ? 6 : 2);
  const usd = (PRICES[s.asset] ?? 1) * s.amount;
  return JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: s.eventId, kind: s.kind, ...(s.status ? { status: s.status } : {}), occurredAt: iso(s.time), accountId: s.accountId,
    chain: s.chain, asset: s.asset, amount: s.amount.toFixed(decimals), ...(s.usd === false ? {} : { usdValue: Math.round(usd * 100) / 100 }),
    ...(s.status === 'requested' ? {} : { txHash: s.chain === 'bitcoin' ? hex(rand, 32) : txHash(rand) }),
    from: s.from ?? [], to: s.to, ...(s.session ? { session: s.session } : {}), ...(s.customer ? { customer: s.customer } : {}),
  });
}

export function login(eventId: string, time: number, accountId: string, session: { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId?: string }): string {
  return JSON.stringify({ schema: 'exchange.login.v1', eventId, occurredAt: iso(time), accountId, ...session });
}

export function label(chain: string, address: string, labelName: string, entity: string, observedAt: number): string {
  return JSON.stringify({ schema: 'intel.label.v1', chain, address, label: labelName, entity, source: 'simulated-intel', confidence: 0.9, observedAt: iso(observedAt) });
}

const topicOf = (chain: string, address: string): string => {
  const body = chain === 'tron' ? Buffer.from(bs58check.decode(address)).toString('hex').slice(2) : address.slice(2).toLowerCase();
  return `0x${body.padStart(64, '0')}`;
};

/** A token Transfer log (6 decimals) from → to. */
export function tokenLog(chain: 'ethereum' | 'tron', token: string, from: string, to: string, amount: number, time: number, rand: Rand): string {
  const value = BigInt(Math.round(amount * 1e6)).toString(16).padStart(64, '0');
  return JSON.stringify({
    schema: 'chain.evm.log.v1', chain, txHash: txHash(rand), logIndex: Math.floor(rand() * 200), blockNumber: 21_000_000 + Math.floor(time / 12_000) % 1_000_000, blockTime: iso(time),
    address: token, topics: [TRANSFER_TOPIC, topicOf(chain, from), topicOf(chain, to)], data: `0x${value}`,
  });
}

/** A native ETH transfer. */
export function nativeTx(from: string, to: string, eth: number, time: number, rand: Rand): string {
  return JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: txHash(rand), blockNumber: 21_000_000 + Math.floor(time / 12_000) % 1_000_000, blockTime: iso(time), from, to, value: (BigInt(Math.round(eth * 1e6)) * 10n ** 12n).toString() });
}

/** A raw Bitcoin transaction spending the given prevouts to the given outputs; its txid matches its hex. */
export function bitcoinTx(inputs: { address: string; sats: number }[], outputs: { address: string; sats: number }[], time: number, rand: Rand): string {
  const tx = new bitcoin.Transaction();
  tx.version = 2;
  for (let i = 0; i < inputs.length; i++) tx.addInput(Buffer.from(hex(rand, 32), 'hex'), i);
  for (const o of outputs) tx.addOutput(bitcoin.address.toOutputScript(o.address, bitcoin.networks.bitcoin), BigInt(o.sats));
  return JSON.stringify({ schema: 'chain.bitcoin.tx.v1', txid: tx.getId(), hex: tx.toHex(), blockHeight: 880_000, blockTime: iso(time), prevouts: inputs.map((i) => ({ address: i.address, value: String(i.sats) })) });
}
