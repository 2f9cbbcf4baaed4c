/**
 * The soak's traffic, generated on the fly with memory independent of its length (addresses are
 * derived from numbers, not stored): mostly logins, some transfers, a little chain data, across a
 * large account population over a long event-time span. Amounts stay below 5,000 USD so that the
 * background never looks like structuring and the planted burst is the one to find.
 */
import { USDT_ETH, login, prng, tokenLog, transfer, type Rand } from '../simulate/builders.js';
import { derivedEvm } from '../simulate/derived.js';

export interface SoakOptions {
  messages: number;
  accounts: number;
  days: number;
  seed: number;
  start: number;
}

const TAG = { deposit: 21, own: 22, fresh: 23, cold: 24 } as const;
const CUSTOMER = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };

export const soakAccount = (n: number): string => `acct-${n.toString(16).padStart(8, '0')}`;
const homeIp = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

export class SoakStream {
  private readonly rand: Rand;
  private readonly gap: number;
  private time: number;
  private fresh = 0;
  private readonly pending: { to: string; amount: number }[] = [];

  constructor(private readonly opts: SoakOptions) {
    this.rand = prng(opts.seed);
    this.time = opts.start;
    this.gap = (opts.days * 86_400_000) / opts.messages;
  }

  /** The event time the next message will be near: where the planted events go once the stream ends. */
  get now(): number {
    return this.time;
  }

  next(i: number): string {
    this.time += Math.floor(this.rand() * 2 * this.gap);
    const r = this.rand();
    if (r < 0.82) return this.login(i);
    if (r < 0.95) return this.transfer(i);
    return this.chain();
  }

  private account(): number {
    return Math.floor(this.rand() * this.opts.accounts);
  }

  private login(i: number): string {
    const n = this.account();
    // A few logins come from travel or mobile IPs shared by strangers, as at any exchange.
    const ip = this.rand() < 0.01 ? `172.16.${Math.floor(this.rand() * 20)}.${Math.floor(this.rand() * 250)}` : homeIp(n);
    return login(`soak-${i}`, this.time, soakAccount(n), { ip, ipCountry: 'US', vpn: this.rand() < 0.03, deviceId: `dev-${soakAccount(n)}` });
  }

  private transfer(i: number): string {
    const n = this.account();
    const amount = 20 + this.rand() * 4_980;
    const base = { eventId: `soak-${i}`, time: this.time, accountId: soakAccount(n), chain: 'ethereum', asset: 'USDT', amount, session: { ip: homeIp(n), ipCountry: 'US', vpn: false, deviceId: `dev-${soakAccount(n)}` }, customer: CUSTOMER };
    const counterparty = this.rand() < 0.7 ? derivedEvm(TAG.own, n) : derivedEvm(TAG.fresh, this.fresh++);
    if (this.rand() < 0.6) return transfer({ ...base, kind: 'deposit', from: [counterparty], to: derivedEvm(TAG.deposit, n) }, this.rand);
    if (this.pending.length < 64) this.pending.push({ to: counterparty, amount });
    return transfer({ ...base, kind: 'withdrawal', to: counterparty }, this.rand);
  }

  /** A withdrawn sum moved on to a cold wallet, or a wallet funded from a fresh address. */
  private chain(): string {
    const w = this.pending.shift();
    if (w) return tokenLog('ethereum', USDT_ETH, w.to, derivedEvm(TAG.cold, this.fresh++), w.amount * 0.97, this.time, this.rand);
    return tokenLog('ethereum', USDT_ETH, derivedEvm(TAG.fresh, this.fresh++), derivedEvm(TAG.own, this.account()), 100 + this.rand() * 3_000, this.time, this.rand);
  }
}
