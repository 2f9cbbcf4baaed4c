/**
 * Session 61 QA, issue #9: a second, independent out-of-sample stream generator, written from
 * shared/contract/events.md and shared/docs/typologies.md only (not from the rules, the simulator
 * or scripts/oos-stream.ts). For a seed it plants each typology T1..T12 several ways (chains,
 * assets, cadences, delays, hops vary with the seed) and at least ten kinds of benign look-alikes,
 * and writes a replay stream plus a truth file that `replay --truth` reads. Real OFAC SDN
 * addresses (shared/data/ofac/dprk-linked.json) are used for the sanctions plants.
 *
 *   npx tsx scripts/oos2-stream.ts --seed=1 --out=/tmp/oos2-1            (writes .jsonl and .truth.json)
 *   node --max-semi-space-size=64 dist/cli/main.js replay /tmp/oos2-1.jsonl --truth /tmp/oos2-1.truth.json --alerts /tmp/oos2-1.alerts.jsonl
 *   npx tsx scripts/oos2-stream.ts --score --truth=/tmp/oos2-1.truth.json --alerts=/tmp/oos2-1.alerts.jsonl
 *
 * `--s5-logins-first`: S5's three personas make their first deposit (their first KYC record)
 * after all three logins instead of days before; the rest of the stream is the same.
 *
 * The truth file carries, beside `accounts`/`allowed`/`benign`, a `plants` map (account → T-number
 * and variant) and `lookalikes` (benign account → kind), which `--score` uses for per-T recall and
 * to print every miss and every false positive with the alert's explanation.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

type Msg = Record<string, unknown> & { __t: number };
type Chain = 'ethereum' | 'tron' | 'bsc' | 'polygon' | 'arbitrum' | 'base' | 'bitcoin';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.parse('2025-01-06T00:00:00Z');
const EVM_CHAINS: Chain[] = ['ethereum', 'polygon', 'arbitrum', 'base', 'bsc'];
const TOKEN: Record<string, Record<string, { contract: string; decimals: number }>> = {
  ethereum: { USDT: { contract: '0xdac17f958d2ee523a2206206994597c13d831ec7', decimals: 6 }, USDC: { contract: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', decimals: 6 } },
  polygon: { USDT: { contract: '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', decimals: 6 }, USDC: { contract: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', decimals: 6 } },
  arbitrum: { USDT: { contract: '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', decimals: 6 }, USDC: { contract: '0xaf88d065e77c8cc2239327c5edb3a432268e5831', decimals: 6 } },
  base: { USDC: { contract: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913', decimals: 6 } },
  bsc: { USDT: { contract: '0x55d398326f99059ff775485246999027b3197955', decimals: 18 }, USDC: { contract: '0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d', decimals: 18 } },
  tron: { USDT: { contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', decimals: 6 } },
};
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

// ---------- randomness ----------
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly rnd: () => number;
  private n = 0;
  readonly msgs: Msg[] = [];
  readonly truth: { accounts: Record<string, string[]>; allowed: Record<string, string[]>; benign: string[]; sanctionsDirect: string[]; plants: Record<string, string>; lookalikes: Record<string, string> } = { accounts: {}, allowed: {}, benign: [], sanctionsDirect: [], plants: {}, lookalikes: {} };
  private block = 21_600_000;
  private depositAddrs = new Map<string, string>();
  constructor(readonly seed: number) {
    this.rnd = mulberry32(seed * 7919 + 17);
  }
  between(lo: number, hi: number): number { return lo + (hi - lo) * this.rnd(); }
  int(lo: number, hi: number): number { return Math.floor(this.between(lo, hi + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.rnd() * xs.length)] as T; }
  chance(p: number): boolean { return this.rnd() < p; }
  hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes; i++) s += Math.floor(this.rnd() * 256).toString(16).padStart(2, '0');
    return s;
  }
  id(prefix: string): string { return `${prefix}-${this.seed}-${(this.n++).toString(36)}`; }
  evm(): string { return '0x' + this.hex(20); }
  tron(): string { return base58check(Buffer.concat([Buffer.from([0x41]), Buffer.from(this.hex(20), 'hex')])); }
  btc(): string { return base58check(Buffer.concat([Buffer.from([0x00]), Buffer.from(this.hex(20), 'hex')])); }
  addr(chain: Chain): string { return chain === 'tron' ? this.tron() : chain === 'bitcoin' ? this.btc() : this.evm(); }
  ip(): string { return `${this.int(11, 223)}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`; }
  device(): string { return 'dev-' + this.hex(6); }
  account(): string { return 'acct-oos2-' + this.hex(5); }
  depositAddress(account: string, chain: Chain): string {
    const key = account + '|' + (chain === 'tron' || chain === 'bitcoin' ? chain : 'evm');
    let a = this.depositAddrs.get(key);
    if (!a) { a = this.addr(chain); this.depositAddrs.set(key, a); }
    return a;
  }
  push(m: Omit<Msg, '__t'>, t: number): void { this.msgs.push({ ...m, __t: t } as Msg); }

  label(chain: Chain, address: string, label: string, entity: string, t = START - DAY): void {
    this.push({ schema: 'intel.label.v1', chain, address, label, entity, source: 'oos2-intel', confidence: 0.9, observedAt: iso(t) }, t);
  }
  login(a: Acct, t: number, s: Session): void {
    this.push({ schema: 'exchange.login.v1', eventId: this.id('lg'), occurredAt: iso(t), accountId: a.id, ip: s.ip, ipCountry: s.ipCountry, vpn: s.vpn, ...(s.vpnProvider ? { vpnProvider: s.vpnProvider } : {}), deviceId: s.deviceId }, t);
  }
  transfer(kind: 'deposit' | 'withdrawal', a: Acct, t: number, chain: Chain, asset: string, amount: number, counterparty: string[] | string, opts: { status?: 'requested'; session?: Session } = {}): string {
    const eventId = this.id(kind === 'deposit' ? 'dp' : 'wd');
    const decimals = asset === 'BTC' ? 8 : asset === 'ETH' ? 6 : 2;
    const px = asset === 'BTC' ? 62_000 : asset === 'ETH' ? 3_100 : 1;
    const m: Record<string, unknown> = {
      schema: 'exchange.transfer.v1', eventId, kind, ...(opts.status ? { status: opts.status } : {}), occurredAt: iso(t), accountId: a.id, chain, asset,
      amount: amount.toFixed(decimals), usdValue: Math.round(amount * px * 100) / 100,
    };
    if (opts.status !== 'requested') m.txHash = chain === 'bitcoin' ? this.hex(32) : '0x' + this.hex(32);
    if (kind === 'deposit') { m.from = counterparty as string[]; m.to = this.depositAddress(a.id, chain); }
    else { m.from = []; m.to = counterparty as string; }
    const session = opts.session ?? (kind === 'withdrawal' ? a.session : undefined);
    if (session) m.session = { ip: session.ip, ipCountry: session.ipCountry, vpn: session.vpn, ...(session.vpnProvider ? { vpnProvider: session.vpnProvider } : {}), deviceId: session.deviceId };
    m.customer = a.customer;
    this.push(m, t);
    return eventId;
  }
  /** An ERC-20 Transfer log as an indexer delivers it (for EVM chains with a known token). */
  tokenTransfer(chain: Chain, asset: string, from: string, to: string, amount: number, t: number): void {
    const tok = TOKEN[chain]?.[asset] ?? TOKEN.ethereum![asset]!; // a chain without the token: priced as ethereum's
    const c = TOKEN[chain]?.[asset] ? chain : 'ethereum';
    const raw = BigInt(Math.round(amount * 100)) * 10n ** BigInt(tok.decimals - 2);
    this.block += this.int(5, 400);
    this.push({ schema: 'chain.evm.log.v1', chain: c, txHash: '0x' + this.hex(32), logIndex: this.int(0, 300), blockNumber: this.block, blockTime: iso(t), address: tok.contract, topics: [TRANSFER_TOPIC, pad32(from), pad32(to)], data: '0x' + raw.toString(16).padStart(64, '0') }, t);
  }
  nativeTransfer(chain: Chain, from: string, to: string, ether: number, t: number): void {
    this.block += this.int(5, 400);
    const wei = BigInt(Math.round(ether * 1e6)) * 10n ** 12n;
    this.push({ schema: 'chain.evm.tx.v1', chain, hash: '0x' + this.hex(32), blockNumber: this.block, blockTime: iso(t), from, to, value: wei.toString() }, t);
  }

  newAccount(opts: { type?: 'individual' | 'business'; kyc?: string; ageDays?: number; at?: number; session?: Partial<Session> } = {}): Acct {
    const at = opts.at ?? START;
    const kyc = opts.kyc ?? this.pick(['US', 'US', 'GB', 'DE', 'CA', 'FR', 'NL', 'AU']);
    const session: Session = { ip: this.ip(), ipCountry: kyc, vpn: false, deviceId: this.device(), ...opts.session };
    return { id: this.account(), customer: { type: opts.type ?? 'individual', kycCountry: kyc, createdAt: iso(Math.floor((at - (opts.ageDays ?? this.int(200, 1500)) * DAY) / DAY) * DAY) }, session };
  }
  plant(a: Acct, plant: string, typologies: string[], allowed: string[] = []): void {
    this.truth.accounts[a.id] = typologies;
    if (allowed.length) this.truth.allowed[a.id] = allowed;
    this.truth.plants[a.id] = plant;
  }
  benign(a: Acct, kind: string): void {
    this.truth.benign.push(a.id);
    this.truth.lookalikes[a.id] = kind;
  }
}

interface Session { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId: string }
interface Acct { id: string; customer: { type: string; kycCountry: string; createdAt: string }; session: Session }

function iso(t: number): string { return new Date(Math.round(t)).toISOString(); }
function pad32(addr: string): string { return '0x' + hex20(addr).padStart(64, '0'); }
/** The 20 account bytes of an EVM (0x…) or Tron (T… base58, or 41… hex) address, lower-case hex. */
function hex20(addr: string): string {
  if (addr.startsWith('0x')) return addr.slice(2).toLowerCase();
  if (addr.startsWith('41') && addr.length === 42) return addr.slice(2).toLowerCase();
  return tronHex(addr).slice(2);
}
/** A Tron base58 address as the 21-byte hex form (41…). */
function tronHex(addr: string): string {
  let n = 0n;
  for (const ch of addr) n = n * 58n + BigInt(B58.indexOf(ch));
  return n.toString(16).padStart(50, '0').slice(0, 42);
}
function sha256(b: Buffer): Buffer { return createHash('sha256').update(b).digest(); }
function base58check(payload: Buffer): string {
  const full = Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]);
  let n = BigInt('0x' + full.toString('hex'));
  let s = '';
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
  for (const byte of full) { if (byte !== 0) break; s = '1' + s; }
  return s;
}

// ---------- OFAC data ----------
interface SdnRow { address: string; asset: string; party: string }
/**
 * The DPRK-linked SDN rows: shared/data/ofac/dprk-linked.json beside the checkout when there is one
 * (the session 61 figures were taken with it), else the repository's own data/ofac-sdn.json rows
 * marked `dprkLinked` (a fresh clone has no shared/; the same addresses, perhaps in another order,
 * so a seed's stream may differ from the recorded one).
 */
function loadSdn(): SdnRow[] {
  const paths = ['/work/shared/data/ofac/dprk-linked.json', new URL('../../shared/data/ofac/dprk-linked.json', import.meta.url).pathname];
  const path = paths.find((p) => existsSync(p));
  if (path) return (JSON.parse(readFileSync(path, 'utf8')) as SdnRow[]).filter((r) => r.address);
  const own = new URL('../data/ofac-sdn.json', import.meta.url).pathname;
  const entries = (JSON.parse(readFileSync(own, 'utf8')) as { entries: (SdnRow & { dprkLinked?: boolean })[] }).entries;
  return entries.filter((r) => r.address && r.dprkLinked);
}

// ---------- shared behaviour ----------
const SALARY_CHAINS: [Chain, string][] = [['ethereum', 'USDC'], ['ethereum', 'USDT'], ['tron', 'USDT'], ['polygon', 'USDC'], ['arbitrum', 'USDC'], ['base', 'USDC'], ['bsc', 'USDT']];
const RISKY: Partial<Session>[] = [
  { ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill' },
  { ipCountry: 'RU', vpn: false },
  { ipCountry: 'LA', vpn: true, vpnProvider: 'Astrill' },
  { ipCountry: 'AE', vpn: true, vpnProvider: 'Astrill' },
  { ipCountry: 'VN', vpn: false },
];

function cadenceDays(g: Gen): { name: string; step: number } {
  return g.pick([{ name: 'monthly', step: 30.4 }, { name: 'biweekly', step: 14 }, { name: 'semimonthly', step: 15.2 }, { name: 'monthly', step: 30.4 }]);
}
function jitterDays(g: Gen, name: string): number { return name === 'monthly' ? g.between(-2.5, 2.5) : g.between(-1, 1); }

/** Salary deposits on a cadence; returns the deposit times and amounts. */
function paySalary(g: Gen, a: Acct, payer: string, chain: Chain, asset: string, base: number, cycles: number, first: number, cad: { name: string; step: number }): { t: number; amount: number }[] {
  const out: { t: number; amount: number }[] = [];
  for (let i = 0; i < cycles; i++) {
    const t = first + i * cad.step * DAY + jitterDays(g, cad.name) * DAY + g.between(13, 18) * HOUR;
    const amount = Math.round(base * g.between(0.94, 1.06) * 100) / 100;
    g.transfer('deposit', a, t, chain, asset, amount, [payer]);
    out.push({ t, amount });
  }
  return out;
}

function forward(g: Gen, a: Acct, pays: { t: number; amount: number }[], chain: Chain, asset: string, dest: () => string, share: [number, number], delayH: [number, number], session?: Session): { t: number; amount: number; to: string }[] {
  const out = [];
  for (const p of pays) {
    const t = p.t + g.between(delayH[0], delayH[1]) * HOUR;
    const amount = Math.round(p.amount * g.between(share[0], share[1]) * 100) / 100;
    const to = dest();
    g.transfer('withdrawal', a, t, chain, asset, amount, to, session ? { session } : {});
    out.push({ t, amount, to });
  }
  return out;
}

function riskySession(g: Gen, a: Acct): Session {
  return { ...a.session, ip: g.ip(), ...g.pick(RISKY) } as Session;
}

// ---------- plants ----------
function plantT1(g: Gen, sdn: SdnRow[]): void {
  const evm = sdn.filter((r) => r.address.startsWith('0x'));
  const tron = sdn.filter((r) => r.address.startsWith('T'));
  const btc = sdn.filter((r) => r.asset === 'XBT');
  const variants: (() => void)[] = [
    () => { // deposit from an SDN EVM address on ethereum
      const a = g.newAccount();
      g.transfer('deposit', a, START + g.between(5, 150) * DAY, 'ethereum', g.pick(['USDT', 'USDC']), g.between(800, 6000), [g.pick(evm).address]);
      g.plant(a, 'T1 deposit from SDN address (ethereum)', ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
    () => { // the same EVM address on another EVM chain, mixed case
      const a = g.newAccount();
      const chain = g.pick(['arbitrum', 'polygon', 'base', 'bsc'] as Chain[]);
      const addr = g.pick(evm).address;
      g.transfer('deposit', a, START + g.between(5, 150) * DAY, chain, 'USDC', g.between(300, 9000), [g.chance(0.5) ? addr.toUpperCase().replace('0X', '0x') : addr]);
      g.plant(a, `T1 deposit from SDN EVM address on ${chain}`, ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
    () => { // requested withdrawal to a Tron SDN address
      const a = g.newAccount();
      g.transfer('deposit', a, START + g.between(5, 100) * DAY, 'tron', 'USDT', 5000, [g.tron()]);
      g.transfer('withdrawal', a, START + g.between(101, 150) * DAY, 'tron', 'USDT', g.between(1000, 4900), g.pick(tron).address, { status: 'requested' });
      g.plant(a, 'T1 requested withdrawal to SDN Tron address', ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
    () => { // bitcoin deposit from an SDN XBT address
      const a = g.newAccount();
      g.transfer('deposit', a, START + g.between(5, 150) * DAY, 'bitcoin', 'BTC', g.between(0.05, 1.2), [g.pick(btc).address, g.btc()]);
      g.plant(a, 'T1 bitcoin deposit from SDN address', ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
    () => { // completed withdrawal to an SDN EVM address on polygon
      const a = g.newAccount();
      g.transfer('deposit', a, START + g.between(5, 100) * DAY, 'polygon', 'USDT', 3000, [g.evm()]);
      g.transfer('withdrawal', a, START + g.between(101, 150) * DAY, 'polygon', 'USDT', g.between(500, 2900), g.pick(evm).address);
      g.plant(a, 'T1 withdrawal to SDN EVM address (polygon)', ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
    () => { // withdrawal to an SDN Tron address written in hex 41… form (S1 variant C)
      const a = g.newAccount();
      g.transfer('deposit', a, START + g.between(5, 100) * DAY, 'tron', 'USDT', 4000, [g.tron()]);
      g.transfer('withdrawal', a, START + g.between(101, 150) * DAY, 'tron', 'USDT', g.between(500, 3900), tronHex(g.pick(tron).address));
      g.plant(a, 'T1 withdrawal to SDN Tron address in hex form', ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
    () => { // an address labelled sanctioned by an intel.label.v1 message (not on the SDN snapshot)
      const a = g.newAccount();
      const listed = g.evm();
      const t = START + g.between(20, 150) * DAY;
      g.label('ethereum', listed, 'sanctioned', 'Intel-listed entity', t - g.between(2, 15) * DAY);
      g.transfer('deposit', a, t, 'base', 'USDC', g.between(200, 5000), [listed]);
      g.plant(a, 'T1 deposit from an intel-labelled sanctioned address (base)', ['sanctions-exposure'], ['pass-through']); g.truth.sanctionsDirect.push(a.id);
    },
  ];
  for (const v of variants) v();
  // negative: one hex digit off an SDN address
  const a = g.newAccount();
  const real = g.pick(evm).address.toLowerCase();
  const last = real.at(-1)!;
  const near = real.slice(0, -1) + (last === '0' ? '1' : '0');
  g.transfer('deposit', a, START + g.between(5, 150) * DAY, 'ethereum', 'USDT', 2500, [near]);
  g.benign(a, 'deposit from an address one hex digit off an SDN address');
}

function plantT2(g: Gen, sdn: SdnRow[]): void {
  const evm = sdn.filter((r) => r.address.startsWith('0x'));
  const target = () => g.pick(evm).address;
  for (let v = 0; v < 3; v++) { // downstream: W -> A -> B -> SDN (hops vary 1..3)
    const a = g.newAccount();
    const chain = g.pick(['ethereum', 'polygon', 'arbitrum', 'bsc'] as Chain[]);
    const asset = 'USDT';
    const t0 = START + g.between(10, 140) * DAY;
    g.transfer('deposit', a, t0 - g.between(2, 20) * DAY, chain, asset, 9200, [g.evm()]);
    const A = g.evm(); const B = g.evm();
    const amt = g.between(3000, 9000);
    g.transfer('withdrawal', a, t0, chain, asset, amt, A);
    const hops = v + 1;
    if (hops === 1) g.tokenTransfer(chain, asset, A, target(), amt - 20, t0 + g.between(2, 30) * HOUR);
    else {
      g.tokenTransfer(chain, asset, A, B, amt - 20, t0 + g.between(2, 12) * HOUR);
      if (hops === 2) g.tokenTransfer(chain, asset, B, target(), amt - 50, t0 + g.between(1, 4) * DAY);
      else { const C = g.evm(); g.tokenTransfer(chain, asset, B, C, amt - 50, t0 + g.between(1, 3) * DAY); g.tokenTransfer(chain, asset, C, target(), amt - 80, t0 + g.between(3, 8) * DAY); }
    }
    g.plant(a, `T2 downstream ${hops} hop(s) to SDN (${chain})`, ['sanctions-exposure'], ['pass-through', 'dprk-it-payroll']);
  }
  { // upstream: SDN -> X -> customer deposit
    const a = g.newAccount();
    const chain = g.pick(['ethereum', 'arbitrum'] as Chain[]);
    const X = g.evm();
    const t0 = START + g.between(10, 140) * DAY;
    const amt = g.between(2000, 12000);
    g.tokenTransfer(chain, 'USDC', target(), X, amt + 30, t0 - g.between(6, 40) * HOUR);
    g.transfer('deposit', a, t0, chain, 'USDC', amt, [X]);
    g.plant(a, `T2 upstream 1 hop from SDN (${chain})`, ['sanctions-exposure'], ['pass-through', 'dprk-it-payroll']);
  }
  { // S2 on Tron: W -> T_A -> T_B -> a dprk-linked address, whose label arrives after the hops (late intel)
    const a = g.newAccount();
    const t0 = START + g.between(10, 130) * DAY;
    const A = g.tron(); const B = g.tron(); const D = g.tron();
    g.transfer('deposit', a, t0 - g.between(2, 20) * DAY, 'tron', 'USDT', 9200, [g.tron()]);
    g.transfer('withdrawal', a, t0, 'tron', 'USDT', 9000, A);
    g.tokenTransfer('tron', 'USDT', A, B, 8950, t0 + 6 * HOUR);
    g.tokenTransfer('tron', 'USDT', B, D, 8900, t0 + 2 * DAY);
    g.label('tron', D, 'dprk-linked', 'DPRK IT-worker aggregator (intel)', t0 + g.between(3, 10) * DAY);
    g.plant(a, 'T2 downstream 3-node path on tron, dprk-linked label arrives late', ['sanctions-exposure'], ['pass-through', 'dprk-it-payroll']);
  }
  { // negative: the second hop is a labelled exchange hot wallet that later pays an SDN address
    const a = g.newAccount();
    const hot = g.evm();
    g.label('ethereum', hot, 'exchange', 'Exchange hot wallet Q');
    const t0 = START + g.between(10, 140) * DAY;
    const A = g.evm();
    g.transfer('deposit', a, t0 - 10 * DAY, 'ethereum', 'USDT', 9000, [g.evm()]);
    g.transfer('withdrawal', a, t0, 'ethereum', 'USDT', 8900, A);
    g.tokenTransfer('ethereum', 'USDT', A, hot, 8880, t0 + 6 * HOUR);
    g.tokenTransfer('ethereum', 'USDT', hot, target(), 8800, t0 + 2 * DAY);
    g.benign(a, 'withdrawal whose path reaches SDN only through a labelled exchange hot wallet');
  }
}

/** A DPRK-style worker: salary, forwarded promptly and almost whole, money moves from risky sessions. */
function worker(g: Gen, opts: { payer: string; chain: Chain; asset: string; dest: () => string; cycles?: number; first?: number; cad?: { name: string; step: number }; acct?: Acct; share?: [number, number]; delayH?: [number, number]; risky?: boolean }): { a: Acct; pays: { t: number; amount: number }[]; outs: { t: number; amount: number; to: string }[] } {
  const a = opts.acct ?? g.newAccount({ kyc: g.pick(['US', 'US', 'CA', 'GB']), ageDays: g.int(40, 200) });
  const cad = opts.cad ?? cadenceDays(g);
  const cycles = opts.cycles ?? (cad.step > 20 ? g.int(4, 5) : g.int(6, 9));
  const pays = paySalary(g, a, opts.payer, opts.chain, opts.asset, g.between(3000, 9000), cycles, opts.first ?? START + g.between(3, 20) * DAY, cad);
  const session = opts.risky === false ? undefined : riskySession(g, a);
  if (session) for (const p of pays) g.login(a, p.t + g.between(1, 5) * HOUR, session);
  const outs = forward(g, a, pays, opts.chain, opts.asset, opts.dest, opts.share ?? [0.88, 0.99], opts.delayH ?? [3, 40], session);
  return { a, pays, outs };
}

function payrollPlatform(g: Gen, chain: Chain): string {
  const p = g.addr(chain);
  if (g.chance(0.7)) g.label(chain === 'tron' ? 'tron' : chain === 'bitcoin' ? 'bitcoin' : 'ethereum', p, 'payroll-platform', g.pick(['Deel-like', 'Rise-like', 'Bitwage-like', 'Request-like']) + ' payroll');
  return p;
}

function plantT3(g: Gen): void {
  for (let v = 0; v < 4; v++) {
    const [chain, asset] = g.pick(SALARY_CHAINS);
    const payer = payrollPlatform(g, chain);
    const cons = g.addr(chain);
    const { a } = worker(g, { payer, chain, asset, dest: () => cons });
    g.plant(a, `T3 payroll pass-through + T6 (${chain} ${asset})`, ['dprk-it-payroll'], ['pass-through', 'chain-hop', 'account-linkage', 'dprk-consolidation']);
  }
}

interface Cons { addr: string; chain: Chain; asset: string }
function plantT4(g: Gen): Cons[] {
  const consAll: Cons[] = [];
  for (let v = 0; v < 2; v++) {
    const [chain, asset] = g.pick(SALARY_CHAINS.filter(([c]) => c !== 'bsc'));
    const cons = g.addr(chain);
    consAll.push({ addr: cons, chain, asset });
    const n = v === 0 ? 3 : g.int(4, 6);
    const first = START + g.between(15, 40) * DAY;
    for (let i = 0; i < n; i++) {
      const payer = g.addr(chain); // distinct employers, unlabelled treasuries
      const { a } = worker(g, { payer, chain, asset, dest: () => cons, first: first + g.between(0, 10) * DAY, cad: { name: 'monthly', step: 30.4 }, cycles: g.int(2, 4), delayH: [2, 44], share: [0.9, 0.99], risky: g.chance(0.5) });
      g.plant(a, `T4 consolidation fan-in ${n} accounts (${chain} ${asset})`, ['dprk-consolidation'], ['dprk-it-payroll', 'pass-through', 'chain-hop', 'account-linkage']);
    }
  }
  return consAll;
}

/** S5's personas log in before their first deposit (`--s5-logins-first`): their KYC is read after the logins. */
const S5_LOGINS_FIRST = process.argv.includes('--s5-logins-first');

function plantT5(g: Gen): void {
  { // shared device, distinct KYC identities
    const dev = g.device();
    const n = g.int(3, 5);
    const t0 = START + g.between(10, 150) * DAY;
    for (let i = 0; i < n; i++) {
      const a = g.newAccount({ kyc: g.pick(['US', 'US', 'CA']), session: { deviceId: dev } });
      g.login(a, t0 + g.between(0, 9) * DAY, { ...a.session, ip: g.ip(), ipCountry: g.pick(['US', 'RU', 'CN']) });
      g.transfer('deposit', a, t0 + g.between(1, 9) * DAY, 'ethereum', 'USDC', g.between(500, 3000), [g.evm()]);
      g.plant(a, `T5 ${n} accounts share one device`, ['account-linkage'], ['pass-through']);
    }
  }
  { // S5: personas declaring US, US/CA and GB on one IP in the US within a day
    const ip = g.ip();
    const t0 = START + g.between(10, 150) * DAY;
    for (const kyc of ['US', g.pick(['US', 'CA']), 'GB']) {
      const a = g.newAccount({ kyc, session: { ip, ipCountry: 'US' } });
      // KYC on record before the login; with --s5-logins-first the first deposit comes after all
      // three logins instead (0.2 to 4 hours after the last possible one, within a day of each),
      // the same random draws, so the rest of the stream is unchanged.
      const draw = g.between(1, 20);
      g.transfer('deposit', a, S5_LOGINS_FIRST ? t0 + (20 + draw / 5) * HOUR : t0 - draw * DAY, 'ethereum', 'USDC', g.between(300, 2000), [g.evm()]);
      g.login(a, t0 + g.between(0, 20) * HOUR, a.session);
      g.plant(a, 'T5 3 accounts, two or more KYC countries, one US IP within a day (S5)', ['account-linkage'], ['pass-through']);
    }
  }
  { // shared IP within a day (no VPN), distinct devices
    const ip = g.ip();
    const n = g.int(3, 4);
    const t0 = START + g.between(10, 150) * DAY;
    for (let i = 0; i < n; i++) {
      const a = g.newAccount({ kyc: 'US', session: { ip } });
      g.login(a, t0 + g.between(0, 20) * HOUR, a.session);
      g.plant(a, `T5 ${n} accounts share one IP within a day`, ['account-linkage'], ['pass-through']);
    }
  }
}

function plantT7(g: Gen): void {
  { // USDC on an EVM chain in, USDT on Tron out to an OTC desk
    const payer = payrollPlatform(g, 'ethereum');
    const otc = g.tron();
    g.label('tron', otc, 'otc-desk', 'OTC desk T');
    const a = g.newAccount({ ageDays: 90 });
    const pays = paySalary(g, a, payer, 'ethereum', 'USDC', g.between(4000, 8000), 4, START + g.between(5, 30) * DAY, { name: 'monthly', step: 30.4 });
    forward(g, a, pays, 'tron', 'USDT', () => otc, [0.93, 0.98], [4, 20]);
    g.plant(a, 'T7 USDC/ethereum in, USDT/tron out to OTC desk', ['chain-hop'], ['dprk-it-payroll', 'pass-through', 'dprk-consolidation', 'high-risk-service']);
  }
  { // USDT on Tron in, USDC on arbitrum out to a bridge
    const bridge = g.evm();
    g.label('ethereum', bridge, 'bridge', 'Bridge router');
    const a = g.newAccount({ ageDays: 120 });
    const pays = paySalary(g, a, g.tron(), 'tron', 'USDT', g.between(3000, 7000), 3, START + g.between(5, 60) * DAY, { name: 'monthly', step: 30.4 });
    forward(g, a, pays, 'arbitrum', 'USDC', () => bridge, [0.9, 0.97], [2, 30]);
    g.plant(a, 'T7 USDT/tron in, USDC/arbitrum out to a bridge', ['chain-hop'], ['dprk-it-payroll', 'pass-through', 'dprk-consolidation']);
  }
  { // one asset change, onward on-chain toward a labelled mixer (seen later)
    const mixer = g.evm();
    g.label('ethereum', mixer, 'mixer', 'Mixer M');
    const a = g.newAccount({ ageDays: 60 });
    const t0 = START + g.between(10, 140) * DAY;
    g.transfer('deposit', a, t0, 'ethereum', 'USDC', 7200, [g.evm()]);
    const A = g.evm();
    g.transfer('withdrawal', a, t0 + g.between(3, 30) * HOUR, 'polygon', 'USDT', 7050, A);
    g.tokenTransfer('polygon', 'USDT', A, mixer, 7000, t0 + g.between(40, 90) * HOUR);
    g.plant(a, 'T7 USDC/ethereum in, USDT/polygon out, onward to a mixer', ['chain-hop'], ['dprk-it-payroll', 'pass-through', 'sanctions-exposure', 'mixer-exposure']);
  }
  for (let v = 0; v < 2; v++) { // many small withdrawals after a payroll-like deposit -> structuring
    const [chain, asset] = g.pick(SALARY_CHAINS);
    const a = g.newAccount({ ageDays: 80 });
    const t0 = START + g.between(10, 140) * DAY;
    const dep = g.between(5000, 8000);
    g.transfer('deposit', a, t0, chain, asset, dep, [g.addr(chain)]);
    const k = g.int(7, 10);
    const each = (dep * g.between(0.9, 0.97)) / k;
    for (let i = 0; i < k; i++) g.transfer('withdrawal', a, t0 + (2 + i * g.between(0.6, 1.4)) * HOUR, chain, asset, Math.min(990, each * g.between(0.97, 1.03)), g.addr(chain));
    g.plant(a, `T7 ${k} small withdrawals under $1,000 (${chain})`, ['structuring'], ['pass-through', 'dprk-it-payroll']);
  }
}

function plantT8(g: Gen, cons: Cons[]): void {
  const otc = g.tron();
  g.label('tron', otc, 'otc-desk', 'OTC desk A');
  for (let v = 0; v < 2; v++) {
    // opened after the T4 consolidation clusters are established; two or more of its payers are them
    const a = g.newAccount({ kyc: g.pick(['AE', 'HK', 'SG']), ageDays: 0, at: START + g.between(95, 115) * DAY });
    const created = Date.parse(a.customer.createdAt);
    let total = 0;
    const k = g.int(11, 15);
    for (let i = 0; i < k; i++) {
      const t = created + (2 + i * g.between(1.2, 1.9)) * DAY;
      const c = i < cons.length ? cons[i]! : undefined;
      const chain: Chain = c ? c.chain : g.pick(['ethereum', 'tron'] as Chain[]);
      const asset = c ? c.asset : chain === 'tron' ? 'USDT' : g.pick(['USDC', 'USDT']);
      const amt = g.between(3000, 15000);
      total += amt;
      g.transfer('deposit', a, t, chain, asset, amt, [c ? c.addr : g.addr(chain)]);
      if (i % 3 === 2) { g.transfer('withdrawal', a, t + g.between(10, 60) * HOUR, 'tron', 'USDT', total * g.between(0.9, 0.97), otc); total = 0; }
    }
    if (total > 0) g.transfer('withdrawal', a, created + (k * 1.9 + 3) * DAY, 'tron', 'USDT', total * 0.95, otc);
    g.plant(a, `T8 aggregator: ${k} sources (${Math.min(k, cons.length)} consolidation clusters), out to OTC on tron`, ['dprk-it-payroll'], ['chain-hop', 'pass-through', 'dprk-consolidation', 'high-risk-service', 'structuring']);
  }
}

function plantT9(g: Gen): void {
  { // payer side, reverse link to the dismissed contractor
    const b = g.newAccount({ type: 'business', kyc: 'US', ageDays: 900 });
    const contractor = g.evm(); const cons = g.evm();
    const t0 = START + g.between(2, 10) * DAY;
    const pay = g.between(5000, 7000);
    for (let i = 0; i < 4; i++) {
      g.transfer('deposit', b, t0 + i * 30.4 * DAY - 2 * DAY, 'ethereum', 'USDC', pay + 200, [g.evm()]);
      g.transfer('withdrawal', b, t0 + i * 30.4 * DAY + g.between(-1, 1) * DAY, 'ethereum', 'USDC', pay, contractor);
      g.tokenTransfer('ethereum', 'USDC', contractor, cons, pay - 30, t0 + i * 30.4 * DAY + 2 * DAY);
    }
    const tx = t0 + 4 * 30.4 * DAY + g.between(10, 30) * DAY;
    const X = g.evm();
    g.nativeTransfer('ethereum', cons, X, 0.01, tx - g.between(2, 6) * DAY);
    const amt = g.pick([100_000, 150_000, 250_000]);
    g.transfer('deposit', b, tx - g.between(5, 30) * HOUR, 'ethereum', 'USDC', amt, [g.evm()]);
    g.transfer('withdrawal', b, tx, 'ethereum', 'USDC', amt, X, { status: 'requested' });
    g.plant(b, 'T9 payer: large round payment to fresh address linked to ex-contractor', ['extortion-payment'], ['pass-through']);
  }
  { // payer side, BTC to a fresh address, no reverse link
    const b = g.newAccount({ type: 'business', kyc: g.pick(['US', 'GB', 'DE']), ageDays: 700 });
    const t0 = START + g.between(30, 150) * DAY;
    for (let i = 0; i < 5; i++) g.transfer('withdrawal', b, t0 - (i + 1) * 25 * DAY, 'ethereum', 'USDC', g.between(1500, 4000), g.pick([g.evm(), g.evm()]));
    g.transfer('deposit', b, t0 - 20 * HOUR, 'bitcoin', 'BTC', 2.1, [g.btc()]);
    g.transfer('withdrawal', b, t0, 'bitcoin', 'BTC', 2.1, g.btc(), { status: 'requested' });
    g.plant(b, 'T9 payer: 2.1 BTC to a fresh address, no reverse link', ['extortion-payment'], ['pass-through']);
  }
  { // negative: large quarterly payment to a labelled exchange deposit address it always pays
    const b = g.newAccount({ type: 'business', kyc: 'US', ageDays: 1200 });
    const ex = g.evm();
    g.label('ethereum', ex, 'exchange', 'Exchange Z deposit');
    for (let q = 0; q < 2; q++) {
      const t = START + (10 + q * 91) * DAY + g.between(0, 3) * DAY;
      g.transfer('deposit', b, t - 20 * HOUR, 'ethereum', 'USDC', 150_000, [g.evm()]);
      g.transfer('withdrawal', b, t, 'ethereum', 'USDC', 150_000, ex);
    }
    g.benign(b, 'business: large quarterly payment to its usual labelled exchange deposit address');
  }
}

function plantT10(g: Gen): void {
  for (let v = 0; v < 2; v++) {
    const [chain, asset] = g.pick(SALARY_CHAINS.filter(([c]) => c !== 'tron'));
    const emp = g.addr(chain);
    const a = g.newAccount({ ageDays: 200 });
    const salary = g.between(5000, 8000);
    const pays = paySalary(g, a, emp, chain, asset, salary, 4, START + g.between(1, 8) * DAY, { name: 'monthly', step: 30.4 });
    const cons = g.addr(chain);
    forward(g, a, pays, chain, asset, () => g.addr(chain), [0.3, 0.6], [48, 200]); // normal spending, not pass-through
    const last = pays.at(-1)!.t;
    const t = last + g.between(60, 90) * DAY;
    const near = g.addr(chain);
    if (chain !== 'tron') g.tokenTransfer(chain, asset, emp, near, 200_000, t - g.between(3, 10) * DAY);
    const big = g.pick([90_000, 120_000, 150_000]);
    g.transfer('deposit', a, t, chain, asset, big, [v === 0 ? near : g.addr(chain)]);
    g.transfer('withdrawal', a, t + g.between(3, 20) * HOUR, chain, asset, big * g.between(0.97, 0.995), cons);
    g.plant(a, `T10 receiver: payroll gap then ${big} in, forwarded (${chain})`, ['extortion-payment'], ['pass-through', 'dprk-it-payroll', 'chain-hop']);
  }
}

function plantT11(g: Gen): void {
  for (let v = 0; v < 4; v++) {
    // v0: same device and destination; v1: same device only; v2: same destination only; v3: same IP /24 within 7 days only
    const sameDevice = v <= 1; const sameDest = v === 0 || v === 2; const sameNet = v === 3;
    const [chain, asset] = g.pick(SALARY_CHAINS);
    const emp = payrollPlatform(g, chain);
    const cons = g.addr(chain);
    const old = worker(g, { payer: emp, chain, asset, dest: () => cons, cycles: 3, cad: { name: 'monthly', step: 30.4 } });
    g.truth.accounts[old.a.id] = [];
    g.truth.allowed[old.a.id] = ['dprk-it-payroll', 'pass-through', 'account-linkage'];
    g.truth.plants[old.a.id] = 'T11 predecessor (T3-like, allowed either way)';
    const t = old.pays.at(-1)!.t + g.between(35, 50) * DAY;
    const oldIp = old.a.session.ip;
    const fresh = g.newAccount({ kyc: g.pick(['US', 'CA']), ageDays: 0, at: t - g.between(4, 12) * DAY, session: sameDevice ? { deviceId: old.a.session.deviceId } : sameNet ? { ip: oldIp.replace(/\.\d+$/, '.' + g.int(1, 254)) } : {} });
    if (sameNet) g.login(old.a, t - g.between(2, 5) * DAY, old.a.session);
    g.login(fresh, t - 2 * DAY, fresh.session);
    const amt = old.pays[0]!.amount * g.between(0.95, 1.05);
    g.transfer('deposit', fresh, t, chain, asset, amt, [emp]);
    g.transfer('withdrawal', fresh, t + g.between(4, 30) * HOUR, chain, asset, amt * 0.97, sameDest ? cons : g.addr(chain));
    g.plant(fresh, `T11 replacement account (same payer; ${[sameDevice && 'device', sameDest && 'consolidation', sameNet && 'IP /24'].filter(Boolean).join(' + ')}) ${chain}`, ['dprk-it-payroll'], ['pass-through', 'account-linkage', 'dprk-consolidation']);
  }
}

function plantT12(g: Gen, cons: Cons[]): void {
  for (let v = 0; v < 4; v++) {
    // v 0,1: typologies.md T12 parameters only (no second factor); v 2,3: S11, one destination a consolidation cluster
    const c = v >= 2 ? cons[v - 2] : undefined;
    const [chain, asset] = c ? [c.chain, c.asset] : g.pick(SALARY_CHAINS.filter(([x]) => x !== 'tron'));
    const a = g.newAccount({ kyc: 'US', ageDays: 300 });
    const dests = [c ? c.addr : g.addr(chain), g.addr(chain), g.addr(chain)];
    const k = g.int(3, 5);
    const t0 = START + (c ? g.between(45, 80) : g.between(10, 120)) * DAY;
    const times = Array.from({ length: k }, () => t0 + g.between(0, 38) * DAY).sort((x, y) => x - y);
    for (let i = 0; i < k; i++) {
      const t = times[i]!;
      const amt = g.between(3200, 8000);
      g.transfer('deposit', a, t, chain, asset, amt, [g.addr(chain)]);
      const dest = c ? (i === k - 1 ? dests[0]! : dests[1 + (i % 2)]!) : dests[i % 3]!;
      g.transfer('withdrawal', a, t + g.between(1, 5) * DAY, chain, asset, amt * g.between(0.76, 0.92), dest);
    }
    g.plant(a, `T12 facilitator hub: ${k} payers, US KYC, no VPN${c ? ', one destination a consolidation cluster (S11)' : ''} (${chain})`, ['dprk-it-payroll'], ['pass-through', 'dprk-consolidation', 'chain-hop']);
  }
}

// ---------- benign look-alikes ----------
function benignFreelancers(g: Gen): void {
  for (let i = 0; i < 4; i++) { // paid by a real employer, keeps the money, withdraws later to own long-used address
    const [chain, asset] = g.pick(SALARY_CHAINS);
    const emp = payrollPlatform(g, chain);
    const a = g.newAccount();
    const own = g.addr(chain);
    g.transfer('withdrawal', a, START + g.between(0, 3) * DAY, chain, asset, 200, own);
    const pays = paySalary(g, a, emp, chain, asset, g.between(3000, 9000), 5, START + g.between(5, 15) * DAY, cadenceDays(g));
    forward(g, a, pays, chain, asset, () => own, [0.2, 0.6], [120, 500]);
    g.benign(a, 'salaried freelancer: keeps pay for weeks, withdraws part to own address');
  }
  for (let i = 0; i < 4; i++) { // forwards promptly to own long-used wallet (common for self-custody users)
    const [chain, asset] = g.pick(SALARY_CHAINS);
    const emp = payrollPlatform(g, chain);
    const a = g.newAccount({ kyc: 'US' });
    const own = g.addr(chain);
    for (let k = 0; k < 3; k++) g.transfer('withdrawal', a, START - (60 - k * 15) * DAY, chain, asset, g.between(100, 900), own);
    const pays = paySalary(g, a, emp, chain, asset, g.between(3000, 9000), 5, START + g.between(5, 15) * DAY, cadenceDays(g));
    forward(g, a, pays, chain, asset, () => own, [0.9, 0.99], [2, 30]);
    g.benign(a, 'salaried freelancer: sweeps pay within hours to own long-used self-custody wallet (US, no VPN)');
  }
  { // freelancer with two clients, withdraws to long-standing personal address (S11 negative)
    const a = g.newAccount({ kyc: 'US' });
    const own = g.evm();
    g.transfer('withdrawal', a, START - 40 * DAY, 'ethereum', 'USDC', 300, own);
    for (let c = 0; c < 2; c++) {
      const pays = paySalary(g, a, g.evm(), 'ethereum', 'USDC', g.between(2500, 6000), 4, START + g.between(3, 20) * DAY, { name: 'monthly', step: 30.4 });
      forward(g, a, pays, 'ethereum', 'USDC', () => own, [0.5, 0.9], [24, 120]);
    }
    g.benign(a, 'freelancer with two clients, withdraws to long-standing personal address');
  }
}

function benignPayrollCompany(g: Gen): void {
  for (let v = 0; v < 2; v++) { // business funds payroll, pays many staff monthly
    const b = g.newAccount({ type: 'business', kyc: g.pick(['US', 'GB', 'SG']), ageDays: 1000 });
    const [chain, asset] = g.pick(SALARY_CHAINS);
    const staff = Array.from({ length: g.int(8, 15) }, () => g.addr(chain));
    const salaries = staff.map(() => g.between(3000, 9000));
    for (let m = 0; m < 5; m++) {
      const t = START + (m * 30.4 + 25) * DAY;
      const total = salaries.reduce((s, x) => s + x, 0);
      g.transfer('deposit', b, t - g.between(20, 50) * HOUR, chain, asset, total * 1.02, [g.addr(chain)]);
      staff.forEach((s, i) => g.transfer('withdrawal', b, t + i * 7 * 60_000, chain, asset, salaries[i]!, s));
    }
    g.benign(b, 'payroll company: funds monthly payroll, pays many staff addresses');
  }
}

function benignOtcTrader(g: Gen): void {
  const desk = g.tron();
  g.label('tron', desk, 'otc-desk', 'OTC desk licensed');
  for (let v = 0; v < 2; v++) {
    const b = g.newAccount({ type: 'business', kyc: g.pick(['GB', 'CH', 'SG']), ageDays: 1500 });
    const clients = Array.from({ length: 6 }, () => ({ evm: g.evm(), tron: g.tron() }));
    for (let d = 0; d < 60; d++) { // the book runs from 70 days before the stream's other activity
      const t = START - 70 * DAY + d * 3.5 * DAY + g.between(0, 2) * DAY;
      const amt = g.between(20_000, 200_000);
      const c = g.pick(clients);
      g.transfer('deposit', b, t, 'ethereum', g.pick(['USDT', 'USDC']), amt, [c.evm]);
      g.transfer('withdrawal', b, t + g.between(1, 30) * HOUR, 'tron', 'USDT', amt * g.between(0.6, 1.0), g.chance(0.5) ? desk : c.tron);
    }
    g.benign(b, 'OTC trader: long-standing business, large flows with a fixed client book and a licensed desk');
  }
}

function benignGambler(g: Gen): void {
  const casino = g.evm();
  g.label('ethereum', casino, 'gambling', 'Casino C');
  for (let v = 0; v < 2; v++) {
    const a = g.newAccount();
    for (let d = 0; d < 25; d++) {
      const t = START + d * 6 * DAY + g.between(0, 3) * DAY;
      const amt = g.between(100, 3000);
      g.transfer('deposit', a, t, 'ethereum', 'USDT', amt, [casino]);
      g.transfer('withdrawal', a, t + g.between(0.5, 12) * HOUR, 'ethereum', 'USDT', amt * g.between(0.5, 1), casino);
    }
    g.benign(a, 'gambler: frequent deposits from and withdrawals to a casino');
  }
}

function benignHousehold(g: Gen): void {
  for (let v = 0; v < 2; v++) {
    const dev = g.device(); const ip = g.ip();
    for (let p = 0; p < 2; p++) {
      const a = g.newAccount({ kyc: 'US', session: { deviceId: dev, ip } });
      for (let k = 0; k < 4; k++) {
        const t = START + g.between(0, 160) * DAY;
        g.login(a, t, a.session);
        g.transfer('deposit', a, t + HOUR, 'ethereum', 'USDC', g.between(100, 2000), [g.evm()]);
      }
      g.benign(a, 'household: two people share a device and home IP');
    }
  }
}

function benignTravellers(g: Gen): void {
  for (let v = 0; v < 2; v++) { // one traveller, many countries, commercial VPN
    const a = g.newAccount({ kyc: g.pick(['US', 'DE']) });
    const own = g.evm();
    g.transfer('withdrawal', a, START - 30 * DAY, 'ethereum', 'USDC', 100, own);
    for (let k = 0; k < 10; k++) {
      const t = START + k * 14 * DAY + g.between(0, 5) * DAY;
      const s: Session = { ...a.session, ip: g.ip(), ipCountry: g.pick(['TH', 'ID', 'MX', 'PT', 'VN', 'AE']), vpn: true, vpnProvider: g.pick(['NordVPN', 'ExpressVPN']) };
      g.login(a, t, s);
      if (k % 3 === 0) g.transfer('deposit', a, t + HOUR, 'ethereum', 'USDC', g.between(500, 3000), [g.evm()]);
      if (k % 3 === 1) g.transfer('withdrawal', a, t + 2 * HOUR, 'ethereum', 'USDC', g.between(100, 800), own, { session: s });
    }
    g.benign(a, 'traveller on a commercial VPN, many countries');
  }
  { // three unrelated travellers on one commercial VPN exit in one day
    const exit = g.ip();
    const t0 = START + g.between(20, 150) * DAY;
    for (let p = 0; p < 3; p++) {
      const a = g.newAccount({ kyc: g.pick(['US', 'GB', 'DE', 'FR']) });
      g.login(a, t0 + g.between(0, 20) * HOUR, { ...a.session, ip: exit, ipCountry: 'NL', vpn: true, vpnProvider: 'NordVPN' });
      g.transfer('deposit', a, t0 + g.between(1, 30) * DAY, 'ethereum', 'USDC', g.between(200, 1500), [g.evm()]);
      g.benign(a, 'traveller: shares a commercial VPN exit IP with strangers on one day');
    }
  }
}

function benignDefi(g: Gen): void {
  const bridge = g.evm();
  g.label('ethereum', bridge, 'bridge', 'Canonical bridge');
  for (let v = 0; v < 3; v++) {
    const a = g.newAccount();
    const own = g.evm();
    g.transfer('withdrawal', a, START - 20 * DAY, 'ethereum', 'ETH', 0.1, own);
    for (let k = 0; k < 6; k++) {
      const t = START + k * 20 * DAY + g.between(0, 10) * DAY;
      const amt = g.between(300, 5000);
      g.transfer('deposit', a, t, 'ethereum', 'USDC', amt, [own]);
      g.transfer('withdrawal', a, t + g.between(24, 400) * HOUR, g.pick(['arbitrum', 'base'] as Chain[]), 'USDC', amt * g.between(0.3, 0.9), own);
    }
    g.benign(a, 'DeFi user: moves USDC from own wallet to L2s (same owner address)');
  }
}

function benignExchangeMovers(g: Gen): void {
  const otherEx = g.evm();
  g.label('ethereum', otherEx, 'exchange', 'Exchange Y deposit cluster');
  for (let v = 0; v < 5; v++) {
    const a = g.newAccount();
    for (let k = 0; k < 3; k++) {
      const t = START + g.between(10, 160) * DAY;
      const amt = g.between(2000, 9000);
      g.transfer('deposit', a, t, 'ethereum', 'USDT', amt, [g.evm()]);
      g.transfer('withdrawal', a, t + g.between(1, 30) * HOUR, 'ethereum', 'USDT', amt * g.between(0.95, 0.999), otherEx);
    }
    g.benign(a, 'exchange-to-exchange mover: withdraws to another exchange (shared labelled cluster)');
  }
}

function benignMerchants(g: Gen): void {
  for (let v = 0; v < 2; v++) {
    const b = g.newAccount({ type: 'business', kyc: g.pick(['US', 'GB', 'NL']), ageDays: 800 });
    const treasury = g.tron();
    g.transfer('withdrawal', b, START - 7 * DAY, 'tron', 'USDT', 100, treasury);
    let week = 0;
    for (let k = 0; k < 90; k++) {
      const t = START + k * 1.7 * DAY + g.between(0, 1) * DAY;
      const amt = g.between(15, 900);
      week += amt;
      g.transfer('deposit', b, t, 'tron', 'USDT', amt, [g.tron()]);
      if (k % 5 === 4) { g.transfer('withdrawal', b, t + 6 * HOUR, 'tron', 'USDT', week * 0.97, treasury); week = 0; }
    }
    g.benign(b, 'merchant: many small customer payments, weekly sweep to own treasury');
  }
}

function benignBonusAndSupplier(g: Gen): void {
  { // employee paid monthly, then a large one-off bonus from the same employer, kept
    const [chain, asset] = g.pick(SALARY_CHAINS.filter(([c]) => c !== 'tron'));
    const emp = g.addr(chain);
    const a = g.newAccount();
    const pays = paySalary(g, a, emp, chain, asset, 7000, 5, START + 5 * DAY, { name: 'monthly', step: 30.4 });
    g.transfer('deposit', a, pays.at(-1)!.t + 40 * DAY, chain, asset, 60_000, [emp]);
    g.benign(a, 'employee: salary then a large bonus from the same employer, kept on the exchange');
  }
  { // business paying a big invoice to a long-standing supplier
    const b = g.newAccount({ type: 'business', kyc: 'US', ageDays: 1000 });
    const supplier = g.evm();
    for (let k = 0; k < 5; k++) g.transfer('withdrawal', b, START + k * 30 * DAY, 'ethereum', 'USDC', g.between(5000, 15000), supplier);
    g.transfer('deposit', b, START + 155 * DAY, 'ethereum', 'USDC', 120_000, [g.evm()]);
    g.transfer('withdrawal', b, START + 156 * DAY, 'ethereum', 'USDC', 120_000, supplier);
    g.benign(b, 'business: large invoice to a long-standing supplier address');
  }
}

function generate(seed: number, sdn: SdnRow[]): Gen {
  const g = new Gen(seed);
  plantT1(g, sdn);
  plantT2(g, sdn);
  plantT3(g);
  const cons = plantT4(g);
  plantT5(g);
  plantT7(g);
  plantT8(g, cons);
  plantT9(g);
  plantT10(g);
  plantT11(g);
  plantT12(g, cons);
  benignFreelancers(g);
  benignPayrollCompany(g);
  benignOtcTrader(g);
  benignGambler(g);
  benignHousehold(g);
  benignTravellers(g);
  benignDefi(g);
  benignExchangeMovers(g);
  benignMerchants(g);
  benignBonusAndSupplier(g);
  return g;
}

// ---------- scoring ----------
interface AlertLine { ruleId: string; typology: string; severity: string; subject: { accountId: string }; explanation: string }
function score(truthPath: string, alertsPath: string): void {
  const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as Gen['truth'];
  const alerts = readFileSync(alertsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlertLine).filter((a) => a.severity !== 'low');
  const by = new Map<string, AlertLine[]>();
  for (const a of alerts) by.set(a.subject.accountId, [...(by.get(a.subject.accountId) ?? []), a]);
  const perT = new Map<string, { n: number; found: number }>();
  for (const [acct, typs] of Object.entries(truth.accounts)) {
    if (typs.length === 0) continue;
    const t = truth.plants[acct]!.split(' ')[0]!;
    const r = perT.get(t) ?? { n: 0, found: 0 };
    r.n++;
    const got = new Set((by.get(acct) ?? []).map((a) => a.typology));
    const ok = typs.every((x) => got.has(x));
    if (ok) r.found++;
    else console.log(`MISS ${acct} [${truth.plants[acct]}] expected ${typs.join(',')} got ${[...got].join(',') || 'nothing'}`);
    perT.set(t, r);
  }
  for (const [t, r] of [...perT].sort()) console.log(`recall ${t.padEnd(4)} ${r.found}/${r.n}`);
  for (const [acct, list] of by) {
    const ok = new Set([...(truth.accounts[acct] ?? []), ...(truth.allowed[acct] ?? [])]);
    const bad = list.filter((a) => !ok.has(a.typology));
    if (!truth.accounts[acct] || bad.length) {
      const byRule = new Map<string, AlertLine[]>();
      for (const a of bad.length ? bad : list) byRule.set(`${a.ruleId} ${a.typology}`, [...(byRule.get(`${a.ruleId} ${a.typology}`) ?? []), a]);
      for (const [rule, as] of byRule) console.log(`FP ${acct} [${truth.plants[acct] ?? truth.lookalikes[acct] ?? 'unlabelled'}] ${rule} x${as.length} (${[...new Set(as.map((a) => a.severity))].join('/')}): ${as[0]!.explanation}`);
    }
  }
}

function main(): void {
  const args = new Map(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k!, v ?? 'true']; }));
  if (args.get('score')) { score(args.get('truth')!, args.get('alerts')!); return; }
  const seed = Number(args.get('seed') ?? 1);
  const out = args.get('out') ?? `/tmp/oos2-${seed}`;
  const g = generate(seed, loadSdn());
  const msgs = g.msgs.map((m, i) => ({ m, i })).sort((a, b) => a.m.__t - b.m.__t || a.i - b.i);
  writeFileSync(`${out}.jsonl`, msgs.map(({ m }) => { const { __t, ...rest } = m; void __t; return JSON.stringify(rest); }).join('\n') + '\n');
  writeFileSync(`${out}.truth.json`, JSON.stringify({ profile: 'oos2', seed, ...g.truth }, null, 1) + '\n');
  console.log(`seed ${seed}: ${msgs.length} messages, ${Object.keys(g.truth.accounts).length} planted, ${g.truth.benign.length} benign -> ${out}.jsonl`);
}

main();
