/**
 * Session 47 QA: a black-box generator for T1, T2 (sanctions exposure), T9, T10 (extortion payment)
 * and T11 (persona rotation), written from docs/typologies.md and docs/contract.md, not from the
 * rules. For a seed it writes a replay stream and a truth file: planted accounts (the typology and
 * the severity the document asks) and benign look-alikes (no alert at medium or above expected).
 *
 *   npx tsx scripts/qa-exposure-extortion.ts --seed=1 --out=/tmp/qa-x1   (writes .jsonl and .truth.json)
 *   npx tsx scripts/qa-exposure-extortion.ts --score --truth=/tmp/qa-x1.truth.json --alerts=/tmp/qa-x1.alerts.jsonl
 */
import { readFileSync, writeFileSync } from 'node:fs';
import bs58check from 'bs58check';
import { DAY, HOUR, USDC_ETH, USDT_ETH, USDT_TRON, bitcoinTx, btcAddress, evmAddress, iso, label, login, prng, transfer, tronAddress, txHash, type Rand } from '../src/simulate/builders.js';
import { TRANSFER_TOPIC } from '../src/chain/evm.js';

type Sev = 'low' | 'medium' | 'high' | 'critical';
interface Planted { typology: string; severity: Sev; scenario: string; known?: string }
interface Truth { planted: Record<string, Planted>; benign: Record<string, string> }
interface Cust { type: 'individual' | 'business'; kycCountry: string; createdAt: string }
interface Sess { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId?: string }

// Real OFAC SDN addresses from data/ofac-sdn.json.
const KIM_EVM = '0x97b1043abd9e6fc31681635166d430a458d14f9c'; // KIM, Sang Man (DPRK4)
const LAZARUS_EVM = '0x08723392Ed15743cc38513C4925f5e6be5c17243'; // LAZARUS GROUP (DPRK3)
const LAZARUS_EVM_2 = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96'; // LAZARUS GROUP (DPRK3)
const AMNOK_EVM = '0x0330070fd38ec3bb94f58fa55d40368271e9e54a'; // AMNOKGANG (DPRK4)
const SUEX_EVM = '0x19aa5fe80d33a56d56c78e82ea5e50e5d80b4dff'; // SUEX OTC (CYBER2, not DPRK)
const CHEIL_TRON = 'TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz'; // CHEIL CREDIT BANK (DPRK4)
const CHEIL_TRON_2 = 'TBATDh41qMQ1yeVYecneEvhpfayYmkAQWS'; // CHEIL CREDIT BANK (DPRK4)
const SIM_TRON = 'TGXE9dGWawjfd3xqFSho1h1bRbRv9wUGrF'; // SIM, Hyon Sop (TRX)
const WU_BTC = '125W5ek3DT6Zqy5S2iPt4FHQdNMCbZA3FU'; // WU, Huihui
const KIM_BTC = '1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ'; // KIM, Sang Man
const tronHex = (a: string): string => Buffer.from(bs58check.decode(a)).toString('hex');

class Gen {
  out: { time: number; seq: number; line: string }[] = [];
  truth: Truth = { planted: {}, benign: {} };
  n = 0;
  constructor(public rand: Rand, public seed: number) {}
  between(lo: number, hi: number): number { return lo + this.rand() * (hi - lo); }
  pick<T>(xs: T[]): T { return xs[Math.floor(this.rand() * xs.length)]!; }
  id(p: string): string { return `${p}-s${this.seed}-${(this.n++).toString(36)}`; }
  emit(time: number, line: string): void { this.out.push({ time, seq: this.out.length, line }); }
  plant(p: Planted): string { const a = this.id('qa-p'); this.truth.planted[a] = p; return a; }
  benign(why: string): string { const a = this.id('qa-b'); this.truth.benign[a] = why; return a; }
  aux(): string { return this.id('qa-aux'); }
  session(acct: string, over: Partial<Sess> = {}): Sess {
    return { ip: `198.51.${Math.floor(this.rand() * 250)}.${1 + Math.floor(this.rand() * 250)}`, ipCountry: 'US', vpn: false, deviceId: `dev-${acct}`, ...over };
  }
  dep(acct: string, cust: Cust, t: number, chain: string, asset: string, amount: number, from: string[]): void {
    const to = chain === 'tron' ? tronAddress(this.rand) : chain === 'bitcoin' ? btcAddress(this.rand) : evmAddress(this.rand);
    this.emit(t, transfer({ eventId: this.id('ev'), kind: 'deposit', time: t, accountId: acct, chain, asset, amount, from, to, customer: cust }, this.rand));
  }
  wd(acct: string, cust: Cust, t: number, chain: string, asset: string, amount: number, to: string, o: { status?: 'requested'; session?: Sess } = {}): void {
    this.emit(t, transfer({ eventId: this.id('ev'), kind: 'withdrawal', ...(o.status ? { status: o.status } : {}), time: t, accountId: acct, chain, asset, amount, to, session: o.session ?? this.session(acct), customer: cust }, this.rand));
  }
  login(acct: string, t: number, s: Sess): void { this.emit(t, login(this.id('ev'), t, acct, s)); }
  label(chain: string, addr: string, name: string, t: number): void { this.emit(t, label(chain, addr, name, `qa ${name}`, t)); }
  native(chain: string, from: string, to: string, eth: number, t: number): void {
    this.emit(t, JSON.stringify({ schema: 'chain.evm.tx.v1', chain, hash: txHash(this.rand), blockNumber: 22_000_000 + Math.floor(t / 12_000) % 1_000_000, blockTime: iso(t), from, to, value: (BigInt(Math.round(eth * 1e6)) * 10n ** 12n).toString() }));
  }
  token(chain: 'ethereum' | 'tron', token: string, from: string, to: string, amount: number, t: number): void { this.emit(t, this.tokenLine(chain, token, from, to, amount, t)); }
  tokenLine(chain: 'ethereum' | 'tron', token: string, from: string, to: string, amount: number, t: number): string {
    const topic = (a: string): string => `0x${(chain === 'tron' ? tronHex(a).slice(2) : a.slice(2).toLowerCase()).padStart(64, '0')}`;
    const value = BigInt(Math.round(amount * 1e6)).toString(16).padStart(64, '0');
    return JSON.stringify({ schema: 'chain.evm.log.v1', chain, txHash: txHash(this.rand), logIndex: Math.floor(this.rand() * 200), blockNumber: 22_000_000 + Math.floor(t / 12_000) % 1_000_000, blockTime: iso(t), address: token, topics: [TRANSFER_TOPIC, topic(from), topic(to)], data: `0x${value}` });
  }
  btc(inputs: { address: string; sats: number }[], outputs: { address: string; sats: number }[], t: number): void { this.emit(t, bitcoinTx(inputs, outputs, t, this.rand)); }
  lines(): string[] { return [...this.out].sort((a, b) => a.time - b.time || a.seq - b.seq).map((o) => o.line); }
}

const START = Date.parse('2026-01-05T00:00:00Z');
const INTEL = Date.parse('2024-01-01T00:00:00Z'); // stream labels observed well before any transfer
const ind = (created = '2024-03-01T00:00:00.000Z', kyc = 'US'): Cust => ({ type: 'individual', kycCountry: kyc, createdAt: created });
const biz = (kyc = 'US'): Cust => ({ type: 'business', kycCountry: kyc, createdAt: '2023-06-01T00:00:00.000Z' });

// ---------------------------------------------------------------- T1 direct exposure
function t1(g: Gen): void {
  const p = (scenario: string): string => g.plant({ typology: 'sanctions-exposure', severity: 'critical', scenario });
  const at = (): number => START + g.between(5, 200) * DAY;
  let a = p('T1 S1: USDT deposit on ethereum from Kim Sang Man');
  g.dep(a, ind(), at(), 'ethereum', 'USDT', 3000, [KIM_EVM]);
  a = p('T1 S1-A: deposit on arbitrum from the same EVM address');
  g.dep(a, ind(), at(), 'arbitrum', 'USDC', g.between(500, 9000), [KIM_EVM]);
  a = p('T1: deposit on polygon from Lazarus, address lower-cased');
  g.dep(a, ind(), at(), 'polygon', 'USDT', g.between(200, 4000), [LAZARUS_EVM.toLowerCase()]);
  a = p('T1 S1-B: requested ETH withdrawal to Amnokgang (before broadcast)');
  g.wd(a, ind(), at(), 'ethereum', 'ETH', 2.5, AMNOK_EVM, { status: 'requested' });
  a = p('T1 S1-C: USDT withdrawal on tron to Cheil Credit Bank in hex 41 form');
  g.wd(a, ind(), at(), 'tron', 'USDT', 9000, tronHex(CHEIL_TRON));
  a = p('T1: USDT deposit on tron from Cheil Credit Bank (base58)');
  g.dep(a, ind(), at(), 'tron', 'USDT', g.between(1000, 20000), [CHEIL_TRON_2]);
  a = p('T1: 0.05 BTC deposit, WU Huihui second of two senders');
  g.dep(a, ind(), at(), 'bitcoin', 'BTC', 0.05, [btcAddress(g.rand), WU_BTC]);
  a = p('T1: $12 USDT deposit from SUEX (non-DPRK SDN, no amount floor)');
  g.dep(a, ind(), at(), 'ethereum', 'USDT', 12, [SUEX_EVM]);
  a = p('T1: withdrawal to an address an intel feed labelled dprk-linked (issuer freeze)');
  const frozen = evmAddress(g.rand);
  const tl = at();
  g.label('ethereum', frozen, 'dprk-linked', tl - 2 * DAY);
  g.wd(a, ind(), tl, 'ethereum', 'USDC', g.between(800, 15000), frozen);
  a = p('T1: requested TRX withdrawal on tron to Sim Hyon Sop');
  g.wd(a, ind(), at(), 'tron', 'TRX', 40000, SIM_TRON, { status: 'requested' });
  a = p('T1: withdrawal on bsc to Lazarus in checksum form');
  g.wd(a, ind(), at(), 'bsc', 'USDT', g.between(300, 6000), LAZARUS_EVM_2);
  a = p('T1: BTC withdrawal to Kim Sang Man');
  g.wd(a, ind(), at(), 'bitcoin', 'BTC', 0.2, KIM_BTC);

  a = p('T1: deposit with from [] whose USDT log shows Kim Sang Man paying the deposit address');
  { const t = at(); const dx = evmAddress(g.rand);
    const line = transfer({ eventId: g.id('ev'), kind: 'deposit', time: t, accountId: a, chain: 'ethereum', asset: 'USDT', amount: 2500, from: [], to: dx, customer: ind() }, g.rand);
    const log = JSON.parse(g.tokenLine('ethereum', USDT_ETH, KIM_EVM, dx, 2500, t - 10 * 60_000)) as { txHash: string };
    log.txHash = (JSON.parse(line) as { txHash: string }).txHash; // the deposit's own on-chain transaction
    g.emit(t - 10 * 60_000, JSON.stringify(log)); g.emit(t, line); }
  a = p('T1: withdrawal on base and on avalanche to Lazarus');
  g.wd(a, ind(), at(), 'base', 'USDC', g.between(100, 3000), LAZARUS_EVM);
  g.wd(a, ind(), at(), 'avalanche', 'USDC', g.between(100, 3000), LAZARUS_EVM);
  a = p('T1: dprk-linked label given in tron hex, transfer in base58');
  { const tx = tronAddress(g.rand); const tl2 = at(); g.label('tron', tronHex(tx), 'dprk-linked', INTEL); g.wd(a, ind(), tl2, 'tron', 'USDT', g.between(500, 9000), tx); }
  a = p('T1: Kim Sang Man\'s address also labelled exchange (a Binance-hosted deposit address), direct withdrawal');
  g.label('ethereum', KIM_EVM, 'exchange', INTEL);
  g.wd(a, ind(), at(), 'ethereum', 'USDT', g.between(1000, 8000), KIM_EVM);

  let b = g.benign('T1 negative: deposit from an address one hex digit away from an SDN address');
  g.dep(b, ind(), at(), 'ethereum', 'USDT', 3000, [KIM_EVM.slice(0, -1) + 'd']);
  b = g.benign('T1 look-alike: address-poisoning twin of an SDN address (same first 6 and last 4)');
  g.dep(b, ind(), at(), 'ethereum', 'USDT', g.between(500, 5000), [KIM_EVM.slice(0, 8) + evmAddress(g.rand).slice(8, 38) + KIM_EVM.slice(38)]);
  b = g.benign('T1 look-alike: withdrawal to a labelled exchange hot wallet');
  const hot = evmAddress(g.rand);
  g.label('ethereum', hot, 'exchange', INTEL);
  g.wd(b, ind(), at(), 'ethereum', 'USDT', g.between(500, 5000), hot);
}

// ---------------------------------------------------------------- T2 indirect exposure
function t2(g: Gen): void {
  const p = (scenario: string, hops: number): string => g.plant({ typology: 'sanctions-exposure', severity: hops === 1 ? 'high' : 'medium', scenario });
  const at = (): number => START + g.between(40, 200) * DAY;
  // 1 hop upstream, native ETH
  let a = p('T2: 1 hop upstream, ETH from Lazarus via one address', 1);
  let t = at(); let x = evmAddress(g.rand);
  g.native('ethereum', LAZARUS_EVM, x, 5, t - 3 * DAY);
  g.dep(a, ind(), t, 'ethereum', 'ETH', 4.9, [x]);
  // 1 hop upstream, USDT token from a non-DPRK SDN
  a = p('T2: 1 hop upstream, USDT from SUEX via one address', 1);
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, SUEX_EVM, x, 10000, t - 5 * DAY);
  g.dep(a, ind(), t, 'ethereum', 'USDT', 9800, [x]);
  // 2 hops upstream on tron
  a = p('T2: 2 hops upstream on tron from Cheil Credit Bank', 2);
  t = at(); x = tronAddress(g.rand); let y = tronAddress(g.rand);
  g.token('tron', USDT_TRON, CHEIL_TRON, x, 20000, t - 10 * DAY);
  g.token('tron', USDT_TRON, x, y, 19900, t - 4 * DAY);
  g.dep(a, ind(), t, 'tron', 'USDT', 19800, [y]);
  // 3 hops upstream, each hop 20-29 days apart (within 30)
  a = p('T2: 3 hops upstream, hops 20-29 days apart, $1,200', 3);
  t = at() + 30 * DAY; x = evmAddress(g.rand); y = evmAddress(g.rand); let z = evmAddress(g.rand);
  const g1 = g.between(20, 29), g2 = g.between(20, 29), g3 = g.between(1, 29);
  g.token('ethereum', USDC_ETH, KIM_EVM, x, 1300, t - (g1 + g2 + g3) * DAY);
  g.token('ethereum', USDC_ETH, x, y, 1260, t - (g2 + g3) * DAY);
  g.token('ethereum', USDC_ETH, y, z, 1230, t - g3 * DAY);
  g.dep(a, ind(), t, 'ethereum', 'USDC', 1200, [z]);
  // S2: downstream 3 nodes on tron
  a = p('T2 S2: withdrawal on tron, two hops on, a dprk-linked address', 3);
  t = at(); x = tronAddress(g.rand); y = tronAddress(g.rand);
  g.wd(a, ind(), t, 'tron', 'USDT', 9000, x);
  g.token('tron', USDT_TRON, x, y, 8950, t + 6 * HOUR);
  g.token('tron', USDT_TRON, y, CHEIL_TRON_2, 8900, t + 2 * DAY + 6 * HOUR);
  // downstream 1 hop ETH
  a = p('T2: withdrawal whose destination pays Lazarus a day later', 1);
  t = at(); x = evmAddress(g.rand);
  g.wd(a, ind(), t, 'ethereum', 'ETH', 3, x);
  g.native('ethereum', x, LAZARUS_EVM_2, 2.95, t + DAY);
  // downstream 2 hops USDC
  a = p('T2: withdrawal, 2 hops on to Kim Sang Man (5 and 20 days)', 2);
  t = at(); x = evmAddress(g.rand); y = evmAddress(g.rand);
  g.wd(a, ind(), t, 'ethereum', 'USDC', 15000, x);
  g.token('ethereum', USDC_ETH, x, y, 14900, t + 5 * DAY);
  g.token('ethereum', USDC_ETH, y, KIM_EVM, 14800, t + 25 * DAY);
  // 1 hop upstream on bitcoin
  a = p('T2: 1 hop upstream on bitcoin from WU Huihui', 1);
  t = at(); x = btcAddress(g.rand);
  g.btc([{ address: WU_BTC, sats: 51_000_000 }], [{ address: x, sats: 50_000_000 }], t - 2 * DAY);
  g.dep(a, ind(), t, 'bitcoin', 'BTC', 0.49, [x]);
  // small but whole: $600 (< $1,000 but 100% >= 10%)
  a = p('T2: 1 hop upstream, $600 all of it traced (>= 10% branch)', 1);
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, KIM_EVM, x, 600, t - 2 * DAY);
  g.dep(a, ind(), t, 'ethereum', 'USDT', 600, [x]);
  // mixed: $5,000 from SDN among $45,000, $20,000 deposited (proportional >= $1,000)
  a = p('T2: 1 hop upstream, $5k of $45k at the sender from an SDN, $20k deposited', 1);
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, evmAddress(g.rand), x, 40000, t - 6 * DAY);
  g.token('ethereum', USDT_ETH, SUEX_EVM, x, 5000, t - 4 * DAY);
  g.dep(a, ind(), t, 'ethereum', 'USDT', 20000, [x]);

  a = p('T2: withdrawal whose destination pays Kim Sang Man (also labelled exchange: a DPRK-attributed deposit address)', 1);
  t = at(); x = evmAddress(g.rand);
  g.wd(a, ind(), t, 'ethereum', 'USDT', 7000, x);
  g.token('ethereum', USDT_ETH, x, KIM_EVM, 6950, t + 2 * DAY);
  a = p('T2: $300 of SDN funds among $1,000 at the sender, $1,000 deposited (30% >= 10%)', 1);
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, evmAddress(g.rand), x, 700, t - 3 * DAY);
  g.token('ethereum', USDT_ETH, SUEX_EVM, x, 300, t - 2 * DAY);
  g.dep(a, ind(), t, 'ethereum', 'USDT', 1000, [x]);
  a = p('T2: 3 hops downstream on ethereum (ETH), the last to Amnokgang', 3);
  t = at(); x = evmAddress(g.rand); y = evmAddress(g.rand); z = evmAddress(g.rand);
  g.wd(a, ind(), t, 'ethereum', 'ETH', 4, x);
  g.native('ethereum', x, y, 3.99, t + 3 * DAY); g.native('ethereum', y, z, 3.98, t + 12 * DAY); g.native('ethereum', z, AMNOK_EVM, 3.97, t + 30 * DAY);
  a = p('T2: 2 hops upstream on bitcoin from Kim Sang Man', 2);
  t = at(); x = btcAddress(g.rand); y = btcAddress(g.rand);
  g.btc([{ address: KIM_BTC, sats: 30_000_000 }], [{ address: x, sats: 29_900_000 }], t - 9 * DAY);
  g.btc([{ address: x, sats: 29_900_000 }], [{ address: y, sats: 29_800_000 }], t - 2 * DAY);
  g.dep(a, ind(), t, 'bitcoin', 'BTC', 0.297, [y]);

  // benign look-alikes and spec negatives
  let b = g.benign('T2 S2 negative: the second hop is a labelled exchange hot wallet that later pays a dprk-linked address');
  t = at(); x = tronAddress(g.rand); const hot = tronAddress(g.rand);
  g.label('tron', hot, 'exchange', INTEL);
  g.wd(b, ind(), t, 'tron', 'USDT', 9000, x);
  g.token('tron', USDT_TRON, x, hot, 8950, t + 6 * HOUR);
  g.token('tron', USDT_TRON, hot, CHEIL_TRON, 8900, t + 2 * DAY);
  b = g.benign('T2 look-alike: withdrawal from an exchange hot wallet that once received from an SDN address');
  t = at(); x = evmAddress(g.rand); const hotE = evmAddress(g.rand);
  g.label('ethereum', hotE, 'exchange', INTEL);
  g.token('ethereum', USDT_ETH, SUEX_EVM, hotE, 30000, t - 8 * DAY);
  g.token('ethereum', USDT_ETH, hotE, x, 7000, t - 3 * DAY);
  g.dep(b, ind(), t, 'ethereum', 'USDT', 6900, [x]);
  b = g.benign('T2 negative: hop 45 days before the deposit (over 30 days)');
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, KIM_EVM, x, 8000, t - 45 * DAY);
  g.dep(b, ind(), t, 'ethereum', 'USDT', 7900, [x]);
  b = g.benign('T2 negative: 4 hops upstream');
  t = at(); x = evmAddress(g.rand); y = evmAddress(g.rand); z = evmAddress(g.rand); const w = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, KIM_EVM, x, 8000, t - 8 * DAY);
  g.token('ethereum', USDT_ETH, x, y, 7990, t - 6 * DAY);
  g.token('ethereum', USDT_ETH, y, z, 7980, t - 4 * DAY);
  g.token('ethereum', USDT_ETH, z, w, 7970, t - 2 * DAY);
  g.dep(b, ind(), t, 'ethereum', 'USDT', 7960, [w]);
  b = g.benign('T2 look-alike: $2 of dust from an SDN address at a sender holding $30k of its own');
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, evmAddress(g.rand), x, 30000, t - 20 * DAY);
  g.token('ethereum', USDT_ETH, LAZARUS_EVM, x, 2, t - 5 * DAY);
  g.dep(b, ind(), t, 'ethereum', 'USDT', 25000, [x]);
  b = g.benign('T2 look-alike: deposit from an address that an SDN address paid only 5 days after the deposit');
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, evmAddress(g.rand), x, 6000, t - 6 * DAY);
  g.dep(b, ind(), t, 'ethereum', 'USDT', 5900, [x]);
  g.token('ethereum', USDT_ETH, SUEX_EVM, x, 9000, t + 5 * DAY);
  b = g.benign('T2 look-alike: withdrawal to an address that paid an SDN address 10 days before (value cannot reach it)');
  t = at(); x = evmAddress(g.rand);
  g.token('ethereum', USDT_ETH, evmAddress(g.rand), x, 3000, t - 15 * DAY);
  g.token('ethereum', USDT_ETH, x, KIM_EVM, 2900, t - 10 * DAY);
  g.wd(b, ind(), t, 'ethereum', 'USDT', 4000, x);
}

// ---------------------------------------------------------------- T9 payer side
/** A business with 100+ days of ordinary supplier payments (median about `median`). */
function businessHistory(g: Gen, acct: string, c: Cust, until: number, median: number): void {
  const suppliers = [evmAddress(g.rand), evmAddress(g.rand), evmAddress(g.rand)];
  const treasury = evmAddress(g.rand);
  for (let d = 120; d > 3; d -= g.between(8, 14)) {
    const t = until - d * DAY;
    const amt = median * g.between(0.8, 1.2);
    g.dep(acct, c, t - g.between(2, 20) * HOUR, 'ethereum', 'USDC', amt, [treasury]);
    g.wd(acct, c, t, 'ethereum', 'USDC', amt, g.pick(suppliers));
  }
}

function t9(g: Gen): void {
  const p = (scenario: string, severity: Sev, known?: string): string => g.plant({ typology: 'extortion-payment', severity, scenario, ...(known ? { known } : {}) });
  const at = (): number => START + g.between(150, 230) * DAY;
  // S8 full: contractor paid monthly, its consolidation address gas-funds the fresh ransom address
  {
    const c = biz(); const a = p('T9 S8: contractor paid 5 months, ransom address gas-funded by the contractor\'s consolidation address, requested', 'high');
    const t = at(); const w = evmAddress(g.rand); const cons = evmAddress(g.rand); const x1 = evmAddress(g.rand); const treasury = evmAddress(g.rand);
    for (let m = 5; m >= 1; m--) {
      const tp = t - (m * 30 + 20) * DAY;
      g.dep(a, c, tp - 10 * HOUR, 'ethereum', 'USDC', 6000, [treasury]);
      g.wd(a, c, tp, 'ethereum', 'USDC', 6000, w);
      g.token('ethereum', USDC_ETH, w, cons, 5950, tp + 8 * HOUR);
    }
    g.native('ethereum', cons, x1, 0.01, t - 3 * DAY);
    g.dep(a, c, t - g.between(2, 40) * HOUR, 'ethereum', 'USDC', 150000, [treasury]);
    g.wd(a, c, t, 'ethereum', 'USDC', 150000, x1, { status: 'requested' });
  }
  // reverse link 1 hop: the contractor's own address funds the ransom address, last payroll 150 days before
  {
    const c = biz('GB'); const a = p('T9: ransom address gas-funded by the dismissed contractor itself, payroll ended 150 days before', 'high');
    const t = at(); const w = evmAddress(g.rand); const x1 = evmAddress(g.rand); const treasury = evmAddress(g.rand);
    for (let m = 4; m >= 0; m--) {
      const tp = t - (150 + m * 30) * DAY;
      g.dep(a, c, tp - 5 * HOUR, 'ethereum', 'USDT', 7000, [treasury]);
      g.wd(a, c, tp, 'ethereum', 'USDT', 7000, w);
    }
    g.native('ethereum', w, x1, 0.02, t - 6 * DAY);
    g.dep(a, c, t - 30 * HOUR, 'ethereum', 'USDT', 80000, [treasury]);
    g.wd(a, c, t, 'ethereum', 'USDT', 80000, x1);
  }
  // tron: contractor paid in USDT TRC-20; its consolidation address sends the ransom address its first USDT
  {
    const c = biz(); const a = p('T9: tron, ransom address first funded by the contractor\'s consolidation address', 'high');
    const t = at(); const w = tronAddress(g.rand); const cons = tronAddress(g.rand); const x1 = tronAddress(g.rand); const treasury = tronAddress(g.rand);
    for (let m = 4; m >= 1; m--) {
      const tp = t - (m * 30 + 10) * DAY;
      g.dep(a, c, tp - 6 * HOUR, 'tron', 'USDT', 5500, [treasury]);
      g.wd(a, c, tp, 'tron', 'USDT', 5500, w);
      g.token('tron', USDT_TRON, w, cons, 5450, tp + 12 * HOUR);
    }
    g.token('tron', USDT_TRON, cons, x1, 1, t - 5 * DAY);
    g.dep(a, c, t - 20 * HOUR, 'tron', 'USDT', 120000, [treasury]);
    g.wd(a, c, t, 'tron', 'USDT', 120000, x1);
  }
  // S8 variant: 2.1 BTC to a fresh bc1 address, no reverse link
  {
    const c = biz(); const a = p('T9 S8 variant: 2.1 BTC to a fresh address, funded 20 h before', 'medium');
    const t = at(); businessHistory(g, a, c, t, 4000);
    g.dep(a, c, t - 20 * HOUR, 'bitcoin', 'BTC', 2.1, [btcAddress(g.rand)]);
    g.wd(a, c, t, 'bitcoin', 'BTC', 2.1, btcAddress(g.rand));
  }
  // exactly above the floor on tron, funding 47 h before
  {
    const c = biz('DE'); const a = p('T9: $50,500 USDT on tron to a fresh address, funded 47 h before', 'medium');
    const t = at();
    g.dep(a, c, t - 47 * HOUR, 'tron', 'USDT', 50500, [tronAddress(g.rand)]);
    g.wd(a, c, t, 'tron', 'USDT', 50500, tronAddress(g.rand));
    // some ordinary history on tron
    const sup = tronAddress(g.rand);
    for (let d = 100; d > 5; d -= 15) { g.dep(a, c, t - d * DAY - 5 * HOUR, 'tron', 'USDT', 3000, [tronAddress(g.rand)]); g.wd(a, c, t - d * DAY, 'tron', 'USDT', 3000, sup); }
  }
  // 10x the 90-day median withdrawal, under $50k
  {
    const c = biz(); const a = p('T9: $30,000 (12x the 90-day median of $2,500) to a fresh address, funded 10 h before', 'medium', 'README: the 10x-median branch is documented as missing');
    const t = at(); businessHistory(g, a, c, t, 2500);
    g.dep(a, c, t - 10 * HOUR, 'ethereum', 'USDC', 30000, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'USDC', 30000, evmAddress(g.rand));
  }
  // fresh address first seen 13 days before (gas from an unrelated address), paid in ETH
  {
    const c = biz(); const a = p('T9: 22.7 ETH to an address first seen 13 days before, funded 30 h before', 'medium');
    const t = at(); businessHistory(g, a, c, t, 5000); const x1 = evmAddress(g.rand);
    g.native('ethereum', evmAddress(g.rand), x1, 0.005, t - 13 * DAY);
    g.dep(a, c, t - 30 * HOUR, 'ethereum', 'ETH', 22.7, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'ETH', 22.7, x1);
  }
  // requested, $250k, funding 2 h before
  {
    const c = biz(); const a = p('T9: requested $250,000 USDC to a fresh address, funded 2 h before', 'medium');
    const t = at(); businessHistory(g, a, c, t, 8000);
    g.dep(a, c, t - 2 * HOUR, 'ethereum', 'USDC', 250000, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'USDC', 250000, evmAddress(g.rand), { status: 'requested' });
  }

  {
    const c = biz(); const a = p('T9: $90k funded by three deposits within 48 h, paid to a fresh address on ethereum', 'medium');
    const t = at(); businessHistory(g, a, c, t, 3000);
    for (const h of [46, 20, 3]) g.dep(a, c, t - h * HOUR, 'ethereum', 'USDT', 30000, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'USDT', 90000, evmAddress(g.rand));
  }
  {
    const c = biz(); const a = p('T9: ransom address gas-funded by the contractor, payroll ended 175 days before', 'high');
    const t = at(); const w = evmAddress(g.rand); const x1 = evmAddress(g.rand); const treasury = evmAddress(g.rand);
    for (let m = 3; m >= 0; m--) { const tp = t - (175 + m * 30) * DAY; g.dep(a, c, tp - 5 * HOUR, 'ethereum', 'USDC', 9000, [treasury]); g.wd(a, c, tp, 'ethereum', 'USDC', 9000, w); }
    g.native('ethereum', w, x1, 0.02, t - 2 * DAY);
    g.dep(a, c, t - 12 * HOUR, 'ethereum', 'USDC', 200000, [treasury]);
    g.wd(a, c, t, 'ethereum', 'USDC', 200000, x1);
  }
  {
    const c = biz(); const a = p('T9: exactly $50,000 USDC to a fresh address, funded 1 h before', 'medium');
    const t = at(); businessHistory(g, a, c, t, 4000);
    g.dep(a, c, t - HOUR, 'ethereum', 'USDC', 50000, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'USDC', 50000, evmAddress(g.rand));
  }

  {
    const c = biz(); const a = p('T9: a business that pays its main supplier $80k a month pays $150k to a fresh address, funded 24 h before', 'medium');
    const t = at(); const sup = evmAddress(g.rand);
    for (let k = 0; k < 4; k++) g.token('ethereum', USDC_ETH, evmAddress(g.rand), sup, g.between(20000, 200000), t - g.between(200, 400) * DAY);
    for (let m = 4; m >= 1; m--) { const tm = t - m * 30 * DAY + 3 * DAY; g.dep(a, c, tm - 20 * HOUR, 'ethereum', 'USDC', 80000, [evmAddress(g.rand)]); g.wd(a, c, tm, 'ethereum', 'USDC', 80000, sup); }
    g.dep(a, c, t - 24 * HOUR, 'ethereum', 'USDC', 150000, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'USDC', 150000, evmAddress(g.rand));
  }

  {
    const c = biz(); const a = p('T9: $150k to a fresh address, funded with $40k 20 h before (the rest from balance)', 'medium');
    const t = at(); businessHistory(g, a, c, t, 5000);
    g.dep(a, c, t - 9 * DAY, 'ethereum', 'USDC', 120000, [evmAddress(g.rand)]);
    g.dep(a, c, t - 20 * HOUR, 'ethereum', 'USDC', 40000, [evmAddress(g.rand)]);
    g.wd(a, c, t, 'ethereum', 'USDC', 150000, evmAddress(g.rand));
  }

  // benign look-alikes
  {
    const c = biz(); const b = g.benign('T9 look-alike: year-end $60k bonus to the monthly contractor\'s known address');
    const t = at(); const w = evmAddress(g.rand);
    for (let m = 5; m >= 1; m--) { const tp = t - m * 30 * DAY; g.dep(b, c, tp - 5 * HOUR, 'ethereum', 'USDC', 7000, [evmAddress(g.rand)]); g.wd(b, c, tp, 'ethereum', 'USDC', 7000, w); }
    g.token('ethereum', USDC_ETH, evmAddress(g.rand), w, 3000, t - 400 * DAY);
    g.dep(b, c, t - 20 * HOUR, 'ethereum', 'USDC', 60000, [evmAddress(g.rand)]);
    g.wd(b, c, t, 'ethereum', 'USDC', 60000, w);
  }
  {
    const c = biz(); const b = g.benign('T9 negative: $75k to a fresh address, last funding 3 days before');
    const t = at(); businessHistory(g, b, c, t - 4 * DAY, 5000);
    g.dep(b, c, t - 72 * HOUR, 'ethereum', 'USDC', 75000, [evmAddress(g.rand)]);
    g.wd(b, c, t, 'ethereum', 'USDC', 75000, evmAddress(g.rand));
  }
  {
    const c = biz(); const b = g.benign('T9 S8 negative: $150k to a labelled exchange deposit address paid quarterly for a year');
    const t = at(); const dx = evmAddress(g.rand); g.label('ethereum', dx, 'exchange', INTEL);
    for (let q = 4; q >= 0; q--) { const tq = t - q * 91 * DAY; g.dep(b, c, tq - 24 * HOUR, 'ethereum', 'USDC', 150000, [evmAddress(g.rand)]); g.wd(b, c, tq, 'ethereum', 'USDC', 150000, dx); }
  }
  {
    const c = biz(); const b = g.benign('T9 look-alike: $120k to a new supplier whose address has a year of inflows from others');
    const t = at(); businessHistory(g, b, c, t, 6000); const sup = evmAddress(g.rand);
    for (let k = 0; k < 6; k++) g.token('ethereum', USDC_ETH, evmAddress(g.rand), sup, g.between(5000, 90000), t - g.between(20, 300) * DAY);
    g.dep(b, c, t - 24 * HOUR, 'ethereum', 'USDC', 120000, [evmAddress(g.rand)]);
    g.wd(b, c, t, 'ethereum', 'USDC', 120000, sup);
  }
  {
    const c = ind(); const b = g.benign('T9 look-alike: an individual moving $90k to a new cold wallet of their own 2 h after buying');
    const t = at();
    g.dep(b, c, t - 2 * HOUR, 'bitcoin', 'BTC', 0.95, [btcAddress(g.rand)]);
    g.wd(b, c, t, 'bitcoin', 'BTC', 0.94, btcAddress(g.rand));
  }
  {
    const c = biz('SG'); const b = g.benign('T9 look-alike: OTC desk paying established client addresses $60k-$300k weekly');
    const t0 = START + 20 * DAY; const clients = Array.from({ length: 6 }, () => evmAddress(g.rand));
    for (const cl of clients) for (let k = 0; k < 3; k++) g.token('ethereum', USDT_ETH, evmAddress(g.rand), cl, g.between(10000, 200000), t0 - g.between(10, 200) * DAY);
    for (let wk = 0; wk < 28; wk++) { const t = t0 + wk * 7 * DAY; const amt = g.between(60000, 300000); g.dep(b, c, t - g.between(2, 30) * HOUR, 'ethereum', 'USDT', amt, [evmAddress(g.rand)]); g.wd(b, c, t, 'ethereum', 'USDT', amt * 0.995, g.pick(clients)); }
  }
  {
    const c = biz(); const b = g.benign('T9 look-alike: VC fund investing $2M in a startup treasury that already holds other investors\' money');
    const t = at(); const tre = evmAddress(g.rand);
    for (let k = 0; k < 3; k++) g.token('ethereum', USDC_ETH, evmAddress(g.rand), tre, g.between(500000, 1500000), t - g.between(5, 60) * DAY);
    for (let k = 0; k < 3; k++) {
      const tk = t - (100 - k * 30) * DAY; const other = evmAddress(g.rand);
      for (let j = 0; j < 2; j++) g.token('ethereum', USDC_ETH, evmAddress(g.rand), other, g.between(300000, 900000), tk - g.between(10, 90) * DAY);
      g.dep(b, c, tk - DAY, 'ethereum', 'USDC', 750000, [evmAddress(g.rand)]); g.wd(b, c, tk, 'ethereum', 'USDC', 750000, other);
    }
    g.dep(b, c, t - 24 * HOUR, 'ethereum', 'USDC', 2000000, [evmAddress(g.rand)]);
    g.wd(b, c, t, 'ethereum', 'USDC', 2000000, tre);
  }
  {
    const c = biz(); const b = g.benign('T9 negative: $60k from held balance to a fresh address, last funding 6 days before');
    const t = at(); businessHistory(g, b, c, t - 7 * DAY, 6000);
    g.dep(b, c, t - 6 * DAY, 'ethereum', 'USDC', 80000, [evmAddress(g.rand)]);
    g.wd(b, c, t, 'ethereum', 'USDC', 60000, evmAddress(g.rand));
  }
  {
    const c = biz(); const b = g.benign('T9 look-alike: business paying the large supplier it has paid monthly');
    const t = at(); const sup = evmAddress(g.rand);
    for (let k = 0; k < 4; k++) g.token('ethereum', USDC_ETH, evmAddress(g.rand), sup, g.between(20000, 200000), t - g.between(160, 400) * DAY);
    for (let m = 5; m >= 0; m--) { const tm = t - m * 30 * DAY; g.dep(b, c, tm - 20 * HOUR, 'ethereum', 'USDC', 90000, [evmAddress(g.rand)]); g.wd(b, c, tm, 'ethereum', 'USDC', 90000, sup); }
  }
}

// ---------------------------------------------------------------- T10 receiver side
interface T10 { chain: 'ethereum' | 'tron'; asset: string; salary: number; cadence: number; n: number; gap: number; mult: number; source: 'same' | 'cluster' | 'new'; fwd: number; fwdHours: number; dprk?: boolean; exact?: boolean; pieces?: number; ownDest?: boolean }
function t10Case(g: Gen, acct: string, c: Cust, s: T10): void {
  const addr = (): string => (s.chain === 'tron' ? tronAddress(g.rand) : evmAddress(g.rand));
  const token = s.chain === 'tron' ? USDT_TRON : (s.asset === 'USDC' ? USDC_ETH : USDT_ETH);
  const emp = addr(); const own = addr();
  const t0 = START + g.between(0, 10) * DAY;
  let last = t0;
  if (s.ownDest) { // the customer's own wallet, used since before the job began
    for (const d of [80, 45]) { g.dep(acct, c, t0 - d * DAY, s.chain, s.asset, 900, [addr()]); g.wd(acct, c, t0 - (d - 2) * DAY, s.chain, s.asset, 850, own); }
  }
  for (let k = 0; k < s.n; k++) {
    last = t0 + k * s.cadence * DAY + g.between(-6, 6) * HOUR;
    g.dep(acct, c, last, s.chain, s.asset, s.exact ? s.salary : s.salary * g.between(0.98, 1.02), [emp]);
    // an ordinary withdrawal to the worker's own wallet some days later (not the pattern under test)
    g.wd(acct, c, last + g.between(5, 9) * DAY, s.chain, s.asset, s.salary * 0.3, own);
  }
  const tb = last + s.gap * DAY;
  const big = s.salary * s.mult;
  let src = emp;
  if (s.source === 'cluster') { src = addr(); g.token(s.chain, token, emp, src, big * 1.2, tb - DAY); }
  if (s.source === 'new') src = addr();
  g.dep(acct, c, tb, s.chain, s.asset, big, [src]);
  const cons = s.ownDest ? own : addr();
  const pieces = s.pieces ?? 1;
  for (let k = 0; k < pieces; k++) g.wd(acct, c, tb + (s.fwdHours * (k + 1)) / pieces * HOUR, s.chain, s.asset, (big * s.fwd) / pieces, pieces > 1 ? addr() : cons);
  if (s.dprk) {
    const mid = addr();
    g.token(s.chain, token, cons, mid, big * s.fwd * 0.99, tb + (s.fwdHours + 10) * HOUR);
    g.token(s.chain, token, mid, s.chain === 'tron' ? CHEIL_TRON : LAZARUS_EVM, big * s.fwd * 0.98, tb + (s.fwdHours + 30) * HOUR);
  }
}

function t10(g: Gen): void {
  const p = (scenario: string, sev: Sev): string => g.plant({ typology: 'extortion-payment', severity: sev, scenario });
  const cases: [string, T10][] = [
    ['T10 S9: 7,500 USDT monthly x4, 72-day gap, 16x from a cluster one hop from the employer, 99% out in 9 h', { chain: 'tron', asset: 'USDT', salary: 7500, cadence: 30, n: 4, gap: 72, mult: 16, source: 'cluster', fwd: 0.99, fwdHours: 9 }],
    ['T10: 4,000 USDC monthly x4, 50-day gap, 5.25x from the employer ($21k), 81% out at 70 h', { chain: 'ethereum', asset: 'USDC', salary: 4000, cadence: 30, n: 4, gap: 50, mult: 5.25, source: 'same', fwd: 0.81, fwdHours: 70 }],
    ['T10: 3,000 USDT bi-weekly x6, 25-day gap, 20x from a new business source, all out in 3 h', { chain: 'ethereum', asset: 'USDT', salary: 3000, cadence: 14, n: 6, gap: 25, mult: 20, source: 'new', fwd: 1, fwdHours: 3 }],
    ['T10: 9,000 USDC monthly x3, inflow 118 days after the last salary, 11x, 90% out in 48 h', { chain: 'ethereum', asset: 'USDC', salary: 9000, cadence: 30, n: 3, gap: 118, mult: 11, source: 'same', fwd: 0.9, fwdHours: 48 }],
    ['T10: 11,000 USDT on tron monthly x3, 46-day gap, 5.1x from the employer, 95% out in 20 h', { chain: 'tron', asset: 'USDT', salary: 11000, cadence: 30, n: 3, gap: 46, mult: 5.1, source: 'same', fwd: 0.95, fwdHours: 20 }],
    ['T10: 6,000 USDC semi-monthly (15 d) x5, 30-day gap, 8x from the employer\'s cluster, 85% out in 30 h', { chain: 'ethereum', asset: 'USDC', salary: 6000, cadence: 15, n: 5, gap: 30, mult: 8, source: 'cluster', fwd: 0.85, fwdHours: 30 }],
  ];
  for (const [scenario, s] of cases) t10Case(g, p(scenario, 'high'), ind('2024-05-01T00:00:00.000Z', g.pick(['US', 'CA', 'GB'])), s);
  t10Case(g, p('T10: a contractor\'s one-person LLC (business account), 6,500 USDC monthly x4, 60-day gap, 12x, 95% out in 10 h', 'high'), biz('US'), { chain: 'ethereum', asset: 'USDC', salary: 6500, cadence: 30, n: 4, gap: 60, mult: 12, source: 'same', fwd: 0.95, fwdHours: 10 });
  t10Case(g, p('T10 critical: 5,000 USDT on tron x4, 60-day gap, 10x, 95% out in 12 h, the destination 2 hops from Cheil Credit Bank', 'critical'), ind(), { chain: 'tron', asset: 'USDT', salary: 5000, cadence: 30, n: 4, gap: 60, mult: 10, source: 'same', fwd: 0.95, fwdHours: 12, dprk: true });
  t10Case(g, p('T10 critical: 8,000 USDC x4, 55-day gap, 7x from a new source, 90% out in 24 h, the destination 2 hops from Lazarus', 'critical'), ind(), { chain: 'ethereum', asset: 'USDC', salary: 8000, cadence: 30, n: 4, gap: 55, mult: 7, source: 'new', fwd: 0.9, fwdHours: 24, dprk: true });

  t10Case(g, p('T10: 4,000 USDC exactly x4, gap 45.5 days (1.5x), 5.05x ($20,200), 85% out in 3 withdrawals over 60 h', 'high'), ind(), { chain: 'ethereum', asset: 'USDC', salary: 4000, cadence: 30, n: 4, gap: 45.5, mult: 5.05, source: 'same', fwd: 0.85, fwdHours: 60, exact: true, pieces: 3 });
  t10Case(g, p('T10: 2,500 USDT every 13 days x5, 20-day gap, 10x from a new source, 88% out in 5 h', 'high'), ind(), { chain: 'tron', asset: 'USDT', salary: 2500, cadence: 13, n: 5, gap: 20, mult: 10, source: 'new', fwd: 0.88, fwdHours: 5 });

  // benign look-alikes
  t10Case(g, g.benign('T10 look-alike: back from unpaid leave, 6x back-pay from the employer, 85% to the customer\'s own long-used wallet in 24 h'), ind(), { chain: 'ethereum', asset: 'USDC', salary: 5000, cadence: 30, n: 4, gap: 75, mult: 6, source: 'same', fwd: 0.85, fwdHours: 24, ownDest: true });
  {
    const c = ind(); const b = g.benign('T10 look-alike: an employee\'s 5x bonus with no payroll gap, half withdrawn to their own wallet');
    const emp = evmAddress(g.rand); const own = evmAddress(g.rand); const t0 = START + 5 * DAY;
    for (let k = 0; k < 7; k++) { const t = t0 + k * 30 * DAY; g.dep(b, c, t, 'ethereum', 'USDC', 5000, [emp]); g.wd(b, c, t + 6 * DAY, 'ethereum', 'USDC', 2000, own); }
    const tb = t0 + 4 * 30 * DAY + 10 * DAY; g.dep(b, c, tb, 'ethereum', 'USDC', 25000, [emp]); g.wd(b, c, tb + 30 * HOUR, 'ethereum', 'USDC', 12500, own);
  }
  {
    const c = ind(); const b = g.benign('T10 look-alike: severance of 3x salary after the payroll stopped, kept two weeks');
    const emp = evmAddress(g.rand); const own = evmAddress(g.rand); const t0 = START + 5 * DAY;
    for (let k = 0; k < 5; k++) { const t = t0 + k * 30 * DAY; g.dep(b, c, t, 'ethereum', 'USDC', 6000, [emp]); g.wd(b, c, t + 8 * DAY, 'ethereum', 'USDC', 2500, own); }
    const tb = t0 + 4 * 30 * DAY + 55 * DAY; g.dep(b, c, tb, 'ethereum', 'USDC', 18000, [emp]); g.wd(b, c, tb + 14 * DAY, 'ethereum', 'USDC', 6000, own);
  }
  {
    const c = ind(); const b = g.benign('T10 look-alike: payroll stopped, then $150k from a house sale kept a month, 30% to own wallet');
    const emp = tronAddress(g.rand); const own = tronAddress(g.rand); const t0 = START + 5 * DAY;
    for (let k = 0; k < 4; k++) { const t = t0 + k * 30 * DAY; g.dep(b, c, t, 'tron', 'USDT', 4500, [emp]); g.wd(b, c, t + 7 * DAY, 'tron', 'USDT', 1500, own); }
    const tb = t0 + 3 * 30 * DAY + 70 * DAY; g.dep(b, c, tb, 'tron', 'USDT', 150000, [tronAddress(g.rand)]); g.wd(b, c, tb + 31 * DAY, 'tron', 'USDT', 45000, own);
  }
  {
    const c = ind(); const b = g.benign('T10 look-alike: contractor changes employer (new payer, same band), no large inflow');
    const e1 = evmAddress(g.rand); const e2 = evmAddress(g.rand); const own = evmAddress(g.rand); const t0 = START + 5 * DAY;
    for (let k = 0; k < 8; k++) { const t = t0 + k * 30 * DAY; g.dep(b, c, t, 'ethereum', 'USDT', k < 4 ? 5000 : 5600, [k < 4 ? e1 : e2]); g.wd(b, c, t + 10 * DAY, 'ethereum', 'USDT', 3000, own); }
  }
  {
    const c = ind(); const b = g.benign('T10 negative: gap, then 6x inflow 140 days after the last salary (over 120), 85% to own long-used wallet in 40 h');
    const emp = evmAddress(g.rand); const own = evmAddress(g.rand); const t0 = START + 2 * DAY;
    for (let k = 0; k < 3; k++) { const t = t0 + k * 30 * DAY; g.dep(b, c, t, 'ethereum', 'USDC', 5000, [emp]); g.wd(b, c, t + 6 * DAY, 'ethereum', 'USDC', 4000, own); }
    const tb = t0 + 2 * 30 * DAY + 140 * DAY; g.dep(b, c, tb, 'ethereum', 'USDC', 30000, [evmAddress(g.rand)]); g.wd(b, c, tb + 40 * HOUR, 'ethereum', 'USDC', 25500, own);
  }
}

// ---------------------------------------------------------------- T11 persona rotation
interface T11 { link: 'login-device' | 'session-device' | 'destination' | 'ip24'; chain: 'ethereum' | 'tron'; salary: number; gapAfterLast: number; newAge: number; payer: 'same' | 'cluster'; labelled: boolean; risky: boolean; crowd?: number; calmSuccessor?: boolean; alsoDestination?: boolean }
function t11Case(g: Gen, pred: string, next: string, s: T11): void {
  const addr = (): string => (s.chain === 'tron' ? tronAddress(g.rand) : evmAddress(g.rand));
  const asset = s.chain === 'tron' ? 'USDT' : 'USDC';
  const token = s.chain === 'tron' ? USDT_TRON : USDC_ETH;
  const emp = addr(); const cons = addr();
  if (s.labelled) g.label(s.chain, emp, 'payroll-platform', INTEL);
  const device = `dev-farm-${g.id('d')}`;
  const riskySess = (acct: string, dev: string): Sess => (s.risky ? { ip: `36.112.${Math.floor(g.rand() * 250)}.${1 + Math.floor(g.rand() * 250)}`, ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill', deviceId: dev } : g.session(acct, { deviceId: dev }));
  const pc = ind('2025-06-01T00:00:00.000Z');
  const t0 = START + g.between(0, 20) * DAY;
  let last = t0;
  for (let k = 0; k < 4; k++) {
    last = t0 + k * 30 * DAY + g.between(-10, 10) * HOUR;
    const amt = s.salary * g.between(0.97, 1.03);
    g.login(pred, last - 2 * HOUR, riskySess(pred, device));
    g.dep(pred, pc, last, s.chain, asset, amt, [emp]);
    g.wd(pred, pc, last + g.between(4, 20) * HOUR, s.chain, asset, amt * 0.97, cons, { session: riskySess(pred, device) });
  }
  // the new persona
  const tn = last + s.gapAfterLast * DAY;
  const nc = ind(new Date(tn - s.newAge * DAY).toISOString(), g.pick(['US', 'CA', 'GB']));
  const newDevice = s.link === 'login-device' || s.link === 'session-device' ? device : `dev-${next}`;
  let payer = emp;
  if (s.payer === 'cluster') { payer = addr(); g.token(s.chain, token, emp, payer, s.salary * 10, tn - 2 * DAY); }
  const sess = s.link === 'ip24' || s.calmSuccessor ? { ip: '203.0.113.77', ipCountry: nc.kycCountry, vpn: false, deviceId: newDevice } : riskySess(next, newDevice);
  for (let k = 0; k < (s.crowd ?? 0); k++) { // other employees the platform pays at this exchange
    const o = g.benign('T11 background: another employee paid monthly by the same payroll platform'); const oc = ind(); const own = addr();
    for (let m = 0; m < 5; m++) { const tm = t0 + m * 30 * DAY + g.between(-2, 2) * DAY; g.dep(o, oc, tm, s.chain, asset, s.salary * g.between(0.7, 1.3), [emp]); g.wd(o, oc, tm + g.between(3, 15) * DAY, s.chain, asset, s.salary * 0.4, own); }
  }
  if (s.link === 'ip24') g.login(pred, tn - 3 * DAY, { ip: '203.0.113.12', ipCountry: 'US', vpn: false, deviceId: device });
  if (s.link !== 'session-device') g.login(next, tn - s.newAge * DAY + HOUR, sess);
  const amt = s.salary * g.between(0.97, 1.03);
  g.dep(next, nc, tn, s.chain, asset, amt, [payer]);
  g.wd(next, nc, tn + g.between(4, 20) * HOUR, s.chain, asset, amt * 0.97, s.link === 'destination' || s.alsoDestination ? cons : addr(), { session: sess });
}

function t11(g: Gen): void {
  const cases: [string, T11, string?][] = [
    ['T11 S10: new account (6 days old) on the predecessor\'s device, paid by the same labelled payroll platform 15 days after its last salary', { link: 'login-device', chain: 'ethereum', salary: 4800, gapAfterLast: 15, newAge: 6, payer: 'same', labelled: true, risky: true }],
    ['T11 S10 as written: same device and consolidation destination, US session without VPN, the labelled platform also paying 12 other customers', { link: 'login-device', chain: 'ethereum', salary: 4800, gapAfterLast: 15, newAge: 6, payer: 'same', labelled: true, risky: true, crowd: 12, calmSuccessor: true, alsoDestination: true }],
    ['T11: new account 29 days old, same device in the withdrawal session only, tron, 58 days after', { link: 'session-device', chain: 'tron', salary: 3000, gapAfterLast: 58, newAge: 29, payer: 'same', labelled: false, risky: true }],
    ['T11: new account 2 days old, same consolidation destination, $11,500, 35 days after', { link: 'destination', chain: 'ethereum', salary: 11500, gapAfterLast: 35, newAge: 2, payer: 'same', labelled: false, risky: true }],
    ['T11: paid by a new address the employer funded, same device, 40 days after', { link: 'login-device', chain: 'ethereum', salary: 2500, gapAfterLast: 40, newAge: 14, payer: 'cluster', labelled: false, risky: true }],
    ['T11: same destination cluster, tron, paid by the employer\'s labelled platform, 20 days after', { link: 'destination', chain: 'tron', salary: 7000, gapAfterLast: 20, newAge: 10, payer: 'same', labelled: true, risky: true }],
    ['T11: IP /24 shared within 7 days (no device, no destination)', { link: 'ip24', chain: 'ethereum', salary: 5000, gapAfterLast: 25, newAge: 8, payer: 'same', labelled: true, risky: true }],
    ['T11: predecessor without VPN (one kind of risk: forwards 97% to a consolidation address), same device', { link: 'login-device', chain: 'ethereum', salary: 6000, gapAfterLast: 20, newAge: 7, payer: 'same', labelled: false, risky: false }, 'README: a predecessor with one kind of risk is not enough'],
  ];
  for (const [scenario, s, known] of cases) {
    const pred = g.aux();
    const next = g.plant({ typology: 'dprk-it-payroll', severity: 'high', scenario, ...(known ? { known } : {}) });
    t11Case(g, pred, next, s);
  }
  // lost phone: honest contractor keeps pay, withdraws to own long-used wallet; opens a new account on a new device
  for (let k = 0; k < 2; k++) {
    const old = g.aux(); const b = g.benign('T11 look-alike: honest contractor opens a second account after losing a phone (new device, same employer, same own wallet)');
    const emp = evmAddress(g.rand); const own = evmAddress(g.rand); const t0 = START + g.between(0, 20) * DAY; const pc = ind();
    if (k === 1) g.label('ethereum', emp, 'payroll-platform', INTEL);
    let last = t0;
    for (let m = 0; m < 4; m++) { last = t0 + m * 30 * DAY; g.login(old, last - HOUR, g.session(old)); g.dep(old, pc, last, 'ethereum', 'USDC', 5200, [emp]); if (m % 2 === 1) g.wd(old, pc, last + 12 * DAY, 'ethereum', 'USDC', 8000, own); }
    const tn = last + 30 * DAY; const nc = ind(new Date(tn - 5 * DAY).toISOString());
    g.login(b, tn - 5 * DAY, g.session(b));
    g.dep(b, nc, tn, 'ethereum', 'USDC', 5200, [emp]);
    g.dep(b, nc, tn + 30 * DAY, 'ethereum', 'USDC', 5200, [emp]);
    g.wd(b, nc, tn + 40 * DAY, 'ethereum', 'USDC', 9000, own);
  }
  {
    // household: two accounts on one family laptop, both paid by the same payroll platform, both active
    const emp = evmAddress(g.rand); g.label('ethereum', emp, 'payroll-platform', INTEL);
    const dev = `dev-family-${g.id('f')}`; const a1 = g.aux(); const b = g.benign('T11 look-alike: spouse\'s new account on the family laptop, same payroll platform, both active');
    const t0 = START + 10 * DAY; const own1 = evmAddress(g.rand); const own2 = evmAddress(g.rand);
    for (let m = 0; m < 6; m++) { const t = t0 + m * 30 * DAY; g.login(a1, t - HOUR, g.session(a1, { deviceId: dev })); g.dep(a1, ind(), t, 'ethereum', 'USDC', 4000, [emp]); g.wd(a1, ind(), t + 10 * DAY, 'ethereum', 'USDC', 2000, own1); }
    const tn = t0 + 3 * 30 * DAY + 2 * DAY; const nc = ind(new Date(tn - 10 * DAY).toISOString());
    for (let m = 0; m < 3; m++) { const t = tn + m * 30 * DAY; g.login(b, t - HOUR, g.session(b, { deviceId: dev })); g.dep(b, nc, t, 'ethereum', 'USDC', 3800, [emp]); g.wd(b, nc, t + 9 * DAY, 'ethereum', 'USDC', 1500, own2); }
  }
  // replacement hire: the employer dismissed a risky worker (S3-like) and pays an honest new hire; nothing shared
  for (let k = 0; k < 3; k++) {
    const pred = g.aux(); const b = g.benign(`T11 look-alike: honest replacement hire of a dismissed risky worker, same employer${k === 1 ? ' (a labelled payroll platform)' : ''}, no device/IP/destination shared`);
    const emp = evmAddress(g.rand); const cons = evmAddress(g.rand); const own = evmAddress(g.rand);
    if (k === 1) g.label('ethereum', emp, 'payroll-platform', INTEL);
    const dev = `dev-farm-${g.id('r')}`; const pc = ind('2025-06-01T00:00:00.000Z');
    const t0 = START + g.between(0, 20) * DAY; let last = t0;
    for (let m = 0; m < 4; m++) {
      last = t0 + m * 30 * DAY; const sess: Sess = { ip: `36.112.${Math.floor(g.rand() * 250)}.9`, ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill', deviceId: dev };
      g.login(pred, last - HOUR, sess); g.dep(pred, pc, last, 'ethereum', 'USDC', 5000, [emp]); g.wd(pred, pc, last + 8 * HOUR, 'ethereum', 'USDC', 4900, cons, { session: sess });
    }
    const tn = last + g.between(20, 45) * DAY; const nc = ind(new Date(tn - g.between(5, 25) * DAY).toISOString());
    g.login(b, tn - 3 * DAY, g.session(b));
    for (let m = 0; m < 2; m++) { const t = tn + m * 30 * DAY; g.dep(b, nc, t, 'ethereum', 'USDC', 5000 * g.between(0.9, 1.1), [emp]); g.wd(b, nc, t + 12 * DAY, 'ethereum', 'USDC', 1500, own, { session: g.session(b) }); }
  }
  {
    // new hire: employer pays a new account after another employee left; nothing shared
    const emp = evmAddress(g.rand); const a1 = g.aux(); const b = g.benign('T11 look-alike: employer\'s new hire after another employee left (nothing shared)');
    const t0 = START + 10 * DAY; const own1 = evmAddress(g.rand); const own2 = evmAddress(g.rand);
    for (let m = 0; m < 3; m++) { const t = t0 + m * 30 * DAY; g.dep(a1, ind(), t, 'ethereum', 'USDC', 6000, [emp]); g.wd(a1, ind(), t + 2 * DAY, 'ethereum', 'USDC', 5900, own1); }
    const tn = t0 + 2 * 30 * DAY + 25 * DAY; const nc = ind(new Date(tn - 12 * DAY).toISOString());
    g.login(b, tn - 12 * DAY, g.session(b));
    for (let m = 0; m < 2; m++) { const t = tn + m * 30 * DAY; g.dep(b, nc, t, 'ethereum', 'USDC', 6100, [emp]); g.wd(b, nc, t + 15 * DAY, 'ethereum', 'USDC', 3000, own2); }
  }
}

// ---------------------------------------------------------------- background
function background(g: Gen, n: number): void {
  for (let i = 0; i < n; i++) {
    const b = g.benign('background retail');
    const c = ind(`2024-0${1 + Math.floor(g.rand() * 9)}-01T00:00:00.000Z`);
    const chain = g.pick(['ethereum', 'tron', 'bitcoin', 'arbitrum']);
    const asset = chain === 'bitcoin' ? 'BTC' : chain === 'tron' ? 'USDT' : g.pick(['USDC', 'USDT', 'ETH']);
    const unit = asset === 'BTC' ? 95000 : asset === 'ETH' ? 3300 : 1;
    const addr = (): string => (chain === 'tron' ? tronAddress(g.rand) : chain === 'bitcoin' ? btcAddress(g.rand) : evmAddress(g.rand));
    const own = addr(); const src = addr();
    let t = START + g.between(0, 30) * DAY;
    for (let k = 0; k < 3 + Math.floor(g.rand() * 6); k++) {
      const usd = g.between(50, 6000);
      g.dep(b, c, t, chain, asset, +(usd / unit).toFixed(6), [g.rand() < 0.6 ? src : addr()]);
      if (g.rand() < 0.7) g.wd(b, c, t + g.between(3, 20) * DAY, chain, asset, +(usd * g.between(0.2, 0.7) / unit).toFixed(6), g.rand() < 0.8 ? own : addr());
      t += g.between(5, 35) * DAY;
    }
  }
}

function generate(seed: number): { lines: string[]; truth: Truth } {
  const g = new Gen(prng(seed), seed);
  g.label('ethereum', evmAddress(g.rand), 'payroll-platform', INTEL);
  t1(g); t2(g); t9(g); t10(g); t11(g); background(g, 150);
  return { lines: g.lines(), truth: g.truth };
}

// ---------------------------------------------------------------- scoring
const RANK: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };
function score(truthFile: string, alertsFile: string): void {
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
  const alerts = readFileSync(alertsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { subject: { accountId: string }; typology: string; severity: string; ruleId: string; score: number });
  const by = new Map<string, typeof alerts>();
  for (const a of alerts) by.set(a.subject.accountId, [...(by.get(a.subject.accountId) ?? []), a]);
  const rows: Record<string, { planted: number; caught: number; atSeverity: number; wrong: number }> = {};
  for (const [acct, p] of Object.entries(truth.planted)) {
    const key = p.scenario.split(/[ :]/)[0]!;
    const r = (rows[key] ??= { planted: 0, caught: 0, atSeverity: 0, wrong: 0 });
    r.planted++;
    const mine = by.get(acct) ?? [];
    const hit = mine.filter((a) => a.typology === p.typology && RANK[a.severity]! >= 1);
    const best = hit.reduce((m, a) => Math.max(m, RANK[a.severity]!), -1);
    const others = mine.filter((a) => a.typology !== p.typology && RANK[a.severity]! >= 1);
    let verdict = 'MISSED';
    if (hit.length) { r.caught++; verdict = best >= RANK[p.severity]! ? 'caught' : 'caught-below-doc-severity'; if (best >= RANK[p.severity]!) r.atSeverity++; }
    else if (others.length) { r.wrong++; verdict = 'WRONG-TYPOLOGY'; }
    const seen = mine.map((a) => `${a.ruleId}:${a.severity}(${a.score})`).join(' ') || '-';
    console.log(`${verdict.padEnd(26)} ${acct}  want ${p.typology}/${p.severity}  ${p.scenario}${p.known ? `  [known: ${p.known}]` : ''}\n${''.padEnd(28)}got ${seen}`);
  }
  let fp = 0; let fpLook = 0; let nLook = 0;
  for (const [acct, why] of Object.entries(truth.benign)) {
    const bad = (by.get(acct) ?? []).filter((a) => RANK[a.severity]! >= 1);
    if (why !== 'background retail') nLook++;
    if (bad.length) { fp++; if (why !== 'background retail') fpLook++; console.log(`FALSE-POSITIVE             ${acct}  ${why}\n${''.padEnd(28)}got ${bad.map((a) => `${a.ruleId}:${a.severity}(${a.score})`).join(' ')}`); }
  }
  console.log('\nper typology: caught(>=medium) / at doc severity / wrong typology / planted');
  for (const [k, r] of Object.entries(rows)) console.log(`  ${k.padEnd(5)} ${r.caught}/${r.planted}  at-severity ${r.atSeverity}/${r.planted}  wrong ${r.wrong}`);
  console.log(`benign accounts with an alert at medium or above: ${fp} of ${Object.keys(truth.benign).length} (look-alikes ${fpLook} of ${nLook}); alerts ${alerts.length}`);
}

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (process.argv.includes('--score')) score(arg('truth')!, arg('alerts')!);
else {
  const seed = Number(arg('seed') ?? 1); const out = arg('out') ?? `/tmp/qa-x${seed}`;
  const { lines, truth } = generate(seed);
  writeFileSync(`${out}.jsonl`, lines.join('\n') + '\n');
  writeFileSync(`${out}.truth.json`, JSON.stringify(truth, null, 1) + '\n');
  console.log(`${out}.jsonl: ${lines.length} lines, ${Object.keys(truth.planted).length} planted, ${Object.keys(truth.benign).length} benign`);
}
