/**
 * Session 48 QA: a black-box generator for the core DPRK IT-worker payroll typologies (T3, T4,
 * T6, T7, T8, T12 of docs/typologies.md), written from docs/typologies.md and the wire contract
 * alone (not from the rules or the simulator). For a seed it writes a six-month replay stream and a
 * truth file: planted accounts (the typologies an alert may carry) and benign look-alikes by kind
 * (no alert at medium or above expected). Chain data arrives hours to days after the exchange's
 * events, as an indexer's would.
 *
 *   npx tsx scripts/qa-payroll-typologies.ts --seed=1 --out=/tmp/qa-p1       (writes .jsonl and .truth.json)
 *   npx tsx scripts/qa-payroll-typologies.ts --score --truth=/tmp/qa-p1.truth.json --alerts=/tmp/qa-p1.alerts.jsonl
 *
 * `--held` (session 64): the T4 cells' own wallets hold each salary 80 to 140 hours before they
 * sweep it into the consolidation address (1 to 40 without it), and benign savers who hold their
 * pay as long are added last: some pay rent out of it to a shared landlord, some move all of it to
 * their own deposit address at an unlabelled savings platform (whose hot wallet sweeps every
 * customer's deposit address). Without `--held` the stream is byte for byte what it was.
 *
 * `--split` (session 65): the T4 cells' own wallets sweep each salary in 2 or 3 parts of random
 * size, 10 minutes to 12 hours apart (DOJ June 2025: "many small transfers"), and the held savers
 * who move their pay to their own platform deposit address move it in parts as well. Without
 * `--split` the stream is byte for byte what it was.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { getAddress, hexlify } from 'ethers';
import bs58check from 'bs58check';

type Sev = 'low' | 'medium' | 'high' | 'critical';
type Rand = () => number;
interface Planted { group: string; expect: string[]; allowed: string[]; note: string }
interface Truth { planted: Record<string, Planted>; benign: Record<string, string> }
interface Cust { type: 'individual' | 'business'; kycCountry: string; createdAt: string }
interface Sess { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId?: string }
type Chain = 'ethereum' | 'tron';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Hours a T4 worker's own wallet holds a salary before sweeping it (`--held`: 80 to 140). */
let sweepHours: [number, number] = [1, 40];
/** `--split` (session 65): a T4 worker's own wallet sweeps each salary in 2 or 3 parts, and held savers move theirs so too. */
let splitSweeps = false;
const START = Date.parse('2025-01-01T00:00:00Z');
const END = Date.parse('2025-06-30T23:59:59Z');
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const TOKEN: Record<string, string> = {
  'ethereum:USDC': '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  'ethereum:USDT': '0xdAC17F958D2ee523a2206206994597C13D831ec7',
  'tron:USDT': 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
};
// Real OFAC SDN addresses (data/ofac/dprk-linked.json): SIM, Hyon Sop on Tron; KIM, Sang Man on Ethereum.
const SIM_TRON = 'TGXE9dGWawjfd3xqFSho1h1bRbRv9wUGrF';
const SIM_TRON_2 = 'TK17wfSPp32RWrnzZPrGpv7TxdNFvvvE2s';
const KIM_EVM = '0x97b1043abd9e6fc31681635166d430a458d14f9c';

function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const iso = (t: number): string => new Date(Math.round(t)).toISOString();

class Gen {
  out: { arrive: number; seq: number; line: string }[] = [];
  truth: Truth = { planted: {}, benign: {} };
  n = 0;
  hotEth: string;
  hotTron: string;
  constructor(public r: Rand, public seed: number) {
    this.hotEth = this.evm();
    this.hotTron = this.tron();
  }
  between(lo: number, hi: number): number { return lo + this.r() * (hi - lo); }
  int(lo: number, hi: number): number { return Math.floor(this.between(lo, hi + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.r() * xs.length)]!; }
  chance(p: number): boolean { return this.r() < p; }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = Math.floor(this.r() * 256); return b; }
  hex(n: number): string { return hexlify(this.bytes(n)).slice(2); }
  evm(): string { return getAddress('0x' + this.hex(20)); }
  tron(): string { return bs58check.encode(Uint8Array.from([0x41, ...this.bytes(20)])); }
  addr(chain: Chain): string { return chain === 'tron' ? this.tron() : this.evm(); }
  txHash(chain: Chain): string { return chain === 'tron' ? this.hex(32) : '0x' + this.hex(32); }
  acctId(): string { return `acct-${this.hex(5)}`; }
  evId(): string { return `qa48-${this.seed}-${(this.n++).toString(36)}-${this.hex(3)}`; }
  device(): string { return `dev-${this.hex(6)}`; }
  ip(country: string): string {
    const first: Record<string, number[]> = { US: [23, 24, 50, 66, 73, 98, 174], GB: [81, 86, 90], CA: [70, 99, 142], DE: [79, 84, 91], CN: [36, 58, 113, 120], RU: [5, 31, 46, 95], VN: [14, 27, 113], TH: [49, 110, 171], AE: [5, 86, 94], NG: [41, 102, 105], TR: [78, 85, 88], AR: [181, 186, 190], PH: [112, 120, 180], IN: [49, 103, 117], ID: [36, 110, 114], SG: [101, 116], JP: [126, 153], PL: [83, 89, 188], UA: [46, 91, 176], BR: [177, 179, 187] };
    return `${this.pick(first[country] ?? [62])}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
  emit(arrive: number, line: string): void { this.out.push({ arrive, seq: this.out.length, line }); }

  label(chain: Chain, address: string, label: string, entity: string): void {
    this.emit(START - DAY, JSON.stringify({ schema: 'intel.label.v1', chain, address, label, entity, source: 'qa48-intel', confidence: 0.9, observedAt: iso(START - DAY) }));
  }
  login(acct: string, t: number, s: Sess): void {
    this.emit(t, JSON.stringify({ schema: 'exchange.login.v1', eventId: this.evId(), occurredAt: iso(t), accountId: acct, ip: s.ip, ipCountry: s.ipCountry, vpn: s.vpn, ...(s.vpnProvider ? { vpnProvider: s.vpnProvider } : {}), ...(s.deviceId ? { deviceId: s.deviceId } : {}) }));
  }
  /** An ERC-20/TRC-20 Transfer log, read by the indexer `lag` after its block. */
  tokenLog(chain: Chain, asset: string, from: string, to: string, amount: number, blockTime: number, txHash: string, lag: number): void {
    const topicOf = (a: string): string => '0x' + '0'.repeat(24) + (chain === 'tron' ? Buffer.from(bs58check.decode(a)).toString('hex').slice(2) : a.slice(2).toLowerCase());
    const units = BigInt(Math.round(amount * 100)) * 10_000n;
    const blockNumber = chain === 'tron' ? 68_500_000 + Math.floor((blockTime - START) / 3000) : 21_525_000 + Math.floor((blockTime - START) / 12_000);
    this.emit(blockTime + lag, JSON.stringify({ schema: 'chain.evm.log.v1', chain, txHash, logIndex: this.int(0, 180), blockNumber, blockTime: iso(blockTime), address: TOKEN[`${chain}:${asset}`], topics: [TRANSFER_TOPIC, topicOf(from), topicOf(to)], data: '0x' + units.toString(16).padStart(64, '0') }));
  }
  indexerLag(): number { return this.chance(0.6) ? this.between(1, 20) * HOUR : this.between(1, 4) * DAY; }
  /** An on-chain hop between two external addresses, read late. */
  hop(chain: Chain, asset: string, from: string, to: string, amount: number, t: number): void {
    this.tokenLog(chain, asset, from, to, amount, t, this.txHash(chain), this.indexerLag());
  }
  deposit(a: Account, t: number, chain: Chain, asset: string, amount: number, from: string, chainData = true): void {
    const txHash = this.txHash(chain);
    const to = a.depositAddr[chain];
    this.emit(t, JSON.stringify({ schema: 'exchange.transfer.v1', eventId: this.evId(), kind: 'deposit', status: 'completed', occurredAt: iso(t), accountId: a.id, chain, asset, amount: amount.toFixed(2), usdValue: Number(amount.toFixed(2)), txHash, from: [from], to, customer: a.cust }));
    if (chainData) this.tokenLog(chain, asset, from, to, amount, t - this.between(2, 15) * 60_000, txHash, this.indexerLag());
  }
  withdraw(a: Account, t: number, chain: Chain, asset: string, amount: number, to: string, s: Sess, chainData = true): void {
    const txHash = this.txHash(chain);
    const hot = chain === 'tron' ? this.hotTron : this.hotEth;
    this.emit(t, JSON.stringify({ schema: 'exchange.transfer.v1', eventId: this.evId(), kind: 'withdrawal', status: 'completed', occurredAt: iso(t), accountId: a.id, chain, asset, amount: amount.toFixed(2), usdValue: Number(amount.toFixed(2)), txHash, from: [hot], to, session: s, customer: a.cust }));
    if (chainData) this.tokenLog(chain, asset, hot, to, amount, t + this.between(1, 12) * 60_000, txHash, this.indexerLag());
  }

  account(kyc: string, created: number, type: 'individual' | 'business' = 'individual'): Account {
    return { id: this.acctId(), cust: { type, kycCountry: kyc, createdAt: iso(created) }, depositAddr: { ethereum: this.evm(), tron: this.tron() }, device: this.device(), homeIp: this.ip(kyc) };
  }
  home(a: Account): Sess { return { ip: a.homeIp, ipCountry: a.cust.kycCountry, vpn: false, deviceId: a.device }; }
  /** Logins every few days from `sess()`, between `from` and `to`. */
  logins(a: Account, from: number, to: number, everyDays: number, sess: () => Sess): void {
    for (let t = from + this.between(0, everyDays) * DAY; t < to; t += this.between(0.5, 2.6 * everyDays) * DAY) this.login(a.id, t, sess());
  }
  plant(a: Account, p: Planted): void { this.truth.planted[a.id] = p; }
  benign(a: Account, kind: string): void { this.truth.benign[a.id] = kind; }
}
interface Account { id: string; cust: Cust; depositAddr: Record<Chain, string>; device: string; homeIp: string }

/** Pay dates: monthly near a day of the month with jitter and missed months, or every 14 days. */
function payDates(g: Gen, cadence: 'monthly' | 'biweekly' | 'semimonthly', first: number, last: number, missP: number): number[] {
  const out: number[] = [];
  if (cadence === 'biweekly') {
    for (let t = first; t < last; t += 14 * DAY) if (!g.chance(missP)) out.push(t + g.between(-1, 1) * DAY + g.between(8, 18) * HOUR);
  } else {
    const dom = cadence === 'monthly' ? g.pick([1, 5, 15, 25, 28]) : 1;
    for (let m = new Date(first).getUTCMonth(); ; m++) {
      const base = Date.UTC(2025, m, dom);
      if (base > last) break;
      if (base < first - 3 * DAY) continue;
      const days = cadence === 'monthly' ? [0] : [0, 14];
      // a monthly run moves up to 3 days (weekends, holidays); the 1st and the 15th move at most a day
      const jitter = cadence === 'monthly' ? 3 : 1;
      for (const d of days) if (!g.chance(missP)) out.push(base + d * DAY + g.between(-jitter, jitter) * DAY + g.between(8, 18) * HOUR);
    }
  }
  return out.filter((t) => t > START && t < END);
}
function salary(g: Gen, base: number, cv: number): number { return Math.max(500, base * (1 + cv * (g.r() * 2 - 1) * 1.7)); }

const WESTERN = ['US', 'US', 'US', 'GB', 'CA', 'DE', 'PL'];
const VPN_EXITS: Record<string, string[]> = {};
function vpnSession(g: Gen, provider: string, exitCountry: string, device: string): Sess {
  const key = `${provider}:${exitCountry}`;
  VPN_EXITS[key] ??= Array.from({ length: 6 }, () => g.ip(exitCountry));
  return { ip: g.pick(VPN_EXITS[key]!), ipCountry: exitCountry, vpn: true, vpnProvider: provider, deviceId: device };
}
/** A DPRK worker's session: Astrill to a Western exit, sometimes leaking a CN/RU address. */
function workerSessionOf(g: Gen, a: Account, style: 'astrill' | 'leaky' | 'direct'): Sess {
  if (style === 'direct' || (style === 'leaky' && g.chance(0.4))) return { ip: g.ip(g.pick(['CN', 'RU'])), ipCountry: g.pick(['CN', 'RU']), vpn: false, deviceId: a.device };
  return vpnSession(g, 'Astrill', g.pick(['US', 'US', 'SG', 'JP']), a.device);
}

interface World { platformsEth: string[]; platformsTron: string[]; employersEth: string[]; employersTron: string[]; otcTron: string[]; bridgeEth: string; dexEth: string; exchangeEth: string[]; exchangeTron: string[]; consAddrs: { chain: Chain; addr: string }[] }

function world(g: Gen): World {
  const w: World = {
    platformsEth: [g.evm(), g.evm(), g.evm()], platformsTron: [g.tron(), g.tron()],
    employersEth: Array.from({ length: 14 }, () => g.evm()), employersTron: Array.from({ length: 8 }, () => g.tron()),
    otcTron: [g.tron(), g.tron()], bridgeEth: g.evm(), dexEth: g.evm(), exchangeEth: [g.evm(), g.evm()], exchangeTron: [g.tron(), g.tron()], consAddrs: [],
  };
  w.platformsEth.forEach((p, i) => g.label('ethereum', p, 'payroll-platform', `Payroll platform ${i}`));
  w.platformsTron.forEach((p, i) => g.label('tron', p, 'payroll-platform', `Payroll platform T${i}`));
  w.otcTron.forEach((p, i) => g.label('tron', p, 'otc-desk', `OTC desk ${i}`));
  g.label('ethereum', w.bridgeEth, 'bridge', 'Bridge router');
  w.exchangeEth.forEach((p, i) => g.label('ethereum', p, 'exchange', `Exchange E${i}`));
  w.exchangeTron.forEach((p, i) => g.label('tron', p, 'exchange', `Exchange T${i}`));
  return w;
}

interface Job { chain: Chain; asset: string; payer: string; base: number; cv: number; cadence: 'monthly' | 'biweekly' | 'semimonthly'; first: number; last: number; missP: number }
function job(g: Gen, w: World, o: Partial<Job> = {}): Job {
  const chain: Chain = o.chain ?? (g.chance(0.6) ? 'ethereum' : 'tron');
  const asset = chain === 'tron' ? 'USDT' : g.chance(0.75) ? 'USDC' : 'USDT';
  const payer = chain === 'tron' ? g.pick(g.chance(0.5) ? w.platformsTron : w.employersTron) : g.pick(g.chance(0.5) ? w.platformsEth : w.employersEth);
  const cadence = g.pick(['monthly', 'monthly', 'biweekly', 'semimonthly'] as const);
  const base = cadence === 'monthly' ? g.between(3000, 9500) : g.between(1800, 4600);
  return { chain, asset, payer, base, cv: g.pick([0, 0.02, 0.05, 0.1, 0.15]), cadence, first: START + g.between(3, 40) * DAY, last: END, missP: g.pick([0, 0, 0.1]), ...o };
}
function paySalaries(g: Gen, a: Account, j: Job, onPay?: (t: number, amount: number) => void): void {
  for (const t of payDates(g, j.cadence, j.first, j.last, j.missP)) {
    const amount = Number(salary(g, j.base, j.cv).toFixed(2));
    g.deposit(a, t, j.chain, j.asset, amount, j.payer);
    onPay?.(t, amount);
  }
}

// ---------------------------------------------------------------- planted

/** T3 + T6: salary forwarded quickly and almost whole to the worker's own new address; Astrill/CN/RU sessions. */
function plantT3(g: Gen, w: World): void {
  const a = g.account(g.pick(WESTERN), START - g.between(20, 110) * DAY);
  const style = g.pick(['astrill', 'leaky', 'direct'] as const);
  const j = job(g, w);
  const fwd = g.addr(j.chain);
  const onward = j.chain === 'tron' ? g.pick([SIM_TRON, g.pick(w.otcTron), g.tron()]) : g.pick([KIM_EVM, g.evm()]);
  const shareOut = g.between(0.85, 0.99);
  g.logins(a, START, END, 3, () => workerSessionOf(g, a, style));
  paySalaries(g, a, j, (t, amt) => {
    const out = amt * g.between(shareOut - 0.02, Math.min(0.995, shareOut + 0.02));
    const tw = t + g.between(3, 60) * HOUR;
    g.withdraw(a, tw, j.chain, j.asset, out, fwd, workerSessionOf(g, a, style));
    g.hop(j.chain, j.asset, fwd, onward, out * 0.995, tw + g.between(1, 30) * HOUR);
  });
  g.plant(a, { group: 'T3', expect: ['dprk-it-payroll'], allowed: ['pass-through', 'sanctions-exposure', 'account-linkage', 'high-risk-service'], note: `${j.cadence} ${j.chain} ${style} out ${shareOut.toFixed(2)}` });
}

/** T4: a cell of workers paid by different employers forwarding to one consolidation address (direct, or via own wallets that sweep on-chain). */
function plantT4Cell(g: Gen, w: World, viaOwnWallets: boolean): string {
  const chain: Chain = g.chance(0.5) ? 'ethereum' : 'tron';
  const cons = g.addr(chain);
  w.consAddrs.push({ chain, addr: cons });
  const size = g.int(3, 6);
  const employers = chain === 'tron' ? [...w.employersTron, ...w.platformsTron] : [...w.employersEth, ...w.platformsEth];
  for (let i = 0; i < size; i++) {
    const a = g.account(g.pick(WESTERN), START - g.between(15, 200) * DAY);
    const style = g.pick(['astrill', 'leaky', 'direct', 'clean'] as const);
    const sess = (): Sess => (style === 'clean' ? g.home(a) : workerSessionOf(g, a, style));
    const j = job(g, w, { chain, asset: chain === 'tron' ? 'USDT' : 'USDC', payer: employers[(i * 3 + g.int(0, 2)) % employers.length]!, cadence: 'monthly', base: g.between(3000, 8000) });
    const own = g.addr(chain);
    g.logins(a, START, END, 4, sess);
    paySalaries(g, a, j, (t, amt) => {
      const out = amt * g.between(0.9, 0.99);
      const tw = t + g.between(2, 46) * HOUR;
      if (viaOwnWallets) {
        g.withdraw(a, tw, chain, j.asset, out, own, sess());
        sweep(g, chain, j.asset, own, cons, out * 0.998, tw + g.between(sweepHours[0], sweepHours[1]) * HOUR);
      } else g.withdraw(a, tw, chain, j.asset, out, cons, sess());
    });
    g.plant(a, { group: viaOwnWallets ? 'T4-via-own' : 'T4', expect: ['dprk-consolidation'], allowed: ['dprk-it-payroll', 'pass-through', 'account-linkage', 'sanctions-exposure', 'high-risk-service'], note: `${chain} style ${style}` });
  }
  // the consolidation address moves on to an OTC desk / Sim on Tron, to a fresh address on Ethereum
  const dest = chain === 'tron' ? g.pick([SIM_TRON_2, ...w.otcTron]) : g.evm();
  for (let t = START + 20 * DAY; t < END; t += g.between(10, 20) * DAY) g.hop(chain, chain === 'tron' ? 'USDT' : 'USDC', cons, dest, g.between(8000, 25000), t);
  return cons;
}

/** An on-chain sweep of `amount`: one transfer, or with `--split` 2 or 3 parts 10 minutes to 12 hours apart. */
function sweep(g: Gen, chain: Chain, asset: string, from: string, to: string, amount: number, t: number): void {
  if (!splitSweeps) return g.hop(chain, asset, from, to, amount, t);
  const n = g.int(2, 3);
  const weights = Array.from({ length: n }, () => g.between(0.5, 1.5));
  const sum = weights.reduce((x, y) => x + y, 0);
  let at = t;
  for (const w of weights) {
    g.hop(chain, asset, from, to, Number(((amount * w) / sum).toFixed(2)), at);
    at += g.between(1 / 6, 12) * HOUR;
  }
}

/** T7: payroll-like receipt, then a swap and chain change to an OTC desk, a bridge, or many small withdrawals. */
function plantT7(g: Gen, w: World, variant: 'hop' | 'bridge' | 'structuring', clean = false): void {
  const a = g.account(g.pick(WESTERN), START - g.between(20, 150) * DAY);
  const style = clean ? 'clean' : g.pick(['astrill', 'leaky', 'direct'] as const);
  const workerSession = (gg: Gen, aa: Account, st: 'astrill' | 'leaky' | 'direct' | 'clean'): Sess => (st === 'clean' ? gg.home(aa) : workerSessionOf(gg, aa, st));
  const j = job(g, w, { chain: 'ethereum', asset: 'USDC', cadence: g.pick(['monthly', 'biweekly'] as const) });
  const fresh = g.tron();
  g.logins(a, START, END, 3, () => workerSession(g, a, style));
  paySalaries(g, a, j, (t, amt) => {
    const tw = t + g.between(4, 40) * HOUR;
    if (variant === 'hop') {
      // converts USDC to USDT inside the exchange, withdraws on Tron
      const out = amt * g.between(0.95, 0.985);
      const toOtc = g.chance(0.5);
      g.withdraw(a, tw, 'tron', 'USDT', out, toOtc ? g.pick(w.otcTron) : fresh, workerSession(g, a, style));
      if (!toOtc) g.hop('tron', 'USDT', fresh, g.pick(w.otcTron), out * 0.999, tw + g.between(2, 30) * HOUR);
    } else if (variant === 'bridge') {
      g.withdraw(a, tw, 'ethereum', 'USDC', amt * g.between(0.9, 0.99), w.bridgeEth, workerSession(g, a, style));
    } else {
      const n = g.int(5, 9);
      const total = amt * g.between(0.85, 0.97);
      const per = total / n;
      if (per >= 1000) {
        // too large to stay under $1,000: split into more pieces
        const m = Math.ceil(total / g.between(700, 990));
        for (let i = 0; i < m; i++) g.withdraw(a, tw + i * g.between(0.3, 2) * HOUR, 'ethereum', 'USDC', total / m, g.evm(), workerSession(g, a, style));
      } else for (let i = 0; i < n; i++) g.withdraw(a, tw + i * g.between(0.5, 2.5) * HOUR, 'ethereum', 'USDC', per * g.between(0.97, 1.03), g.evm(), workerSession(g, a, style));
    }
  });
  // T7 maps to chain-hop and structuring; with T3 (a salary run) S6 expects dprk-it-payroll
  const expect = variant === 'structuring' ? ['structuring', 'dprk-it-payroll'] : ['chain-hop', 'dprk-it-payroll'];
  g.plant(a, { group: `T7-${variant}${clean ? '-clean' : ''}`, expect, allowed: ['pass-through', 'chain-hop', 'structuring', 'account-linkage', 'dprk-consolidation', 'high-risk-service'], note: `${j.cadence} ${style}` });
}

/** T8: a recent account gathering many workers' consolidated pay on Tron and passing 95% to an OTC desk within days. */
function plantT8(g: Gen, w: World): void {
  const created = START + g.between(40, 100) * DAY;
  const a = g.account(g.pick(['AE', 'US', 'GB', 'TR']), created);
  const sess = (): Sess => (g.chance(0.6) ? vpnSession(g, 'Astrill', 'AE', a.device) : { ip: g.ip('RU'), ipCountry: 'RU', vpn: false, deviceId: a.device });
  const sources = Array.from({ length: g.int(11, 15) }, () => g.tron());
  const tronCons = w.consAddrs.filter((c) => c.chain === 'tron').map((c) => c.addr);
  sources.splice(0, Math.min(3, tronCons.length), ...tronCons.slice(0, 3));
  // one source was funded by Sim Hyon Sop's address (one hop from a DPRK-linked node)
  g.hop('tron', 'USDT', SIM_TRON, sources[sources.length - 1]!, 40_000, created + 2 * DAY);
  g.logins(a, created, END, 2, sess);
  let t = created + g.between(5, 9) * DAY;
  let pending = 0;
  for (let round = 0; t < Math.min(END, created + 70 * DAY); round++) {
    for (const s of sources) {
      if (g.chance(0.25)) continue;
      const amt = g.between(4000, 22000);
      g.deposit(a, t, 'tron', 'USDT', amt, s);
      pending += amt;
      t += g.between(1, 14) * HOUR;
    }
    const out = pending * g.between(0.95, 0.99);
    const tw = t + g.between(12, 60) * HOUR;
    g.withdraw(a, tw, 'tron', 'USDT', out / 2, g.pick(w.otcTron), sess());
    g.withdraw(a, tw + g.between(1, 6) * HOUR, 'tron', 'USDT', out / 2, g.pick(w.otcTron), sess());
    pending -= out;
    t = tw + g.between(3, 8) * DAY;
  }
  g.plant(a, { group: 'T8', expect: ['dprk-it-payroll'], allowed: ['sanctions-exposure', 'pass-through', 'chain-hop', 'dprk-consolidation', 'account-linkage', 'high-risk-service'], note: `${sources.length} sources` });
}

/** T12: US KYC, US residential IP, 3-4 employers, each salary 75-95% out within days to new addresses (one a consolidation address). */
function plantT12(g: Gen, w: World, cons: { chain: Chain; addr: string }): void {
  const a = g.account('US', START - g.between(60, 400) * DAY);
  const chain = cons.chain;
  const emp = chain === 'tron' ? [...w.employersTron, ...w.platformsTron] : [...w.employersEth, ...w.platformsEth];
  const dests = [cons.addr, g.addr(chain), g.addr(chain)];
  const firstPay = START + g.between(10, 40) * DAY;
  g.logins(a, START, END, 2, () => g.home(a));
  for (let k = 0, n = g.int(3, 4); k < n; k++) {
    const j = job(g, w, { chain, asset: chain === 'tron' ? 'USDT' : 'USDC', payer: emp[(k * 5 + g.int(0, 3)) % emp.length]!, cadence: 'monthly', base: g.between(3200, 8000), first: firstPay + k * g.between(3, 12) * DAY });
    paySalaries(g, a, j, (t, amt) => {
      g.withdraw(a, t + g.between(12, 110) * HOUR, chain, j.asset, amt * g.between(0.76, 0.95), dests[k % 3]!, g.home(a));
    });
  }
  g.plant(a, { group: 'T12', expect: ['dprk-it-payroll'], allowed: ['dprk-consolidation', 'pass-through', 'sanctions-exposure', 'high-risk-service'], note: `${chain}` });
}

// ---------------------------------------------------------------- benign

/** A genuine freelancer paid by a platform or employer: saves, or spends/moves to a long-used own wallet. */
function benignFreelancer(g: Gen, w: World, habit: 'saver' | 'spender' | 'two-jobs'): void {
  const a = g.account(g.pick([...WESTERN, 'IN', 'PH', 'BR', 'UA', 'AR']), START - g.between(100, 900) * DAY);
  const j = job(g, w);
  const own = g.addr(j.chain);
  const sess = (): Sess => g.home(a);
  g.logins(a, START, END, 3, sess);
  // the long-used own wallet: withdrawals to it from before the salaries began
  for (let t = START + g.between(0, 10) * DAY; t < j.first; t += g.between(5, 20) * DAY) {
    g.deposit(a, t, j.chain, j.asset, g.between(200, 2500), g.pick(j.chain === 'tron' ? w.exchangeTron : w.exchangeEth));
    g.withdraw(a, t + g.between(1, 48) * HOUR, j.chain, j.asset, g.between(150, 2000), own, sess());
  }
  const jobs = habit === 'two-jobs' ? [j, job(g, w, { chain: j.chain, asset: j.asset })] : [j];
  for (const jj of jobs)
    paySalaries(g, a, jj, (t, amt) => {
      if (habit === 'saver') {
        if (g.chance(0.25)) g.withdraw(a, t + g.between(5, 25) * DAY, jj.chain, jj.asset, amt * g.between(0.2, 0.6), own, sess());
      } else {
        // spends: most of the pay to the own long-used wallet within a few days, sometimes the same day
        g.withdraw(a, t + g.between(2, 120) * HOUR, jj.chain, jj.asset, amt * g.between(0.8, 0.99), own, sess());
      }
    });
  g.benign(a, `freelancer-${habit}`);
}

/** A crypto-native freelancer who bridges most of each salary to an L2 within days, from home. */
function benignBridger(g: Gen, w: World): void {
  const a = g.account(g.pick(WESTERN), START - g.between(200, 1500) * DAY);
  const j = job(g, w, { chain: 'ethereum', asset: 'USDC' });
  g.logins(a, START, END, 3, () => g.home(a));
  paySalaries(g, a, j, (t, amt) => g.withdraw(a, t + g.between(4, 110) * HOUR, 'ethereum', 'USDC', amt * g.between(0.5, 0.97), w.bridgeEth, g.home(a)));
  g.benign(a, 'freelancer-l2-bridger');
}

/** A P2P trader: many small USDT deposits from many counterparties, many withdrawals to many, quick turnover. */
function benignP2P(g: Gen, w: World): void {
  const kyc = g.pick(['NG', 'VN', 'TR', 'AR', 'PH', 'UA', 'IN']);
  const a = g.account(kyc, START - g.between(60, 700) * DAY);
  const sess = (): Sess => g.home(a);
  g.logins(a, START, END, 1, sess);
  const regulars = Array.from({ length: 8 }, () => g.tron());
  for (let t = START + g.between(0, 5) * DAY; t < END; t += g.between(4, 40) * HOUR) {
    const amt = g.between(80, 3000);
    g.deposit(a, t, 'tron', 'USDT', amt, g.chance(0.3) ? g.pick(regulars) : g.tron(), g.chance(0.3));
    if (g.chance(0.85)) g.withdraw(a, t + g.between(0.2, 10) * HOUR, 'tron', 'USDT', amt * g.between(0.9, 1.05), g.chance(0.3) ? g.pick(regulars) : g.tron(), sess(), g.chance(0.3));
  }
  g.benign(a, 'p2p-trader');
}

/** A household sharing one laptop and home IP: 2 to 4 people with their own KYC, each a freelancer or a trader. */
function benignHousehold(g: Gen, w: World): void {
  const country = g.pick(WESTERN);
  const device = g.device();
  const ip = g.ip(country);
  const n = g.int(2, 4);
  for (let i = 0; i < n; i++) {
    const a = g.account(country, START - g.between(30, 900) * DAY);
    a.device = device;
    a.homeIp = ip;
    const own = g.evm();
    g.logins(a, START, END, 4, () => (g.chance(0.7) ? g.home(a) : { ip: g.ip(country), ipCountry: country, vpn: false, deviceId: g.device() }));
    if (g.chance(0.5)) {
      const j = job(g, w, { chain: 'ethereum' });
      for (let t = START + g.between(0, 10) * DAY; t < j.first; t += g.between(5, 20) * DAY) g.withdraw(a, t, 'ethereum', j.asset, g.between(100, 900), own, g.home(a));
      paySalaries(g, a, j, (t, amt) => { if (g.chance(0.6)) g.withdraw(a, t + g.between(1, 10) * DAY, 'ethereum', j.asset, amt * g.between(0.3, 0.95), own, g.home(a)); });
    } else {
      for (let t = START + g.between(0, 20) * DAY; t < END; t += g.between(5, 30) * DAY) {
        g.deposit(a, t, 'ethereum', 'USDC', g.between(100, 3000), g.pick(w.exchangeEth));
        if (g.chance(0.5)) g.withdraw(a, t + g.between(1, 200) * HOUR, 'ethereum', 'USDC', g.between(50, 1500), own, g.home(a));
      }
    }
    g.benign(a, `household-of-${n}`);
  }
}

/** A traveller or nomad on a commercial VPN abroad, paid monthly, moving pay to their own long-used wallet. */
function benignTraveller(g: Gen, w: World): void {
  const a = g.account(g.pick(WESTERN), START - g.between(200, 1500) * DAY);
  const provider = g.pick(['NordVPN', 'ExpressVPN', 'ProtonVPN', 'Surfshark', 'Astrill']);
  const abroad = g.pick(['TH', 'VN', 'ID', 'AE', 'CN', 'SG']);
  const travelFrom = START + g.between(20, 90) * DAY;
  const travelTo = travelFrom + g.between(20, 70) * DAY;
  const sess = (t: number): Sess => {
    if (t < travelFrom || t > travelTo) return g.home(a);
    return g.chance(0.7) ? vpnSession(g, provider, g.pick([a.cust.kycCountry, abroad]), a.device) : { ip: g.ip(abroad), ipCountry: abroad, vpn: false, deviceId: a.device };
  };
  for (let t = START + g.between(0, 3) * DAY; t < END; t += g.between(0.5, 5) * DAY) g.login(a.id, t, sess(t));
  const j = job(g, w);
  const own = g.addr(j.chain);
  for (let t = START + g.between(0, 10) * DAY; t < j.first; t += g.between(5, 15) * DAY) g.withdraw(a, t, j.chain, j.asset, g.between(100, 1500), own, sess(t));
  paySalaries(g, a, j, (t, amt) => {
    const tw = t + g.between(3, 96) * HOUR;
    g.withdraw(a, tw, j.chain, j.asset, amt * g.between(0.5, 0.97), own, sess(tw));
  });
  g.benign(a, `traveller-vpn-${provider === 'Astrill' ? 'astrill' : 'other'}`);
}

/** A small business funding from its bank (an exchange) and paying its contractors monthly; some contractors work for several. */
function benignBusinesses(g: Gen, w: World, n: number): void {
  const shared = [g.evm(), g.evm()];
  for (let b = 0; b < n; b++) {
    const a = g.account(g.pick(['US', 'GB', 'DE', 'CA']), START - g.between(200, 1500) * DAY, 'business');
    const contractors = [...Array.from({ length: g.int(3, 7) }, () => g.evm()), ...(b < 4 ? [shared[0]!] : []), ...(b % 3 === 0 ? [shared[1]!] : [])];
    const pay = contractors.map(() => g.between(2500, 8000));
    const sess = (): Sess => g.home(a);
    g.logins(a, START, END, 2, sess);
    for (let m = 0; m < 6; m++) {
      const t = Date.UTC(2025, m, g.pick([25, 26, 27, 28])) + g.between(8, 12) * HOUR;
      const total = pay.reduce((x, y) => x + y, 0);
      g.deposit(a, t - g.between(1, 3) * DAY, 'ethereum', 'USDC', total * g.between(1.0, 1.2), g.pick(w.exchangeEth));
      contractors.forEach((c, i) => g.withdraw(a, t + i * g.between(0.05, 0.5) * HOUR, 'ethereum', 'USDC', pay[i]! * g.between(0.98, 1.02), c, sess()));
    }
    g.benign(a, 'small-business-payer');
  }
}

/** Retail users: occasional buys and withdrawals to their own wallets. */
function benignRetail(g: Gen, w: World): void {
  const a = g.account(g.pick([...WESTERN, 'IN', 'BR', 'JP', 'SG']), START - g.between(30, 1500) * DAY);
  const chain: Chain = g.chance(0.6) ? 'ethereum' : 'tron';
  const own = [g.addr(chain), g.addr(chain)];
  g.logins(a, START, END, 4, () => g.home(a));
  for (let t = START + g.between(0, 30) * DAY; t < END; t += g.between(3, 30) * DAY) {
    if (g.chance(0.5)) g.deposit(a, t, chain, 'USDT', g.between(50, 5000), g.chance(0.5) ? g.pick(chain === 'tron' ? w.exchangeTron : w.exchangeEth) : g.pick(own));
    else g.withdraw(a, t, chain, 'USDT', g.between(50, 4000), g.pick(own), g.home(a));
  }
  g.benign(a, 'retail');
}

/**
 * A saver who withdraws each salary almost whole to a wallet of their own and holds it 80 to 140
 * hours: then pays rent out of it to a landlord other savers pay too, or moves all of it to their
 * own deposit address at an unlabelled savings platform, which sweeps it into its hot wallet.
 */
function benignHeldSaver(g: Gen, w: World, habit: 'rent' | 'platform', shared: { landlord: Record<Chain, string>; platformHot: Record<Chain, string> }): void {
  const a = g.account(g.pick(WESTERN), START - g.between(100, 900) * DAY);
  const j = job(g, w);
  const own = g.addr(j.chain);
  const platformDeposit = g.addr(j.chain);
  const sess = (): Sess => g.home(a);
  g.logins(a, START, END, 3, sess);
  paySalaries(g, a, j, (t, amt) => {
    const out = amt * g.between(0.9, 0.99);
    const tw = t + g.between(1, 48) * HOUR;
    const held = tw + g.between(80, 140) * HOUR;
    g.withdraw(a, tw, j.chain, j.asset, out, own, sess());
    if (habit === 'rent') g.hop(j.chain, j.asset, own, shared.landlord[j.chain], out * g.between(0.35, 0.7), held);
    else {
      sweep(g, j.chain, j.asset, own, platformDeposit, out * 0.999, held);
      g.hop(j.chain, j.asset, platformDeposit, shared.platformHot[j.chain], out * 0.999, held + g.between(1, 12) * HOUR + (splitSweeps ? 24 * HOUR : 0));
    }
  });
  g.benign(a, `held-saver-${habit}`);
}

function generate(seed: number): { lines: string[]; truth: Truth } {
  const g = new Gen(prng(seed), seed);
  const w = world(g);
  for (let i = 0; i < 9; i++) plantT3(g, w);
  const cells = [plantT4Cell(g, w, false), plantT4Cell(g, w, true), plantT4Cell(g, w, false), plantT4Cell(g, w, true)];
  void cells;
  for (const v of ['hop', 'hop', 'hop', 'bridge', 'bridge', 'bridge', 'structuring', 'structuring', 'structuring'] as const) plantT7(g, w, v);
  for (let i = 0; i < 3; i++) plantT8(g, w);
  for (let i = 0; i < 4; i++) plantT12(g, w, w.consAddrs[i % w.consAddrs.length]!);
  for (let i = 0; i < 35; i++) benignFreelancer(g, w, 'saver');
  for (let i = 0; i < 30; i++) benignFreelancer(g, w, 'spender');
  for (let i = 0; i < 10; i++) benignFreelancer(g, w, 'two-jobs');
  for (let i = 0; i < 12; i++) benignP2P(g, w);
  for (let i = 0; i < 10; i++) benignHousehold(g, w);
  for (let i = 0; i < 16; i++) benignTraveller(g, w);
  benignBusinesses(g, w, 10);
  for (let i = 0; i < 50; i++) benignRetail(g, w);
  // added after the first measurement, last so the accounts above stay as they were
  for (let i = 0; i < 3; i++) plantT7(g, w, 'bridge', true);
  for (let i = 0; i < 8; i++) benignBridger(g, w);
  if (sweepHours[0] >= 80) {
    const shared = { landlord: { ethereum: g.evm(), tron: g.tron() }, platformHot: { ethereum: g.evm(), tron: g.tron() } };
    for (let i = 0; i < 8; i++) benignHeldSaver(g, w, 'rent', shared);
    for (let i = 0; i < 8; i++) benignHeldSaver(g, w, 'platform', shared);
  }
  g.out.sort((x, y) => x.arrive - y.arrive || x.seq - y.seq);
  return { lines: g.out.map((o) => o.line), truth: g.truth };
}

// ---------------------------------------------------------------- scoring

const RANK: Record<Sev, number> = { low: 1, medium: 2, high: 3, critical: 4 };
function score(truthFile: string, alertsFile: string): void {
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
  const alerts = readFileSync(alertsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ruleId: string; typology: string; severity: Sev; subject: { accountId: string } });
  const best = new Map<string, Map<string, { sev: Sev; rule: string }>>();
  for (const al of alerts) {
    const m = best.get(al.subject.accountId) ?? new Map<string, { sev: Sev; rule: string }>();
    const cur = m.get(al.typology);
    if (!cur || RANK[al.severity] > RANK[cur.sev]) m.set(al.typology, { sev: al.severity, rule: al.ruleId });
    best.set(al.subject.accountId, m);
  }
  const groups = new Map<string, { n: number; hit: number; high: number; wrong: number; misses: string[]; wrongWhat: string[] }>();
  for (const [acct, p] of Object.entries(truth.planted)) {
    const gr = groups.get(p.group) ?? { n: 0, hit: 0, high: 0, wrong: 0, misses: [], wrongWhat: [] };
    gr.n++;
    const m = best.get(acct) ?? new Map<string, { sev: Sev; rule: string }>();
    const hits = p.expect.map((t) => m.get(t)).filter((x) => x && RANK[x.sev] >= 2);
    if (hits.length) gr.hit++;
    else gr.misses.push(`${acct} (${p.note}): ${[...m].map(([t, x]) => `${t}/${x.rule}/${x.sev}`).join(', ') || 'none'}`);
    if (hits.some((x) => RANK[x!.sev] >= 3)) gr.high++;
    const wrong = [...m].filter(([t, x]) => RANK[x.sev] >= 2 && !p.expect.includes(t) && !p.allowed.includes(t));
    if (wrong.length) { gr.wrong++; gr.wrongWhat.push(...wrong.map(([t, x]) => `${t}/${x.rule}/${x.sev}`)); }
    groups.set(p.group, gr);
  }
  console.log('planted group: caught at medium+ / n (high+), wrong typologies at medium+');
  for (const [k, gr] of [...groups].sort()) {
    console.log(`  ${k.padEnd(16)} ${gr.hit}/${gr.n} (high ${gr.high}) wrong ${gr.wrong} ${[...new Set(gr.wrongWhat)].join(', ')}`);
    for (const m of gr.misses) console.log(`     miss ${m}`);
  }
  const kinds = new Map<string, { n: number; med: number; low: number; what: Map<string, number> }>();
  for (const [acct, kind] of Object.entries(truth.benign)) {
    const k = kinds.get(kind) ?? { n: 0, med: 0, low: 0, what: new Map() };
    k.n++;
    const m = best.get(acct);
    if (m) {
      const top = Math.max(...[...m.values()].map((x) => RANK[x.sev]));
      if (top >= 2) k.med++;
      else k.low++;
      for (const x of m.values()) if (RANK[x.sev] >= 2) k.what.set(`${x.rule}/${x.sev}`, (k.what.get(`${x.rule}/${x.sev}`) ?? 0) + 1);
    }
    kinds.set(kind, k);
  }
  console.log('benign kind: accounts at medium+ / n (low only)');
  for (const [kind, k] of [...kinds].sort()) console.log(`  ${kind.padEnd(26)} ${k.med}/${k.n} (low ${k.low}) ${[...k.what].map(([w, c]) => `${w} x${c}`).join(', ')}`);
}

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
if (args.score) score(args.truth!, args.alerts!);
else {
  const seed = Number(args.seed ?? 1);
  if (args.held) sweepHours = [80, 140];
  if (args.split) splitSweeps = true;
  const out = args.out ?? `/tmp/qa-payroll-${seed}`;
  const { lines, truth } = generate(seed);
  writeFileSync(`${out}.jsonl`, lines.join('\n') + '\n');
  writeFileSync(`${out}.truth.json`, JSON.stringify(truth, null, 1) + '\n');
  console.log(`${lines.length} messages, ${Object.keys(truth.planted).length} planted, ${Object.keys(truth.benign).length} benign -> ${out}.jsonl`);
}
