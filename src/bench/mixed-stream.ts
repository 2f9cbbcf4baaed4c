/**
 * The stream shape of issue #9's throughput figure: mostly logins and exchange transfers, plus
 * about 29% chain messages (ERC-20 and TRC-20 Transfer logs, native ETH transactions, raw Bitcoin
 * transactions). Deterministic for a seed, yielded in event-time order, memory independent of
 * its length, so a 10x longer stream is the same traffic over a 10x longer event-time span.
 *
 * Clusters stay small on purpose (a Bitcoin wallet co-spends only its own addresses; a withdrawal
 * destination forwards to its own cold wallet): the hot-key case is measured separately, on the
 * services stream, and should not leak into the plain throughput figure.
 */
import { USDC_ETH, USDT_ETH, USDT_TRON, bitcoinTx, login, nativeTx, prng, tokenLog, transfer, type Rand } from '../simulate/builders.js';
import { derivedBtc, derivedEvm, derivedTron } from '../simulate/derived.js';

export interface MixedStreamOptions {
  messages: number;
  accounts: number;
  seed: number;
  start?: number;
  /** Mean event-time gap between messages: 10 s gives about 8,600 messages a day. */
  meanGapMs?: number;
}

/** Address families (tags for derived addresses). */
const TAG = { evmDeposit: 1, tronDeposit: 2, btcDeposit: 3, evmOwn: 4, tronOwn: 5, evmPool: 6, tronPool: 7, btcWallet: 8, cold: 9, fresh: 10 } as const;
const EVM_POOL = 40_000;
const TRON_POOL = 10_000;
const BTC_WALLETS = 3_000;
const BTC_WALLET_SIZE = 4;

type Chain = 'ethereum' | 'tron' | 'bitcoin';

interface Withdrawal { chain: 'ethereum' | 'tron'; to: string; amount: number; asset: string; time: number }

const accountName = (n: number): string => `acct-${n.toString(16).padStart(8, '0')}`;
const homeIp = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const CUSTOMER = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };

class MixedStream {
  private t: number;
  private fresh = 0;
  /** Recent withdrawals, so some chain messages are their onward movement (forwarding). */
  private readonly recent: Withdrawal[] = [];

  constructor(private readonly opts: MixedStreamOptions, private readonly rand: Rand) {
    this.t = opts.start ?? Date.UTC(2025, 0, 1);
  }

  next(i: number): string {
    this.t += Math.floor(this.rand() * 2 * (this.opts.meanGapMs ?? 10_000));
    const r = this.rand();
    if (r < 0.44) return this.login(i);
    if (r < 0.71) return this.transfer(i);
    if (r < 0.81) return this.evmLog('ethereum');
    if (r < 0.87) return this.evmLog('tron');
    if (r < 0.91) return this.native();
    return this.bitcoin();
  }

  private account(): number {
    return Math.floor(this.rand() * this.opts.accounts);
  }

  private session(n: number) {
    return { ip: homeIp(n), ipCountry: 'US', vpn: this.rand() < 0.05, deviceId: `dev-${accountName(n)}` };
  }

  private login(i: number): string {
    const n = this.account();
    return login(`ev-${this.opts.seed}-${i}`, this.t, accountName(n), this.session(n));
  }

  private transfer(i: number): string {
    const n = this.account();
    const chain: Chain = this.pick(['ethereum', 'ethereum', 'ethereum', 'tron', 'bitcoin']);
    const kind = this.rand() < 0.6 ? 'deposit' : 'withdrawal';
    const asset = chain === 'bitcoin' ? 'BTC' : chain === 'tron' ? 'USDT' : this.pick(['USDT', 'USDC']);
    const amount = chain === 'bitcoin' ? 0.001 + this.rand() * 0.1 : 50 + this.rand() * 9000;
    const ours = chain === 'bitcoin' ? derivedBtc(TAG.btcDeposit, n) : chain === 'tron' ? derivedTron(TAG.tronDeposit, n) : derivedEvm(TAG.evmDeposit, n);
    const base = { eventId: `ev-${this.opts.seed}-${i}`, time: this.t, accountId: accountName(n), chain, asset, amount, session: this.session(n), customer: CUSTOMER };
    if (kind === 'deposit') return transfer({ ...base, kind, from: [this.external(chain)], to: ours }, this.rand);
    const to = this.destination(chain, n);
    if (chain !== 'bitcoin') this.remember({ chain, to, amount, asset, time: this.t });
    return transfer({ ...base, kind, to }, this.rand);
  }

  /** Most customers withdraw to their own wallet; a fifth pay a shared counterparty. */
  private destination(chain: Chain, n: number): string {
    if (this.rand() < 0.2) return this.external(chain);
    return chain === 'bitcoin' ? derivedBtc(TAG.btcWallet, n + BTC_WALLETS * BTC_WALLET_SIZE) : chain === 'tron' ? derivedTron(TAG.tronOwn, n) : derivedEvm(TAG.evmOwn, n);
  }

  private external(chain: Chain): string {
    if (chain === 'bitcoin') return derivedBtc(TAG.btcWallet, Math.floor(this.rand() * BTC_WALLETS * BTC_WALLET_SIZE));
    return chain === 'tron' ? derivedTron(TAG.tronPool, Math.floor(this.rand() * TRON_POOL)) : derivedEvm(TAG.evmPool, Math.floor(this.rand() * EVM_POOL));
  }

  private remember(w: Withdrawal): void {
    this.recent.push(w);
    if (this.recent.length > 64) this.recent.shift();
  }

  /** Half are a recent withdrawal forwarded on to its owner's cold wallet; half fund a pool address from a fresh one. */
  private evmLog(chain: 'ethereum' | 'tron'): string {
    const w = this.rand() < 0.5 ? this.takeRecent(chain) : undefined;
    const token = chain === 'tron' ? USDT_TRON : this.rand() < 0.5 ? USDC_ETH : USDT_ETH;
    if (w) return tokenLog(chain, w.asset === 'USDC' && chain === 'ethereum' ? USDC_ETH : token, w.to, this.cold(chain, w.to), w.amount * (0.95 + this.rand() * 0.04), this.t, this.rand);
    const from = chain === 'tron' ? derivedTron(TAG.fresh, this.fresh++) : derivedEvm(TAG.fresh, this.fresh++);
    return tokenLog(chain, token, from, this.external(chain), 100 + this.rand() * 20_000, this.t, this.rand);
  }

  private takeRecent(chain: 'ethereum' | 'tron'): Withdrawal | undefined {
    const at = this.recent.findIndex((w) => w.chain === chain);
    return at < 0 ? undefined : this.recent.splice(at, 1)[0];
  }

  /** Each forwarding address has one cold wallet, never reused as a source, so clusters stay pairs. */
  private cold(chain: 'ethereum' | 'tron', of: string): string {
    const n = [...of.slice(-6)].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
    return chain === 'tron' ? derivedTron(TAG.cold, n) : derivedEvm(TAG.cold, n);
  }

  private native(): string {
    return nativeTx(derivedEvm(TAG.fresh, this.fresh++), derivedEvm(TAG.evmPool, Math.floor(this.rand() * EVM_POOL)), 0.01 + this.rand() * 3, this.t, this.rand);
  }

  /** A wallet spends 1-3 of its own addresses (co-spend within the wallet) to a payee plus change. */
  private bitcoin(): string {
    const wallet = Math.floor(this.rand() * BTC_WALLETS);
    const inputs = Array.from({ length: 1 + Math.floor(this.rand() * 3) }, (_, k) => ({ address: derivedBtc(TAG.btcWallet, wallet * BTC_WALLET_SIZE + k), sats: 50_000 + Math.floor(this.rand() * 5e6) }));
    const total = inputs.reduce((s, x) => s + x.sats, 0);
    const pay = Math.floor(total * (0.2 + this.rand() * 0.5));
    const payee = derivedBtc(TAG.btcWallet, Math.floor(this.rand() * BTC_WALLETS * BTC_WALLET_SIZE));
    const change = derivedBtc(TAG.btcWallet, wallet * BTC_WALLET_SIZE + 3);
    return bitcoinTx(inputs, [{ address: payee, sats: pay }, { address: change, sats: total - pay - 2_000 }], this.t, this.rand);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }
}

/** Yields `messages` JSON lines in event-time order. */
export function* mixedStream(opts: MixedStreamOptions): Generator<string> {
  const stream = new MixedStream(opts, prng(opts.seed));
  for (let i = 0; i < opts.messages; i++) yield stream.next(i);
}
