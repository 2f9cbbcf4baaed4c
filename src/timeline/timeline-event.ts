/**
 * One exchange event of an account as its timeline shows it (deposits, withdrawals, logins with
 * country, VPN and device), made from a contract message. The same event always makes the same
 * record, so a stored timeline can deduplicate by value.
 */
import type { LoginMessage, TransferMessage } from '../contract/schemas.js';
import type { DecodedEvent } from '../decode/events.js';

export interface TimelineEvent {
  eventId: string;
  kind: 'deposit' | 'withdrawal' | 'login';
  at: string;
  accountId: string;
  chain?: string;
  asset?: string;
  amount?: string;
  usdValue?: number;
  txHash?: string;
  from?: string[];
  to?: string;
  status?: string;
  country?: string;
  vpn?: boolean;
  vpnProvider?: string;
  deviceId?: string;
  ip?: string;
  customer?: { type: string; kycCountry: string; createdAt: string };
}

/**
 * A transfer's timeline record. A transfer taken from the rule state has a slimmed message
 * (src/engine/retained-fields.ts: no occurredAt or txHash), so its event time is passed in.
 */
export function fromTransfer(t: TransferMessage, time?: number): TimelineEvent {
  return {
    eventId: t.eventId, kind: t.kind, at: t.occurredAt ?? new Date(time!).toISOString(), accountId: t.accountId, chain: t.chain, asset: t.asset, amount: t.amount,
    ...(t.usdValue !== undefined ? { usdValue: t.usdValue } : {}), ...(t.txHash ? { txHash: t.txHash } : {}), from: t.from, to: t.to, status: t.status,
    ...(t.session ? { country: t.session.ipCountry, vpn: t.session.vpn, ip: t.session.ip, ...(t.session.vpnProvider ? { vpnProvider: t.session.vpnProvider } : {}), ...(t.session.deviceId ? { deviceId: t.session.deviceId } : {}) } : {}),
    ...(t.customer ? { customer: { type: t.customer.type, kycCountry: t.customer.kycCountry, createdAt: t.customer.createdAt } } : {}),
  };
}

export function fromLogin(l: LoginMessage): TimelineEvent {
  return {
    eventId: l.eventId, kind: 'login', at: l.occurredAt, accountId: l.accountId, country: l.ipCountry, vpn: l.vpn, ip: l.ip,
    ...(l.vpnProvider ? { vpnProvider: l.vpnProvider } : {}), ...(l.deviceId ? { deviceId: l.deviceId } : {}),
  };
}

/** The timeline record of a decoded exchange event; none for chain, label and ignored messages. */
export function fromDecoded(e: DecodedEvent): TimelineEvent | undefined {
  if (e.type === 'transfer') return fromTransfer(e.msg, e.time);
  if (e.type === 'login') return fromLogin(e.msg);
  return undefined;
}
