/**
 * Third out-of-sample stream generator, written from the wire contract, the typology research
 * and the OFAC data only (not from the rules or the other generators). It plants the typologies
 * T1-T12 with parameters drawn per seed, mixes in benign look-alikes, and writes a JSONL stream
 * plus a truth.json that `replay --truth` reads.
 *
 *   npx tsx scripts/oos3-stream.ts --seed N --out FILE --truth TRUTH.json
 *   npx tsx scripts/oos3-stream.ts --score ALERTS.jsonl --truth TRUTH.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base58CheckEncode } from '../src/chain/base58check.js';
import { segwitAddress } from '../src/chain/bech32.js';
import { formatScore, scoreAlerts, type Truth } from '../src/replay/score.js';
import type { Alert } from '../src/contract/schemas.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const TOKEN = {
  ethereum: { USDT: '0xdac17f958d2ee523a2206206994597c13d831ec7', USDC: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48' },
  tron: { USDT: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
} as const;

type Chain = 'ethereum' | 'tron' | 'bitcoin' | 'arbitrum' | 'polygon' | 'base';
interface Session { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId?: string }
interface Customer { type: 'individual' | 'business'; kycCountry: string; createdAt: string }
interface Account { id: string; customer: Customer; home: Session; deposit: Partial<Record<Chain, string>> }

/** mulberry32: a small deterministic generator; the stream depends on the seed alone. */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = (seed * 0x9e3779b9) >>> 0; }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  between(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  int(lo: number, hi: number): number { return Math.floor(this.between(lo, hi + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256); return b; }
  hex(n: number): string { return Buffer.from(this.bytes(n)).toString('hex'); }
}

interface SdnEntry { address: string; asset: string; party: string; dprkLinked?: boolean }

function loadSdn(): SdnEntry[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return (JSON.parse(readFileSync(join(here, '..', 'data', 'ofac-sdn.json'), 'utf8')) as { entries: SdnEntry[] }).entries;
}

const usd = (x: number): string => x.toFixed(2);

/** Collects messages with their event time; written sorted by time (ties in creation order). */
class Stream {
  readonly lines: { t: number; n: number; text: string }[] = [];
  private n = 0;
  private ids = 0;
  private block = 19_000_000;
  private height = 880_000;
  constructor(readonly rng: Rng, readonly seed: number) {}

  eventId(prefix: string): string { return `${prefix}-${this.seed}-${(++this.ids).toString(36).padStart(5, '0')}`; }
  push(t: number, msg: object): void { this.lines.push({ t, n: this.n++, text: JSON.stringify(msg) }); }

  evmAddress(): string { return `0x${this.rng.hex(20)}`; }
  tronAddress(): string { return base58CheckEncode(Uint8Array.from([0x41, ...this.rng.bytes(20)])); }
  btcAddress(): string { return segwitAddress(this.rng.bytes(20), 0, 'bc'); }
  addressOn(chain: Chain): string { return chain === 'tron' ? this.tronAddress() : chain === 'bitcoin' ? this.btcAddress() : this.evmAddress(); }
  txHash(chain: Chain): string { return chain === 'bitcoin' || chain === 'tron' ? this.rng.hex(32) : `0x${this.rng.hex(32)}`; }

  label(t: number, chain: Chain, address: string, label: string, entity: string): void {
    this.push(t, { schema: 'intel.label.v1', chain, address, label, entity, source: 'oos3-intel', confidence: 0.9, observedAt: iso(t) });
  }

  transfer(a: Account, kind: 'deposit' | 'withdrawal', t: number, chain: Chain, asset: string, amount: number, price: number, counterparty: string, session?: Session, status: 'requested' | 'completed' = 'completed'): string {
    const eventId = this.eventId(kind === 'deposit' ? 'dep' : 'wd');
    const decimals = asset === 'BTC' ? 8 : asset === 'ETH' ? 6 : 2;
    const msg: Record<string, unknown> = {
      schema: 'exchange.transfer.v1', eventId, kind, status, occurredAt: iso(t), accountId: a.id, chain, asset,
      amount: amount.toFixed(decimals), usdValue: Math.round(amount * price * 100) / 100,
    };
    if (status === 'completed') msg.txHash = this.txHash(chain);
    if (kind === 'deposit') { msg.from = [counterparty]; msg.to = this.depositAddress(a, chain); } else { msg.from = []; msg.to = counterparty; }
    if (session) msg.session = session;
    msg.customer = a.customer;
    this.push(t, msg);
    return eventId;
  }

  depositAddress(a: Account, chain: Chain): string { return (a.deposit[chain] ??= this.addressOn(chain)); }

  login(a: Account, t: number, s: Session): void {
    this.push(t, { schema: 'exchange.login.v1', eventId: this.eventId('login'), occurredAt: iso(t), accountId: a.id, ...s });
  }

  /** An on-chain stablecoin Transfer log between two external addresses (Ethereum or Tron). */
  tokenTransfer(t: number, chain: 'ethereum' | 'tron', asset: 'USDT' | 'USDC', from: string, to: string, amount: number): void {
    const contract = chain === 'tron' ? TOKEN.tron.USDT : TOKEN.ethereum[asset];
    const raw = BigInt(Math.round(amount * 100)) * 10_000n; // six decimals
    this.push(t, {
      schema: 'chain.evm.log.v1', chain, txHash: this.txHash('ethereum'), logIndex: this.rng.int(0, 300), blockNumber: this.block++, blockTime: iso(t),
      address: contract, topics: [TRANSFER_TOPIC, topicOf(from), topicOf(to)], data: `0x${raw.toString(16).padStart(64, '0')}`,
    });
  }

  nativeTransfer(t: number, chain: 'ethereum', from: string, to: string, wei: bigint): void {
    this.push(t, { schema: 'chain.evm.tx.v1', chain, hash: this.txHash(chain), blockNumber: this.block++, blockTime: iso(t), from, to, value: wei.toString() });
  }

  text(): string {
    return this.lines.sort((x, y) => x.t - y.t || x.n - y.n).map((l) => l.text).join('\n') + '\n';
  }
}

function iso(t: number): string { return new Date(t).toISOString(); }

function topicOf(address: string): string {
  const hex = address.startsWith('T') ? tronHex(address) : address.slice(2).toLowerCase();
  return `0x${hex.padStart(64, '0')}`;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function tronHex(address: string): string {
  let n = 0n;
  for (const c of address) n = n * 58n + BigInt(B58.indexOf(c));
  const hex = n.toString(16).padStart(50, '0'); // 21 bytes + 4 checksum
  return hex.slice(2, 42);
}

/* ------------------------------------------------------------------ world */

const WESTERN = ['US', 'US', 'US', 'CA', 'GB', 'DE', 'NL', 'AU'] as const;
const IP_PREFIX: Record<string, string[]> = {
  US: ['73.', '98.', '24.', '71.', '174.'], CA: ['70.', '142.'], GB: ['81.', '86.'], DE: ['84.', '91.'], NL: ['77.', '145.'], AU: ['101.', '121.'],
  CN: ['112.', '183.', '36.'], RU: ['95.', '188.', '178.'], LA: ['115.84.', '202.137.'], VN: ['113.', '171.'], AE: ['94.200.', '86.98.'],
  JP: ['126.', '153.'], TH: ['49.228.', '171.96.'], PT: ['85.', '188.80.'], MX: ['187.', '189.'], SG: ['101.127.', '116.86.'],
};

class World {
  readonly accounts: Account[] = [];
  readonly truth: Required<Pick<Truth, 'accounts' | 'allowed' | 'benign' | 'sanctionsDirect'>> & { lookalikes: Record<string, string> } =
    { accounts: {}, allowed: {}, benign: [], sanctionsDirect: [], lookalikes: {} };
  readonly start: number;
  readonly prices: { BTC: number; ETH: number };
  readonly exchanges: Record<'ethereum' | 'tron' | 'bitcoin', string[]>;
  readonly payroll: { chain: 'ethereum' | 'tron'; asset: 'USDC' | 'USDT'; address: string }[];
  readonly otc: string[];
  readonly bridge: string;
  readonly gambling: string;
  readonly sdn: SdnEntry[];

  constructor(readonly s: Stream) {
    const r = s.rng;
    this.start = Date.UTC(2025, 1, 1) + r.int(0, 120) * DAY;
    this.prices = { BTC: Math.round(r.between(58_000, 104_000)), ETH: Math.round(r.between(1_800, 4_200)) };
    this.sdn = loadSdn();
    const t0 = this.start - 2 * DAY;
    this.exchanges = { ethereum: [], tron: [], bitcoin: [] };
    for (const name of ['Exchange North', 'Exchange South', 'Exchange East']) {
      for (const chain of ['ethereum', 'tron', 'bitcoin'] as const) {
        const a = s.addressOn(chain);
        this.exchanges[chain].push(a);
        s.label(t0, chain, a, 'exchange', name);
      }
    }
    this.payroll = [];
    for (const [i, chain] of (['ethereum', 'ethereum', 'tron'] as const).entries()) {
      const address = s.addressOn(chain);
      s.label(t0, chain, address, 'payroll-platform', `Payroll provider ${i + 1}`);
      this.payroll.push({ chain, asset: chain === 'tron' ? 'USDT' : r.pick(['USDC', 'USDT'] as const), address });
    }
    this.otc = [s.tronAddress(), s.tronAddress()];
    this.otc.forEach((a, i) => s.label(t0, 'tron', a, 'otc-desk', `OTC desk ${i + 1}`));
    this.bridge = s.evmAddress();
    s.label(t0, 'ethereum', this.bridge, 'bridge', 'Bridge router');
    this.gambling = s.tronAddress();
    s.label(t0, 'tron', this.gambling, 'gambling', 'Casino');
  }

  account(kind: 'individual' | 'business', country: string, ageDays: number, at = this.start): Account {
    const r = this.s.rng;
    const a: Account = {
      id: `c${r.hex(5)}`,
      customer: { type: kind, kycCountry: country, createdAt: iso(at - ageDays * DAY - r.int(0, 86_399) * 1000) },
      home: this.session(country, false),
      deposit: {},
    };
    this.accounts.push(a);
    return a;
  }

  session(country: string, vpn: boolean, provider?: string, deviceId?: string): Session {
    const r = this.s.rng;
    const prefix = r.pick(IP_PREFIX[country] ?? ['203.']);
    const parts = prefix.split('.').filter(Boolean).length;
    let ip = prefix;
    for (let i = parts; i < 4; i++) ip += `${r.int(1, 254)}${i < 3 ? '.' : ''}`;
    const s: Session = { ip, ipCountry: country, vpn };
    if (provider) s.vpnProvider = provider;
    s.deviceId = deviceId ?? `dev-${r.hex(6)}`;
    return s;
  }

  plant(a: Account, typologies: string[], allowed: string[] = []): void {
    this.truth.accounts[a.id] = typologies;
    if (allowed.length) this.truth.allowed[a.id] = allowed;
  }

  benign(a: Account, why: string): void {
    this.truth.benign.push(a.id);
    this.truth.lookalikes[a.id] = why;
  }

  sdnOf(form: 'evm' | 'tron' | 'btc', dprk: boolean | 'any'): SdnEntry[] {
    return this.sdn.filter((e) => {
      const ok = form === 'evm' ? /^0x[0-9a-fA-F]{40}$/.test(e.address) : form === 'tron' ? /^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(e.address) : /^(1|3|bc1)/.test(e.address) && e.asset === 'XBT';
      return ok && (dprk === 'any' || Boolean(e.dprkLinked) === dprk);
    });
  }

  /** A few ordinary deposits from other exchanges before the account's story starts. */
  history(a: Account, from: number, n: number, chain: 'ethereum' | 'tron' = 'tron'): void {
    const r = this.s.rng;
    for (let i = 0; i < n; i++) {
      const t = from + r.between(0, 20) * DAY;
      this.s.transfer(a, 'deposit', t, chain, 'USDT', r.between(50, 1500), 1, r.pick(this.exchanges[chain]), a.home);
    }
  }
}

/* -------------------------------------------------------------- planted */

function sanctionsDirect(w: World): void {
  const { s } = w; const r = s.rng;
  // deposit from a DPRK-linked EVM address, on Ethereum or another EVM chain
  const a1 = w.account('individual', r.pick(WESTERN), r.int(40, 400));
  w.history(a1, w.start, r.int(1, 3));
  const src = r.pick(w.sdnOf('evm', true)).address;
  const chain1 = r.pick(['ethereum', 'arbitrum', 'polygon', 'base'] as const);
  s.transfer(a1, 'deposit', w.start + r.between(20, 100) * DAY, chain1, 'USDT', Math.round(r.between(800, 9000)), 1, r.chance(0.5) ? src.toLowerCase() : src, a1.home);
  w.plant(a1, ['sanctions-exposure']);
  // requested withdrawal to a sanctioned Tron address, half the time given in 41-hex form
  const a2 = w.account('individual', r.pick(WESTERN), r.int(40, 400));
  w.history(a2, w.start, r.int(2, 4));
  const tron = r.pick(w.sdnOf('tron', 'any')).address;
  const to = r.chance(0.5) ? `41${tronHex(tron)}` : tron;
  s.transfer(a2, 'withdrawal', w.start + r.between(25, 100) * DAY, 'tron', 'USDT', Math.round(r.between(300, 5000)), 1, to, a2.home, 'requested');
  w.plant(a2, ['sanctions-exposure']);
  // BTC deposit from a sanctioned Bitcoin address
  const a3 = w.account('individual', r.pick(WESTERN), r.int(40, 400));
  w.history(a3, w.start, r.int(1, 3));
  const btc = r.pick(w.sdnOf('btc', 'any')).address;
  s.transfer(a3, 'deposit', w.start + r.between(20, 100) * DAY, 'bitcoin', 'BTC', r.between(0.02, 0.6), w.prices.BTC, btc, a3.home);
  w.plant(a3, ['sanctions-exposure']);
  w.truth.sanctionsDirect.push(a1.id, a2.id, a3.id);
}

function sanctionsIndirect(w: World): void {
  const { s } = w; const r = s.rng;
  // downstream: withdrawal on Tron -> A -> B -> sanctioned Tron address
  const a = w.account('individual', r.pick(WESTERN), r.int(60, 500));
  w.history(a, w.start, 3);
  const t = w.start + r.between(30, 90) * DAY;
  const amount = Math.round(r.between(2500, 15000));
  const hopA = s.tronAddress(); const hopB = s.tronAddress();
  s.transfer(a, 'withdrawal', t, 'tron', 'USDT', amount, 1, hopA, a.home);
  s.tokenTransfer(t + r.between(2, 12) * HOUR, 'tron', 'USDT', hopA, hopB, amount - r.between(5, 60));
  s.tokenTransfer(t + r.between(30, 70) * HOUR, 'tron', 'USDT', hopB, r.pick(w.sdnOf('tron', 'any')).address, amount - r.between(80, 150));
  w.plant(a, ['sanctions-exposure'], ['pass-through']);
  // upstream: DPRK-linked EVM address -> X -> Y -> deposit
  const b = w.account('individual', r.pick(WESTERN), r.int(60, 500));
  w.history(b, w.start, 2, 'ethereum');
  const t2 = w.start + r.between(30, 90) * DAY;
  const amt2 = Math.round(r.between(3000, 20000));
  const x = s.evmAddress(); const y = s.evmAddress();
  s.tokenTransfer(t2 - r.between(4, 9) * DAY, 'ethereum', 'USDC', r.pick(w.sdnOf('evm', true)).address.toLowerCase(), x, amt2 + 200);
  s.tokenTransfer(t2 - r.between(1, 3) * DAY, 'ethereum', 'USDC', x, y, amt2 + 60);
  s.transfer(b, 'deposit', t2, 'ethereum', 'USDC', amt2, 1, y, b.home);
  w.plant(b, ['sanctions-exposure']);
  // negative: the second hop is an exchange hot wallet that later pays a sanctioned address
  const n = w.account('individual', r.pick(WESTERN), r.int(60, 500));
  w.history(n, w.start, 3);
  const t3 = w.start + r.between(30, 90) * DAY;
  const hop = s.tronAddress(); const hot = r.pick(w.exchanges.tron);
  s.transfer(n, 'withdrawal', t3, 'tron', 'USDT', 4200, 1, hop, n.home);
  s.tokenTransfer(t3 + 5 * HOUR, 'tron', 'USDT', hop, hot, 4190);
  s.tokenTransfer(t3 + 40 * HOUR, 'tron', 'USDT', hot, r.pick(w.sdnOf('tron', 'any')).address, 4100);
  w.benign(n, 'withdraws to a personal address that deposits at an exchange whose hot wallet later pays a sanctioned address');
}

interface Ring { consolidation: string[]; chain: 'ethereum' | 'tron'; asset: 'USDC' | 'USDT'; workers: Account[]; sink?: string }

/** T3+T4 (+T5/T6): workers paid on a cadence by employers, forwarding most of each salary to shared consolidation addresses. */
function payrollRing(w: World, withFarmDevice: boolean): Ring {
  const { s } = w; const r = s.rng;
  const pay = r.pick(w.payroll);
  const chain = pay.chain; const asset = pay.asset;
  const n = r.int(3, 7);
  // two consolidation addresses only when each still gets three or more payers: nothing on-chain
  // ties the two addresses to one controller, so a 2+1 split is no fan-in the contract describes
  const consolidation = n >= 6 && r.chance(0.5) ? [s.addressOn(chain), s.addressOn(chain)] : [s.addressOn(chain)];
  const employers = [pay.address, s.addressOn(chain), s.addressOn(chain)];
  const ring: Ring = { consolidation, chain, asset, workers: [] };
  const farmDevice = `dev-${r.hex(6)}`;
  const operatorCountry = r.pick(['CN', 'RU', 'LA', 'VN', 'AE'] as const);
  const astrill = r.chance(0.7);
  for (let i = 0; i < n; i++) {
    const a = w.account('individual', r.pick(WESTERN), r.int(10, 90));
    ring.workers.push(a);
    const session = r.chance(0.75) ? w.session(operatorCountry, astrill, astrill ? 'Astrill' : undefined, withFarmDevice && i < 3 ? farmDevice : undefined)
      : w.session(a.customer.kycCountry, false, undefined, withFarmDevice && i < 3 ? farmDevice : undefined);
    const employer = r.pick(employers);
    const monthly = r.chance(0.7);
    const salary = Math.round(r.between(2500, 9500) / 50) * 50;
    const cycles = r.int(3, 5);
    let t = w.start + r.between(3, 20) * DAY;
    const dest = consolidation[i % consolidation.length]!;
    s.login(a, t - r.between(1, 20) * DAY, session);
    for (let c = 0; c < cycles; c++) {
      const amount = salary * r.between(0.94, 1.06);
      s.transfer(a, 'deposit', t, chain, asset, amount, 1, employer);
      const lag = r.between(2, 60) * HOUR;
      s.login(a, t + lag - r.between(5, 40) * 60_000, session);
      s.transfer(a, 'withdrawal', t + lag, chain, asset, amount * r.between(0.85, 0.995), 1, dest, session);
      t += (monthly ? r.between(28, 31) : r.between(13.5, 15.5)) * DAY;
    }
    const planted = withFarmDevice && i < 3 ? ['dprk-it-payroll', 'dprk-consolidation', 'account-linkage'] : ['dprk-it-payroll', 'dprk-consolidation'];
    w.plant(a, planted, ['pass-through', 'chain-hop', 'account-linkage', 'sanctions-exposure', 'structuring']);
  }
  // the consolidation addresses sweep on-chain to a DPRK-linked aggregator (real SDN address) on Ethereum
  if (chain === 'ethereum' && r.chance(0.6)) {
    ring.sink = r.pick(w.sdnOf('evm', true)).address.toLowerCase();
    for (const c of consolidation) s.tokenTransfer(w.start + r.between(100, 130) * DAY, 'ethereum', asset, c, ring.sink, r.between(20000, 60000));
  }
  return ring;
}

/** T12: one account with clean US identity paid by several employers, forwarding abroad to new addresses. */
function facilitatorHub(w: World, ring: Ring): void {
  const { s } = w; const r = s.rng;
  const a = w.account('individual', 'US', r.int(200, 900));
  w.history(a, w.start - 30 * DAY, 2, ring.chain);
  const employers = r.int(3, 4);
  const dests = [s.addressOn(ring.chain), s.addressOn(ring.chain), ring.consolidation[0]!];
  let t = w.start + r.between(10, 30) * DAY;
  for (let e = 0; e < employers; e++) {
    const payer = e === 0 ? r.pick(w.payroll.filter((p) => p.chain === ring.chain)).address : s.addressOn(ring.chain);
    for (let k = 0; k < 2; k++) {
      const at = t + k * r.between(27, 31) * DAY;
      const amount = Math.round(r.between(3200, 8000));
      s.transfer(a, 'deposit', at, ring.chain, ring.asset, amount, 1, payer);
      s.transfer(a, 'withdrawal', at + r.between(12, 110) * HOUR, ring.chain, ring.asset, amount * r.between(0.75, 0.95), 1, r.pick(dests), a.home);
    }
    t += r.between(3, 12) * DAY;
  }
  w.plant(a, ['dprk-it-payroll'], ['pass-through', 'dprk-consolidation', 'sanctions-exposure', 'account-linkage']);
}

/** T9: a business pays a large round sum to a fresh address linked (via gas) to its former contractor's consolidation. */
function extortionPayer(w: World): void {
  const { s } = w; const r = s.rng;
  const b = w.account('business', r.pick(['US', 'GB', 'DE', 'CA'] as const), r.int(300, 1500));
  const office = w.session(b.customer.kycCountry, false);
  const treasury = s.evmAddress();
  const contractor = s.evmAddress(); const cons = s.evmAddress();
  let t = w.start + r.between(0, 10) * DAY;
  const fee = Math.round(r.between(4000, 9000) / 100) * 100;
  const months = r.int(3, 5);
  for (let m = 0; m < months; m++) {
    s.transfer(b, 'deposit', t - 2 * DAY, 'ethereum', 'USDC', fee + r.between(1000, 20000), 1, treasury, office);
    s.transfer(b, 'withdrawal', t, 'ethereum', 'USDC', fee, 1, contractor, office);
    s.tokenTransfer(t + r.between(3, 30) * HOUR, 'ethereum', 'USDC', contractor, cons, fee * 0.97);
    t += r.between(29, 31) * DAY;
  }
  const demand = r.pick([100_000, 150_000, 200_000, 250_000, 400_000]);
  const payAt = t + r.between(20, 60) * DAY;
  const fresh = s.evmAddress();
  s.nativeTransfer(payAt - r.between(2, 10) * DAY, 'ethereum', cons, fresh, 10n ** 16n * BigInt(r.int(1, 5)));
  s.transfer(b, 'deposit', payAt - r.between(3, 40) * HOUR, 'ethereum', 'USDC', demand + r.between(0, 3000), 1, treasury, office);
  s.transfer(b, 'withdrawal', payAt, 'ethereum', 'USDC', demand, 1, fresh, office, 'requested');
  w.plant(b, ['extortion-payment'], ['dprk-consolidation', 'sanctions-exposure']);
  // variant: BTC ransom to a fresh bc1 address, no reverse link (medium by the research)
  const b2 = w.account('business', r.pick(['US', 'GB', 'NL'] as const), r.int(300, 1500));
  const office2 = w.session(b2.customer.kycCountry, false);
  const t2 = w.start + r.between(30, 120) * DAY;
  const usdDemand = r.pick([80_000, 120_000, 250_000]);
  const btc = Math.round((usdDemand / w.prices.BTC) * 100) / 100;
  s.transfer(b2, 'deposit', t2 - 20 * DAY, 'ethereum', 'USDC', r.between(3000, 9000), 1, s.evmAddress(), office2);
  s.transfer(b2, 'deposit', t2 - r.between(5, 30) * HOUR, 'bitcoin', 'BTC', btc + 0.05, w.prices.BTC, s.btcAddress(), office2);
  s.transfer(b2, 'withdrawal', t2, 'bitcoin', 'BTC', btc, w.prices.BTC, s.btcAddress(), office2, 'requested');
  w.plant(b2, ['extortion-payment'], ['pass-through']);
}

/** T10: a worker paid on a cadence stops being paid, then receives a lump far above salary and forwards it fast. */
function extortionReceiver(w: World): void {
  const { s } = w; const r = s.rng;
  const a = w.account('individual', r.pick(WESTERN), r.int(60, 200));
  const chain = r.pick(['ethereum', 'tron'] as const);
  const asset = chain === 'tron' ? 'USDT' : 'USDC';
  const employer = s.addressOn(chain); const own = s.addressOn(chain);
  const salary = Math.round(r.between(5000, 9000) / 100) * 100;
  let t = w.start + r.between(0, 5) * DAY;
  for (let m = 0; m < 4; m++) {
    s.transfer(a, 'deposit', t, chain, asset, salary, 1, employer, a.home);
    s.transfer(a, 'withdrawal', t + r.between(6, 20) * DAY, chain, asset, salary * r.between(0.5, 0.9), 1, own, a.home);
    t += r.between(29, 31) * DAY;
  }
  const lumpAt = t + r.between(25, 60) * DAY;
  const lump = Math.round(r.between(60_000, 250_000) / 1000) * 1000;
  s.transfer(a, 'deposit', lumpAt, chain, asset, lump, 1, s.addressOn(chain), a.home);
  s.transfer(a, 'withdrawal', lumpAt + r.between(2, 20) * HOUR, chain, asset, lump * r.between(0.97, 0.995), 1, s.addressOn(chain), w.session('RU', true, 'Astrill'));
  w.plant(a, ['extortion-payment'], ['pass-through', 'dprk-it-payroll', 'chain-hop']);
}

/** T7 chain hop: arrives as one asset/chain and leaves within hours as USDT on Tron to an OTC desk, or to a bridge. */
function chainHop(w: World): void {
  const { s } = w; const r = s.rng;
  for (let i = 0; i < 2; i++) {
    const a = w.account('individual', r.pick(WESTERN), r.int(20, 300));
    w.history(a, w.start, 2);
    const t = w.start + r.between(20, 100) * DAY;
    const viaBtc = r.chance(0.4);
    const usdIn = Math.round(r.between(5000, 40000));
    if (viaBtc) s.transfer(a, 'deposit', t, 'bitcoin', 'BTC', usdIn / w.prices.BTC, w.prices.BTC, s.btcAddress(), a.home);
    else s.transfer(a, 'deposit', t, 'ethereum', 'USDC', usdIn, 1, s.evmAddress(), a.home);
    const session = r.chance(0.5) ? w.session(r.pick(['CN', 'RU', 'AE'] as const), true, r.pick(['Astrill', 'NordVPN'])) : a.home;
    s.transfer(a, 'withdrawal', t + r.between(2, 20) * HOUR, 'tron', 'USDT', usdIn * r.between(0.95, 0.99), 1, r.pick(w.otc), session);
    w.plant(a, ['chain-hop'], ['pass-through', 'structuring', 'high-risk-service']); // an OTC desk is a high-risk service
  }
}

/** Structuring: many withdrawals under a threshold (sub-$1,000 after a payroll-size deposit; just under $10,000 over days). */
function structuring(w: World): void {
  const { s } = w; const r = s.rng;
  const a = w.account('individual', r.pick(WESTERN), r.int(20, 300));
  w.history(a, w.start, 1, 'ethereum');
  let t = w.start + r.between(20, 100) * DAY;
  const dep = Math.round(r.between(6000, 12000));
  s.transfer(a, 'deposit', t, 'ethereum', 'USDC', dep, 1, s.evmAddress(), a.home);
  let left = dep * r.between(0.85, 0.97);
  t += r.between(1, 5) * HOUR;
  while (left > 700) {
    const x = Math.min(left, r.between(700, 990));
    s.transfer(a, 'withdrawal', t, 'ethereum', 'USDC', x, 1, s.evmAddress(), a.home);
    left -= x; t += r.between(0.3, 2) * HOUR;
  }
  w.plant(a, ['structuring'], ['pass-through', 'dprk-it-payroll']);
  const b = w.account('individual', r.pick(WESTERN), r.int(100, 600));
  w.history(b, w.start, 1);
  let t2 = w.start + r.between(20, 100) * DAY;
  const parts = r.int(4, 7);
  s.transfer(b, 'deposit', t2, 'tron', 'USDT', parts * 9990, 1, s.tronAddress(), b.home);
  const dest = s.tronAddress();
  for (let k = 0; k < parts; k++) {
    t2 += r.between(3, 16) * HOUR;
    s.transfer(b, 'withdrawal', t2, 'tron', 'USDT', r.between(9400, 9950), 1, r.chance(0.5) ? dest : s.tronAddress(), b.home);
  }
  w.plant(b, ['structuring'], ['pass-through']);
}

/** Pass-through: large sums in and almost all out within hours, repeatedly. */
function passThrough(w: World): void {
  const { s } = w; const r = s.rng;
  for (let i = 0; i < 2; i++) {
    const a = w.account('individual', r.pick(WESTERN), r.int(5, 120));
    let t = w.start + r.between(10, 60) * DAY;
    for (let k = 0; k < r.int(2, 3); k++) {
      const amount = Math.round(r.between(15_000, 60_000));
      s.transfer(a, 'deposit', t, 'tron', 'USDT', amount, 1, s.tronAddress(), a.home);
      s.transfer(a, 'withdrawal', t + r.between(0.5, 6) * HOUR, 'tron', 'USDT', amount * r.between(0.97, 0.995), 1, s.tronAddress(), a.home);
      t += r.between(4, 15) * DAY;
    }
    w.plant(a, ['pass-through'], ['structuring']);
  }
}

/** T5: a laptop farm — accounts with different identities logging in from one device and one IP. */
function laptopFarm(w: World): void {
  const { s } = w; const r = s.rng;
  const n = r.int(3, 5);
  const device = `dev-${r.hex(6)}`;
  const farm = w.session('US', false, undefined, device);
  const t = w.start + r.between(10, 80) * DAY;
  for (let i = 0; i < n; i++) {
    const a = w.account('individual', r.pick(['US', 'US', 'CA'] as const), r.int(5, 60));
    w.history(a, t - 15 * DAY, 2);
    s.login(a, t + r.between(0, 20) * HOUR, farm);
    s.login(a, t + r.between(2, 9) * DAY, { ...farm, ip: farm.ip });
    s.transfer(a, 'withdrawal', t + r.between(1, 9) * DAY, 'tron', 'USDT', r.between(100, 800), 1, s.tronAddress(), farm);
    w.plant(a, ['account-linkage'], ['pass-through']);
  }
}

/* --------------------------------------------------------------- benign */

function benignWorkers(w: World, ring: Ring): void {
  const { s } = w; const r = s.rng;
  // paid by a payroll platform on a cadence, keeps funds for weeks, withdraws to a long-used own address
  for (let i = 0; i < r.int(3, 5); i++) {
    const p = r.pick(w.payroll);
    const a = w.account('individual', r.pick(WESTERN), r.int(300, 1500));
    const own = s.addressOn(p.chain);
    const salary = Math.round(r.between(3000, 9000) / 50) * 50;
    let t = w.start + r.between(0, 10) * DAY;
    for (let m = 0; m < 5; m++) {
      s.transfer(a, 'deposit', t, p.chain, p.asset, salary, 1, p.address);
      if (m % 2 === 1) s.transfer(a, 'withdrawal', t + r.between(18, 40) * DAY, p.chain, p.asset, salary * r.between(0.6, 1.4), 1, own, a.home);
      t += r.between(28, 31) * DAY;
    }
    w.benign(a, 'monthly salary from a payroll platform, kept for weeks, withdrawn to its own long-used address');
  }
  // paid bi-weekly, moves nearly all of it the same day, every time to the same own address
  for (let i = 0; i < 2; i++) {
    const p = r.pick(w.payroll);
    const a = w.account('individual', r.pick(WESTERN), r.int(300, 1500));
    const own = s.addressOn(p.chain);
    const salary = Math.round(r.between(2200, 5000));
    let t = w.start + r.between(0, 10) * DAY;
    for (let m = 0; m < 9; m++) {
      s.transfer(a, 'deposit', t, p.chain, p.asset, salary * r.between(0.98, 1.02), 1, p.address);
      s.transfer(a, 'withdrawal', t + r.between(2, 20) * HOUR, p.chain, p.asset, salary * r.between(0.85, 0.97), 1, own, a.home);
      t += 14 * DAY;
    }
    w.benign(a, 'bi-weekly salary moved the same day to the same own self-custody address every time');
  }
  // salary split across own wallets, the same split every month
  for (let i = 0; i < 2; i++) {
    const p = r.pick(w.payroll);
    const a = w.account('individual', r.pick(WESTERN), r.int(300, 1500));
    const wallets = [s.addressOn(p.chain), s.addressOn(p.chain), s.addressOn(p.chain)];
    const salary = Math.round(r.between(4000, 11000));
    let t = w.start + r.between(0, 10) * DAY;
    for (let m = 0; m < 5; m++) {
      s.transfer(a, 'deposit', t, p.chain, p.asset, salary, 1, p.address);
      [0.5, 0.3, 0.15].forEach((share, k) => s.transfer(a, 'withdrawal', t + r.between(6, 40) * HOUR, p.chain, p.asset, salary * share, 1, wallets[k]!, a.home));
      t += r.between(29, 31) * DAY;
    }
    w.benign(a, 'monthly salary split 50/30/15 across the same three own wallets each month');
  }
  // remote worker travelling on a VPN, paid monthly, keeps funds
  for (let i = 0; i < 2; i++) {
    const p = r.pick(w.payroll);
    const a = w.account('individual', 'US', r.int(300, 1500));
    const abroad = w.session(r.pick(['TH', 'JP', 'PT', 'MX', 'SG'] as const), true, r.pick(['NordVPN', 'ExpressVPN', 'Proton VPN']), a.home.deviceId);
    let t = w.start + r.between(0, 10) * DAY;
    const salary = Math.round(r.between(4000, 8000));
    const own = s.addressOn(p.chain);
    for (let m = 0; m < 4; m++) {
      s.transfer(a, 'deposit', t, p.chain, p.asset, salary, 1, p.address);
      s.login(a, t + 2 * HOUR, a.home);
      s.login(a, t + r.between(3, 5) * HOUR, abroad);
      if (m === 3) s.transfer(a, 'withdrawal', t + 3 * DAY, p.chain, p.asset, salary * 2, 1, own, abroad);
      t += r.between(29, 31) * DAY;
    }
    w.benign(a, 'digital nomad: salary kept, logs in from abroad on a consumer VPN hours after a home login');
  }
  void ring;
}

function benignCommerce(w: World): void {
  const { s } = w; const r = s.rng;
  // merchants: many small customer payments, weekly sweep to own treasury
  for (let i = 0; i < 2; i++) {
    const a = w.account('business', r.pick(WESTERN), r.int(200, 1000));
    const treasury = s.tronAddress();
    let t = w.start;
    for (let wk = 0; wk < 10; wk++) {
      let total = 0;
      for (let k = 0; k < r.int(6, 15); k++) {
        const x = r.between(15, 600); total += x;
        s.transfer(a, 'deposit', t + r.between(0, 6.5) * DAY, 'tron', 'USDT', x, 1, s.tronAddress());
      }
      s.transfer(a, 'withdrawal', t + 7 * DAY, 'tron', 'USDT', total * 0.9, 1, treasury, a.home);
      t += 7 * DAY;
    }
    w.benign(a, 'merchant: many small customer payments, weekly sweep of most of it to its own treasury');
  }
  // P2P traders: many counterparties both ways, inventory floats
  for (let i = 0; i < 2; i++) {
    const a = w.account('individual', r.pick(['US', 'GB', 'DE', 'NL'] as const), r.int(200, 1000));
    let t = w.start;
    for (let k = 0; k < 40; k++) {
      t += r.between(0.5, 3) * DAY;
      s.transfer(a, r.chance(0.5) ? 'deposit' : 'withdrawal', t, 'tron', 'USDT', r.between(100, 2500), 1, s.tronAddress(), a.home);
    }
    w.benign(a, 'P2P trader: many counterparties both ways, amounts unrelated, inventory held');
  }
  // gamblers
  for (let i = 0; i < 2; i++) {
    const a = w.account('individual', r.pick(WESTERN), r.int(100, 1000));
    let t = w.start;
    for (let k = 0; k < 12; k++) {
      t += r.between(2, 10) * DAY;
      s.transfer(a, 'deposit', t, 'tron', 'USDT', r.between(50, 900), 1, r.chance(0.3) ? w.gambling : r.pick(w.exchanges.tron), a.home);
      s.transfer(a, 'withdrawal', t + r.between(1, 30) * HOUR, 'tron', 'USDT', r.between(50, 500), 1, w.gambling, a.home);
    }
    w.benign(a, 'gambler: deposits and bets to a labelled casino address');
  }
  // arbitrageur between exchanges (labelled exchange on both sides)
  const arb = w.account('individual', r.pick(WESTERN), r.int(300, 1500));
  let ta = w.start;
  for (let k = 0; k < 5; k++) {
    ta += r.between(5, 20) * DAY;
    const x = Math.round(r.between(5000, 30000));
    s.transfer(arb, 'deposit', ta, 'tron', 'USDT', x, 1, w.exchanges.tron[0]!, arb.home);
    s.transfer(arb, 'withdrawal', ta + r.between(1, 5) * HOUR, 'tron', 'USDT', x * r.between(0.99, 1.0), 1, w.exchanges.tron[1]!, arb.home);
  }
  w.benign(arb, 'arbitrageur: moves USDT from one labelled exchange to another within hours');
  // OTC business: BTC from its own cold wallet, stablecoins to its own treasury days later
  const otcBiz = w.account('business', r.pick(['GB', 'SG', 'AE'] as const), r.int(400, 1500));
  const cold = s.btcAddress(); const tre = s.evmAddress();
  let to = w.start;
  for (let k = 0; k < 3; k++) {
    to += r.between(15, 35) * DAY;
    const btc = r.between(1, 4);
    s.transfer(otcBiz, 'deposit', to, 'bitcoin', 'BTC', btc, w.prices.BTC, cold, otcBiz.home);
    s.transfer(otcBiz, 'withdrawal', to + r.between(4, 12) * DAY, 'ethereum', 'USDC', btc * w.prices.BTC * 0.98, 1, tre, otcBiz.home);
  }
  w.benign(otcBiz, 'treasury desk of a business: sells BTC from its cold wallet, withdraws USDC to its own treasury days later');
  // a company paying a known supplier a large round sum each quarter
  const corp = w.account('business', r.pick(['US', 'DE', 'GB'] as const), r.int(500, 1500));
  const supplier = s.evmAddress(); const ctre = s.evmAddress();
  // a long-standing supplier's address has an on-chain history: other customers paid it months before
  for (let k = 0; k < 3; k++) s.tokenTransfer(w.start - r.between(60, 300) * DAY, 'ethereum', 'USDC', s.evmAddress(), supplier, r.between(5000, 90000));
  let tc = w.start;
  for (let q = 0; q < 3; q++) {
    const x = r.pick([100_000, 150_000, 200_000]);
    s.transfer(corp, 'deposit', tc - 20 * HOUR, 'ethereum', 'USDC', x + 500, 1, ctre, corp.home);
    s.transfer(corp, 'withdrawal', tc, 'ethereum', 'USDC', x, 1, supplier, corp.home);
    tc += r.between(55, 65) * DAY;
  }
  w.benign(corp, 'company pays a long-standing supplier a large round sum every two months');
}

function benignShared(w: World): void {
  const { s } = w; const r = s.rng;
  // family on one home IP, two share a laptop
  const members = r.int(2, 3);
  const home = w.session('US', false);
  for (let i = 0; i < members; i++) {
    const a = w.account('individual', 'US', r.int(300, 2000));
    const session = { ...home, deviceId: i < 2 ? home.deviceId! : `dev-${r.hex(6)}` };
    let t = w.start + r.between(0, 5) * DAY;
    for (let k = 0; k < 4; k++) {
      s.login(a, t, session);
      s.transfer(a, 'deposit', t + HOUR, 'ethereum', 'USDC', r.between(100, 1500), 1, r.pick(w.exchanges.ethereum), session);
      t += r.between(10, 30) * DAY;
    }
    w.benign(a, `family member sharing the home IP${i < 2 ? ' and a laptop' : ''} with relatives`);
  }
  // several unrelated customers pay the same unlabelled online shop
  const shop = s.evmAddress();
  for (let i = 0; i < r.int(4, 6); i++) {
    const a = w.account('individual', r.pick(WESTERN), r.int(100, 2000));
    const t = w.start + r.between(10, 100) * DAY;
    s.transfer(a, 'deposit', t - r.between(1, 10) * DAY, 'ethereum', 'USDC', r.between(300, 3000), 1, r.pick(w.exchanges.ethereum), a.home);
    s.transfer(a, 'withdrawal', t, 'ethereum', 'USDC', r.between(40, 280), 1, shop, a.home);
    w.benign(a, 'customer paying an online shop that other customers also pay');
  }
  // several unrelated customers withdraw to the same exchange deposit address (labelled exchange)
  const hot = r.pick(w.exchanges.ethereum);
  for (let i = 0; i < 4; i++) {
    const a = w.account('individual', r.pick(WESTERN), r.int(100, 2000));
    const t = w.start + r.between(10, 100) * DAY;
    const x = Math.round(r.between(2000, 9000));
    s.transfer(a, 'deposit', t - r.between(2, 30) * DAY, 'ethereum', 'USDC', x, 1, s.evmAddress(), a.home);
    s.transfer(a, 'withdrawal', t, 'ethereum', 'USDC', x * 0.95, 1, hot, a.home);
    w.benign(a, 'withdraws to a labelled exchange that other customers also use');
  }
}

/* ----------------------------------------------------------------- main */

export function generate(seed: number): { stream: string; truth: object } {
  const rng = new Rng(seed);
  const s = new Stream(rng, seed);
  const w = new World(s);
  sanctionsDirect(w);
  sanctionsIndirect(w);
  const ring = payrollRing(w, true);
  if (rng.chance(0.5)) payrollRing(w, false);
  facilitatorHub(w, ring);
  extortionPayer(w);
  extortionReceiver(w);
  chainHop(w);
  structuring(w);
  passThrough(w);
  laptopFarm(w);
  benignWorkers(w, ring);
  benignCommerce(w);
  benignShared(w);
  return { stream: s.text(), truth: { profile: 'oos3', seed, ...w.truth } };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((x) => x.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function main(): void {
  const truthFile = arg('truth');
  const score = arg('score');
  if (score && truthFile) {
    const alerts = readFileSync(score, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth & { lookalikes?: Record<string, string> };
    const result = scoreAlerts(alerts, truth);
    console.log(formatScore(result));
    for (const wrong of result.precision.wrong) console.log(`  ${wrong.accountId}: ${truth.lookalikes?.[wrong.accountId] ?? (truth.accounts[wrong.accountId] ? `planted ${truth.accounts[wrong.accountId]!.join(',')}` : 'unlabelled')}`);
    return;
  }
  const seed = Number(arg('seed') ?? '1');
  const out = arg('out');
  if (!Number.isInteger(seed) || !out || !truthFile) {
    console.error('usage: oos3-stream.ts --seed N --out FILE --truth TRUTH.json | --score ALERTS.jsonl --truth TRUTH.json');
    process.exit(2);
  }
  const { stream, truth } = generate(seed);
  writeFileSync(out, stream);
  writeFileSync(truthFile, JSON.stringify(truth, null, 1) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
