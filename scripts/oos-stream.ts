/**
 * Out-of-sample stream generator (session 60), written from ../shared/contract/events.md and
 * ../shared/docs/typologies.md alone — not from src/simulate/, rules/ or examples/ — so that
 * detection can be measured on streams the rules were not tuned on.
 *
 *   npx tsx scripts/oos-stream.ts --seed 3 --out /tmp/oos3.jsonl --truth /tmp/oos3.truth.json
 *   node dist/cli/main.js replay /tmp/oos3.jsonl --truth /tmp/oos3.truth.json
 *   --ordered: the same stream without the disorder (no redeliveries, chain records at their block time), for A/B.
 *   --aggregator-days=N: the T8 aggregator's first deposit N days after T4 (B)'s first payday (default 20;
 *     -30 puts its whole run before the workers' sweeps make consB a consolidation).
 *
 * Deliberate choices (different from the sample and from earlier QA generators): salaries paid
 * bi-weekly or semi-monthly (15th and last day), on Tron (base58), BSC (18-decimal USDT),
 * Polygon, Arbitrum and Base, USDT and USDC; plants start in different months (Jan–Jun 2026);
 * many benign look-alikes per typology; logins are most of the traffic. Event-time disorder:
 * 2% of exchange messages are redelivered (same eventId) minutes to hours later, and a chain
 * record that an exchange deposit references is written a few minutes after that deposit.
 * No deposit has `from: []`. Truth is in examples/truth.json's form, plus `plants` (each planted
 * account's scenario) for reading misses.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { seed: { type: 'string', default: '1' }, out: { type: 'string' }, truth: { type: 'string' }, ordered: { type: 'boolean', default: false }, 'aggregator-days': { type: 'string', default: '20' } } });
if (!args.out || !args.truth) throw new Error('usage: oos-stream.ts --seed N --out FILE --truth TRUTH.json');
const SEED = Number(args.seed);

// ---------- randomness, time, addresses ----------
let rs = (SEED * 2654435761) >>> 0 || 1;
function rnd(): number { rs = (rs + 0x6d2b79f5) >>> 0; let t = rs; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
const between = (a: number, b: number): number => a + (b - a) * rnd();
const int = (a: number, b: number): number => Math.floor(between(a, b + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const hex = (bytes: number): string => Array.from({ length: bytes }, () => int(0, 255).toString(16).padStart(2, '0')).join('');
const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);
const iso = (ms: number): string => new Date(Math.round(ms)).toISOString();
const money = (x: number): string => x.toFixed(2);

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
function base58check(payload: Buffer): string {
  const full = Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]);
  let n = BigInt('0x' + full.toString('hex')), s = '';
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
  for (const byte of full) { if (byte !== 0) break; s = '1' + s; }
  return s;
}
function tronHex20(base58: string): string { // the 20 address bytes of a T… address
  let n = 0n; for (const c of base58) n = n * 58n + BigInt(B58.indexOf(c));
  return n.toString(16).padStart(50, '0').slice(2, 42);
}
type Chain = 'tron' | 'bsc' | 'polygon' | 'arbitrum' | 'base' | 'ethereum';
const EVM_CHAINS: Chain[] = ['bsc', 'polygon', 'arbitrum', 'base'];
const STABLE: Record<Chain, { asset: string; contract: string; decimals: number }> = {
  tron: { asset: 'USDT', contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', decimals: 6 },
  bsc: { asset: 'USDT', contract: '0x55d398326f99059ff775485246999027b3197955', decimals: 18 },
  polygon: { asset: 'USDC', contract: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', decimals: 6 },
  arbitrum: { asset: 'USDC', contract: '0xaf88d065e77c8cc2239327c5edb3a432268e5831', decimals: 6 },
  base: { asset: 'USDC', contract: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913', decimals: 6 },
  ethereum: { asset: 'USDC', contract: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', decimals: 6 },
};
const addr = (chain: Chain): string => chain === 'tron' ? base58check(Buffer.from('41' + hex(20), 'hex')) : '0x' + hex(20);
const toHex41 = (tron: string): string => '41' + tronHex20(tron);
const word = (a: string): string => '0x' + (a.startsWith('0x') ? a.slice(2) : tronHex20(a)).toLowerCase().padStart(64, '0');
const txHashFor = (chain: Chain): string => chain === 'tron' ? hex(32) : '0x' + hex(32);
// Real OFAC SDN addresses from ../shared/data/ofac/dprk-linked.json (DPRK programs), matched by the bundled list.
const SDN_TRON = 'TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz';
const SDN_EVM = '0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c'; // listed for ARB and BSC

// ---------- output ----------
interface Line { at: number; seq: number; msg: Record<string, unknown> }
const lines: Line[] = [];
let seq = 0, eventNo = 0, block = 40_000_000;
const emit = (at: number, msg: Record<string, unknown>): void => { lines.push({ at, seq: seq++, msg }); };
const eventId = (p: string): string => `${p}-${SEED}-${(++eventNo).toString(36)}`;

interface Account { id: string; type: 'individual' | 'business'; kyc: string; createdAt: number; device: string; ip: string; ipCountry: string; depositAddr: Partial<Record<Chain, string>> }
interface Session { ip: string; ipCountry: string; vpn: boolean; vpnProvider?: string; deviceId?: string }
const accounts: Account[] = [];
function account(kyc = 'US', createdAt = T0 - int(60, 700) * DAY, type: Account['type'] = 'individual'): Account {
  const a: Account = { id: `acct-${hex(5)}`, type, kyc, createdAt, device: `dev-${hex(6)}`, ip: `${int(23, 198)}.${int(0, 255)}.${int(0, 255)}.${int(2, 250)}`, ipCountry: kyc, depositAddr: {} };
  accounts.push(a);
  return a;
}
const homeSession = (a: Account): Session => ({ ip: a.ip, ipCountry: a.ipCountry, vpn: false, deviceId: a.device });
const riskySession = (a: Account, country: string, vpnProvider?: string): Session =>
  ({ ip: `${int(5, 95)}.${int(0, 255)}.${int(0, 255)}.${int(2, 250)}`, ipCountry: country, vpn: !!vpnProvider, ...(vpnProvider ? { vpnProvider } : {}), deviceId: a.device });
const depositAddress = (a: Account, chain: Chain): string => (a.depositAddr[chain] ??= chain === 'tron' ? addr('tron') : (a.depositAddr.bsc ??= addr('bsc')));

function label(chain: Chain, address: string, lab: string, entity: string, at = T0 - 10 * DAY): void {
  emit(at, { schema: 'intel.label.v1', chain, address, label: lab, entity, source: 'oos-intel', confidence: 0.9, observedAt: iso(at) });
}
function login(a: Account, at: number, s: Session = homeSession(a)): void {
  emit(at, { schema: 'exchange.login.v1', eventId: eventId('lg'), occurredAt: iso(at), accountId: a.id, ip: s.ip, ipCountry: s.ipCountry, vpn: s.vpn, ...(s.vpnProvider ? { vpnProvider: s.vpnProvider } : {}), ...(s.deviceId ? { deviceId: s.deviceId } : {}) });
}
function tokenLog(chain: Chain, at: number, from: string, to: string, amount: number, hash = txHashFor(chain), emitAt = at): void {
  const st = STABLE[chain];
  const units = BigInt(Math.round(amount * 1e6)) * 10n ** BigInt(st.decimals - 6);
  emit(emitAt, { schema: 'chain.evm.log.v1', chain, txHash: hash, logIndex: int(0, 40), blockNumber: block++, blockTime: iso(at), address: st.contract,
    topics: ['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', word(from), word(to)], data: '0x' + units.toString(16).padStart(64, '0') });
}
function nativeTx(chain: Chain, at: number, from: string, to: string, wei: string): void {
  emit(at, { schema: 'chain.evm.tx.v1', chain, hash: txHashFor(chain), blockNumber: block++, blockTime: iso(at), from, to, value: wei });
}
interface Move { chain: Chain; amount: number; asset?: string; session?: Session; status?: 'requested' | 'completed'; onChain?: boolean }
/** A deposit; its chain log (when onChain) is written a few minutes after the exchange event. */
function deposit(a: Account, at: number, from: string, m: Move): void {
  const asset = m.asset ?? STABLE[m.chain].asset, hash = txHashFor(m.chain), to = depositAddress(a, m.chain);
  emit(at, { schema: 'exchange.transfer.v1', eventId: eventId('dp'), kind: 'deposit', status: 'completed', occurredAt: iso(at), accountId: a.id, chain: m.chain, asset,
    amount: money(m.amount), usdValue: m.amount, txHash: hash, from: [from], to, ...(m.session ? { session: m.session } : {}), customer: customer(a) });
  if (m.onChain && asset === STABLE[m.chain].asset) { const blockAt = at - int(2, 9) * MIN, seenAt = at + int(2, 8) * MIN; tokenLog(m.chain, blockAt, from, to, m.amount, hash, args.ordered ? blockAt : seenAt); }
}
function withdraw(a: Account, at: number, to: string, m: Move): void {
  const asset = m.asset ?? STABLE[m.chain].asset, status = m.status ?? 'completed', hash = status === 'completed' ? txHashFor(m.chain) : undefined;
  emit(at, { schema: 'exchange.transfer.v1', eventId: eventId('wd'), kind: 'withdrawal', status, occurredAt: iso(at), accountId: a.id, chain: m.chain, asset,
    amount: money(m.amount), usdValue: m.amount, ...(hash ? { txHash: hash } : {}), from: [hotWallet(m.chain)], to, session: m.session ?? homeSession(a), customer: customer(a) });
  if (hash && m.onChain) tokenLog(m.chain, at + int(1, 6) * MIN, hotWallet(m.chain), to, m.amount, hash);
}
const HOT: Partial<Record<Chain, string>> = {};
const hotWallet = (c: Chain): string => (HOT[c] ??= addr(c));
const customer = (a: Account): Record<string, string> => ({ type: a.type, kycCountry: a.kyc, createdAt: iso(a.createdAt) });

/** Background logins: every 1–5 days from home over [from, to]; most of the stream is these. */
function routineLogins(a: Account, from: number, to: number, s?: (at: number) => Session): void {
  for (let t = Math.max(from, a.createdAt) + between(0, 2) * DAY; t < to; t += between(0.6, 4) * DAY) login(a, t, s ? s(t) : homeSession(a));
}
// ---------- schedules ----------
const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
function semiMonthly(startMonth: number, n: number): number[] { // 15th and last day, 16:00Z
  const out: number[] = [];
  for (let m = startMonth; out.length < n; m++) { out.push(Date.UTC(2026, m, 15, 16)); if (out.length < n) out.push(Date.UTC(2026, m, lastDay(2026, m), 16)); }
  return out;
}
const biWeekly = (first: number, n: number): number[] => Array.from({ length: n }, (_, i) => first + i * 14 * DAY + between(-3, 3) * HOUR);
const monthly = (startMonth: number, day: number, n: number): number[] => Array.from({ length: n }, (_, i) => Date.UTC(2026, startMonth + i, day, int(8, 18)));
const schedule = (): number[] => rnd() < 0.5 ? semiMonthly(int(0, 2), int(4, 6)) : biWeekly(T0 + int(0, 60) * DAY + 15 * HOUR, int(4, 6));
const stableChain = (): Chain => pick<Chain>(['tron', 'tron', 'bsc', 'polygon', 'arbitrum', 'base']);

// ---------- truth ----------
const truth = { profile: 'oos', seed: SEED, accounts: {} as Record<string, string[]>, allowed: {} as Record<string, string[]>, benign: [] as string[], lookalikes: {} as Record<string, string>, sanctionsDirect: [] as string[], plants: {} as Record<string, string> };
let scenario = '';
const plant = (a: Account, typologies: string[], allowed: string[] = []): void => { truth.accounts[a.id] = typologies; truth.plants[a.id] = scenario; if (allowed.length) truth.allowed[a.id] = allowed; };
const benign = (a: Account, why: string): void => { truth.benign.push(a.id); truth.lookalikes[a.id] = why; };
const FLOW_ALLOWED = ['pass-through', 'chain-hop', 'high-risk-service'];

// ---------- services seen by everyone ----------
const platforms = ['tron', 'polygon', 'base', 'arbitrum', 'bsc'].map((c) => ({ chain: c as Chain, wallet: addr(c as Chain), name: pick(['Deel', 'Remote', 'Toku', 'Rise', 'Bitwage']) }));
platforms.forEach((p) => label(p.chain, p.wallet, 'payroll-platform', p.name));
const exchangeDeposits = Array.from({ length: 4 }, () => { const c = pick<Chain>(['tron', 'bsc', 'polygon']); const w = addr(c); label(c, w, 'exchange', pick(['Kraken', 'OKX', 'Bybit'])); return { chain: c, addr: w }; });
const otcTron = addr('tron'); label('tron', otcTron, 'otc-desk', 'Huione-style OTC');
const bridgeArb = addr('arbitrum'); label('arbitrum', bridgeArb, 'bridge', 'Across');
const bridgeBase = addr('base'); label('base', bridgeBase, 'bridge', 'Stargate');
const casino = addr('polygon'); label('polygon', casino, 'gambling', 'Polygon casino');
const END = Date.UTC(2026, 6, 10);
const platformOn = (c: Chain) => platforms.find((p) => p.chain === c) ?? platforms[0]!;

const smallDeposit = (a: Account, at: number): void => { const c = stableChain(); deposit(a, at, addr(c), { chain: c, amount: between(40, 900) }); };
// ================= PLANTS =================
scenario = 'T1 direct';
// T1 direct (a real SDN Tron address as sender; the SDN EVM address on Base as a requested withdrawal;
// our own `sanctioned` label given in base58 while the transfer carries 41… hex; `dprk-linked` on BSC).
{
  const a1 = account('DE'); const t = Date.UTC(2026, int(0, 5), int(1, 27), int(0, 23));
  routineLogins(a1, t - 40 * DAY, t + 20 * DAY); deposit(a1, t, SDN_TRON, { chain: 'tron', amount: between(1500, 6000) });
  const a2 = account('US'); const t2 = Date.UTC(2026, int(0, 5), int(1, 27), 11);
  routineLogins(a2, t2 - 30 * DAY, t2 + 5 * DAY); withdraw(a2, t2, SDN_EVM, { chain: 'base', amount: 4200, status: 'requested' });
  const a3 = account('GB'); const sTron = addr('tron'); label('tron', sTron, 'sanctioned', 'OFAC SDN (intel copy)');
  const t3 = Date.UTC(2026, int(1, 5), 9, 3); routineLogins(a3, t3 - 20 * DAY, t3 + 20 * DAY); withdraw(a3, t3, toHex41(sTron), { chain: 'tron', amount: 2750 });
  const a4 = account('SG'); const dBsc = addr('bsc'); label('bsc', dBsc, 'dprk-linked', 'IT-worker aggregator');
  const t4 = Date.UTC(2026, int(0, 5), 20, 8); routineLogins(a4, t4 - 20 * DAY, t4 + 20 * DAY); deposit(a4, t4, dBsc.toUpperCase().replace('0X', '0x'), { chain: 'bsc', amount: 880 });
  for (const a of [a1, a2, a3, a4]) { plant(a, ['sanctions-exposure'], FLOW_ALLOWED); truth.sanctionsDirect.push(a.id); }
}
scenario = 'T2 indirect';
// T2 indirect: downstream 2 hops on Tron to the real SDN address; upstream 1 hop on Polygon.
{
  const a = account('NL'); const t = Date.UTC(2026, int(1, 4), int(2, 25), 14); const A = addr('tron'), B = addr('tron');
  routineLogins(a, t - 30 * DAY, t + 30 * DAY); deposit(a, t - 3 * DAY, platformOn('tron').wallet, { chain: 'tron', amount: 9400 });
  withdraw(a, t, A, { chain: 'tron', amount: 9000, onChain: true });
  tokenLog('tron', t + 6 * HOUR, A, B, 8950); tokenLog('tron', t + 2.2 * DAY, B, SDN_TRON, 8900);
  plant(a, ['sanctions-exposure'], FLOW_ALLOWED);
  const u = account('FR'); const tu = Date.UTC(2026, int(0, 4), int(2, 25), 10); const X = addr('polygon'), Y = addr('polygon');
  label('polygon', Y, 'sanctioned', 'OFAC SDN (intel copy)'); tokenLog('polygon', tu - 4 * DAY, Y, X, 12_000);
  routineLogins(u, tu - 30 * DAY, tu + 30 * DAY); deposit(u, tu, X, { chain: 'polygon', amount: 11_900, onChain: true });
  plant(u, ['sanctions-exposure'], FLOW_ALLOWED);
}
scenario = 'T3 payroll + T6 session';
// T3 payroll with a T6 modifier: bi-weekly or semi-monthly salary from a labelled platform, 85–98% out
// within 4–40 h to a fresh personal-looking address, money-moving sessions from CN/RU/LA/VN or Astrill.
for (let i = 0; i < 4; i++) {
  const w = account(pick(['US', 'GB', 'CA', 'DE'])); const chain = stableChain(); const p = platformOn(chain); const out = addr(chain);
  const dates = schedule(); const base = between(2600, 9400);
  const sess = [riskySession(w, 'RU', 'Astrill VPN'), riskySession(w, 'CN'), riskySession(w, 'LA'), riskySession(w, 'VN', 'NordVPN')][i]!;
  routineLogins(w, dates[0]! - 20 * DAY, dates.at(-1)! + 20 * DAY, () => (rnd() < 0.3 ? sess : homeSession(w)));
  for (const d of dates) {
    const amt = base * between(0.9, 1.1); deposit(w, d, p.wallet, { chain, amount: amt, onChain: rnd() < 0.5 });
    login(w, d + between(3, 30) * HOUR, sess); withdraw(w, d + between(4, 40) * HOUR, out, { chain, amount: amt * between(0.85, 0.98), session: sess });
  }
  plant(w, ['dprk-it-payroll'], FLOW_ALLOWED);
}
scenario = 'T4 consolidation';
// T4 consolidation: (A) three workers, unlabelled employers, to one Polygon address; (B) four workers to
// four Tron addresses that each sweep on-chain to one consolidation address within a day.
const consA = addr('polygon'), consB = addr('tron');
let consBFirstPay = 0; // S7's aggregator comes after S4's consolidation is established
{
  const startA = int(1, 3);
  for (let i = 0; i < 3; i++) {
    const w = account(pick(['US', 'CA', 'AU'])); const employer = addr('polygon'); const dates = monthly(startA, int(1, 5), 3);
    routineLogins(w, dates[0]! - 20 * DAY, dates.at(-1)! + 15 * DAY);
    for (const d of dates) { const amt = between(3500, 7800); deposit(w, d, employer, { chain: 'polygon', amount: amt }); withdraw(w, d + between(5, 44) * HOUR, consA, { chain: 'polygon', amount: amt * between(0.91, 0.99), onChain: true }); }
    plant(w, ['dprk-consolidation'], ['dprk-it-payroll', ...FLOW_ALLOWED]);
  }
  const dates = semiMonthly(int(2, 4), 3); consBFirstPay = dates[0]!;
  for (let i = 0; i < 4; i++) {
    const w = account(pick(['US', 'GB', 'PL', 'US'])); const employer = addr('tron'); const mine = addr('tron');
    routineLogins(w, dates[0]! - 20 * DAY, dates.at(-1)! + 15 * DAY);
    for (const d of dates) {
      const amt = between(3000, 6500), at = d + between(2, 40) * HOUR, sent = amt * between(0.92, 0.99);
      deposit(w, d, employer, { chain: 'tron', amount: amt }); withdraw(w, at, mine, { chain: 'tron', amount: sent, onChain: true });
      tokenLog('tron', at + between(1, 20) * HOUR, mine, consB, sent - 1);
    }
    plant(w, ['dprk-consolidation'], ['dprk-it-payroll', ...FLOW_ALLOWED]);
  }
}
scenario = 'T5 linkage';
// T5 linkage: a laptop farm of four identities on one device; three identities declaring US, GB and DE
// logging in within one day from one RU address (none of their countries).
{
  const dev = `dev-${hex(6)}`; const t = Date.UTC(2026, int(1, 5), 3);
  for (const k of ['US', 'US', 'CA', 'US']) { const a = account(k); a.device = dev; routineLogins(a, t, t + 10 * DAY); smallDeposit(a, t + between(1, 9) * DAY); plant(a, ['account-linkage']); }
  const ip = `${int(31, 95)}.${int(0, 255)}.${int(0, 255)}.${int(2, 250)}`; const t2 = Date.UTC(2026, int(0, 5), 12, 1);
  for (const k of ['US', 'GB', 'DE']) { const a = account(k); routineLogins(a, t2 - 30 * DAY, t2 + 30 * DAY); login(a, t2 + between(0, 20) * HOUR, { ip, ipCountry: 'RU', vpn: false, deviceId: a.device }); smallDeposit(a, t2 - between(2, 20) * DAY); plant(a, ['account-linkage']); }
}
scenario = 'T7 chain hop';
// T7 chain hop: USDC on Arbitrum in, USDT on Tron out to an OTC desk within a day; USDT on BSC in, USDC
// on Base out to a bridge; USDC on Polygon in, USDT on BSC out to a fresh address that pays the OTC desk's
// Tron twin later (seen only on-chain: onward to a laundering cluster on BSC labelled mixer).
{
  const mixerBsc = addr('bsc'); label('bsc', mixerBsc, 'mixer', 'BSC mixer');
  const cases: [Chain, Chain, () => string][] = [['arbitrum', 'tron', () => otcTron], ['bsc', 'base', () => bridgeBase], ['polygon', 'bsc', () => addr('bsc')]];
  for (const [inC, outC, dest] of cases) {
    const a = account(pick(['US', 'IE', 'SG'])); const t = Date.UTC(2026, int(0, 5), int(1, 26), int(0, 23)); const amt = between(4000, 14_000); const to = dest();
    routineLogins(a, t - 25 * DAY, t + 20 * DAY); deposit(a, t, addr(inC), { chain: inC, amount: amt, onChain: true });
    withdraw(a, t + between(3, 20) * HOUR, to, { chain: outC, amount: amt * 0.97, onChain: true });
    if (outC === 'bsc') tokenLog('bsc', t + 1.5 * DAY, to, mixerBsc, amt * 0.96);
    plant(a, ['chain-hop'], ['pass-through', 'high-risk-service', 'mixer-exposure', 'sanctions-exposure']);
  }
}
scenario = 'pass-through';
// Pass-through: $15–60k in, 97–99.5% out within 1–5 h to a fresh address (two over a CN Astrill session).
for (let i = 0; i < 3; i++) {
  const a = account('US'); const chain = stableChain(); const t = Date.UTC(2026, int(0, 5), int(1, 27), int(0, 23)); const amt = between(15_000, 60_000);
  const s = i < 2 ? riskySession(a, 'CN', 'Astrill VPN') : homeSession(a);
  routineLogins(a, t - 30 * DAY, t + 10 * DAY); deposit(a, t, addr(chain), { chain, amount: amt, session: s });
  withdraw(a, t + between(1, 5) * HOUR, addr(chain), { chain, amount: amt * between(0.97, 0.995), session: s });
  plant(a, ['pass-through'], ['chain-hop', 'high-risk-service']);
}
scenario = 'structuring';
// Structuring: five withdrawals of $9,300–9,950 over three days to different addresses; four deposits
// of $9,100–9,900 over four days from different senders.
{
  const a = account('US'); const t = Date.UTC(2026, int(1, 5), 4, 9); routineLogins(a, t - 20 * DAY, t + 10 * DAY);
  deposit(a, t - 2 * DAY, addr('base'), { chain: 'base', amount: 52_000 });
  for (let k = 0; k < 5; k++) withdraw(a, t + k * 14 * HOUR, addr('base'), { chain: 'base', amount: between(9300, 9950) });
  plant(a, ['structuring'], FLOW_ALLOWED);
  const b = account('CA'); const tb = Date.UTC(2026, int(0, 4), 18, 12); routineLogins(b, tb - 20 * DAY, tb + 10 * DAY);
  for (let k = 0; k < 4; k++) deposit(b, tb + k * DAY + between(0, 6) * HOUR, addr('tron'), { chain: 'tron', amount: between(9100, 9900) });
  plant(b, ['structuring'], FLOW_ALLOWED);
}
scenario = 'T9 payer side';
// T9 payer side: a business paid a contractor semi-monthly, then requests 180,000 USDC on Arbitrum to an
// address first seen 3 days earlier, funded with gas by the contractor's address (reverse link). Variant:
// a round 250,000 USDT on Tron to a fresh address, no link (medium by the research).
{
  const b = account('US', T0 - 400 * DAY, 'business'); const treasury = addr('arbitrum'); const contractor = addr('arbitrum'); const pay = semiMonthly(0, 6);
  routineLogins(b, T0, Date.UTC(2026, 5, 1));
  for (const d of pay) { deposit(b, d - 20 * HOUR, treasury, { chain: 'arbitrum', amount: 6500 }); withdraw(b, d, contractor, { chain: 'arbitrum', amount: 6000 }); }
  const t = Date.UTC(2026, 4, 6, 15); const fresh = addr('arbitrum');
  nativeTx('arbitrum', t - 3 * DAY, contractor, fresh, '2000000000000000');
  deposit(b, t - 10 * HOUR, addr('arbitrum'), { chain: 'arbitrum', amount: 180_000 });
  withdraw(b, t, fresh, { chain: 'arbitrum', amount: 180_000, status: 'requested' });
  plant(b, ['extortion-payment'], ['dprk-consolidation', 'sanctions-exposure', ...FLOW_ALLOWED]);
  const b2 = account('GB', T0 - 300 * DAY, 'business'); const t2 = Date.UTC(2026, int(2, 5), 21, 13); routineLogins(b2, t2 - 60 * DAY, t2 + 10 * DAY);
  for (let k = 1; k <= 4; k++) withdraw(b2, t2 - k * 30 * DAY, exchangeDeposits[0]!.addr, { chain: exchangeDeposits[0]!.chain, amount: between(2000, 4000) });
  deposit(b2, t2 - 20 * HOUR, addr('tron'), { chain: 'tron', amount: 251_000 });
  withdraw(b2, t2, addr('tron'), { chain: 'tron', amount: 250_000, status: 'requested' });
  plant(b2, ['extortion-payment'], ['dprk-consolidation', 'sanctions-exposure', ...FLOW_ALLOWED]);
}
scenario = 'T10 receiver side';
// T10 receiver side: paid on Base by employer E bi-weekly, a gap, then 95,000 USDC from an address E
// funded, forwarded within 6 h to a fresh Tron address (USDT).
{
  const w = account('US'); const E = addr('base'); const dates = biWeekly(T0 + 10 * DAY, 5); const X = addr('base');
  routineLogins(w, T0, Date.UTC(2026, 5, 20));
  for (const d of dates) { const amt = between(5200, 5600); deposit(w, d, E, { chain: 'base', amount: amt }); withdraw(w, d + between(2, 9) * DAY, addr('base'), { chain: 'base', amount: amt * 0.6 }); }
  const t = dates.at(-1)! + 55 * DAY; tokenLog('base', t - 5 * DAY, E, X, 100);
  deposit(w, t, X, { chain: 'base', amount: 95_000, onChain: true }); withdraw(w, t + 6 * HOUR, addr('tron'), { chain: 'tron', asset: 'USDT', amount: 93_800 });
  plant(w, ['extortion-payment'], ['dprk-it-payroll', 'dprk-consolidation', 'sanctions-exposure', ...FLOW_ALLOWED]);
}
// T12 facilitator hub: US KYC, US IP, no VPN, five unlabelled employers within 40 days, each paid on
// 75–90% within 1–4 days to new addresses; on Base with no second factor, on Polygon with every other
// forward to the T4 consolidation address consA (S11; it may pay consA before or after the workers do).
// T8 aggregator (S7), after T4's consolidation is established: a new account, 12 Tron sender clusters
// in 28 days, two of them suspect (consB, and an address one hop from the SDN Tron address), 95% of each
// pair of deposits out to the OTC desk within two days.
{
  for (const chain of ['base', 'polygon'] as Chain[]) { // on Base: no second factor at all; on Polygon: one forward goes to consA (S11)
    const f = account('US'); const t = Date.UTC(2026, int(1, 4), 2, 15); routineLogins(f, t - 30 * DAY, t + 60 * DAY);
    for (let k = 0; k < 5; k++) { const d = t + k * 8 * DAY + between(0, 2) * DAY; const amt = between(3200, 7900); deposit(f, d, addr(chain), { chain, amount: amt }); withdraw(f, d + between(1, 4) * DAY, chain === 'polygon' && k % 2 ? consA : addr(chain), { chain, amount: amt * between(0.75, 0.9) }); }
    scenario = chain === 'polygon' ? 'T12 hub, one forward to a consolidation address (S11)' : 'T12 hub, no second factor';
    plant(f, ['dprk-it-payroll'], ['dprk-consolidation', ...FLOW_ALLOWED]);
  }
  const tg = consBFirstPay + Number(args['aggregator-days']) * DAY; const g = account('AE', tg - 15 * DAY); const exposed = addr('tron'); tokenLog('tron', tg - 6 * DAY, SDN_TRON, exposed, 20_000); routineLogins(g, tg - 10 * DAY, tg + 30 * DAY);
  let prev = 0;
  for (let k = 0; k < 14; k++) { const d = tg + k * 2 * DAY + between(0, 12) * HOUR; const amt = between(2000, 9000); deposit(g, d, k === 1 || k === 7 ? consB : k === 2 || k === 8 ? exposed : addr('tron'), { chain: 'tron', amount: amt });
    if (k % 2) withdraw(g, d + between(6, 40) * HOUR, otcTron, { chain: 'tron', amount: (amt + prev) * 0.95 }); prev = amt; }
  scenario = 'T8 aggregator (S7)';
  plant(g, ['dprk-it-payroll'], ['dprk-consolidation', 'sanctions-exposure', ...FLOW_ALLOWED]);
}

// ================= BENIGN LOOK-ALIKES =================
// Freelancers paid by a labelled platform who keep their money and withdraw now and then to their wallet.
for (let i = 0; i < 30; i++) {
  const a = account(pick(['US', 'GB', 'DE', 'PH', 'BR', 'NG', 'IN'])); const chain = stableChain(); const own = addr(chain); const dates = schedule();
  routineLogins(a, T0 - 5 * DAY, END);
  withdraw(a, dates[0]! - 40 * DAY, own, { chain, amount: between(100, 400) });
  for (const [k, d] of dates.entries()) { const amt = between(1800, 7000); deposit(a, d, platformOn(chain).wallet, { chain, amount: amt, onChain: rnd() < 0.3 }); if (k % 2) withdraw(a, d + between(6, 25) * DAY, own, { chain, amount: amt * between(0.3, 0.7) }); }
  benign(a, 'paid by a payroll platform bi-weekly or semi-monthly, keeps most, withdraws to its own wallet');
}
// Salary forwarded within a day to the person's own wallet used for months before the salary began.
for (let i = 0; i < 10; i++) {
  const a = account(pick(['US', 'ES', 'AR', 'UA'])); const chain = stableChain(); const own = addr(chain); const dates = schedule();
  routineLogins(a, T0 - 5 * DAY, END);
  for (let k = 1; k <= 4; k++) withdraw(a, dates[0]! - k * 25 * DAY - 100 * DAY * (k > 2 ? 1 : 0), own, { chain, amount: between(200, 1500) });
  for (const d of dates) { const amt = between(2500, 6000); deposit(a, d, platformOn(chain).wallet, { chain, amount: amt }); withdraw(a, d + between(2, 20) * HOUR, own, { chain, amount: amt * between(0.9, 0.99) }); }
  benign(a, 'salary forwarded within a day to its own wallet used long before the salary');
}
// P2P traders: many small in-and-out cycles with many counterparties, on Tron and BSC.
for (let i = 0; i < 6; i++) {
  const a = account(pick(['NG', 'VN', 'TR', 'KE', 'PH'])); routineLogins(a, T0, END, () => homeSession(a));
  let t = T0 + int(0, 30) * DAY;
  for (let k = 0; k < 40; k++, t += between(0.5, 4) * DAY) { const c = pick<Chain>(['tron', 'bsc']); const amt = between(120, 2500); deposit(a, t, addr(c), { chain: c, amount: amt }); withdraw(a, t + between(0.3, 10) * HOUR, addr(c), { chain: c, amount: amt * between(1.005, 1.03) }); }
  benign(a, 'P2P trader: many small fast cycles with many counterparties');
}
// Households: two or three identities on one device and home IP, one declared country.
for (let i = 0; i < 8; i++) {
  const k = pick(['US', 'DE', 'JP', 'BR']); const members = Array.from({ length: int(2, 3) }, () => account(k));
  for (const m of members) { m.device = members[0]!.device; m.ip = members[0]!.ip; routineLogins(m, T0, END); const c = stableChain(); deposit(m, T0 + int(5, 150) * DAY, addr(c), { chain: c, amount: between(50, 3000) }); benign(m, 'household: shared device and home IP, one country'); }
}
// Travellers on hotel Wi-Fi: three to five guests from different countries on one hotel IP in a day.
for (let i = 0; i < 4; i++) {
  const ip = `${int(100, 200)}.${int(0, 255)}.${int(0, 255)}.${int(2, 250)}`; const country = pick(['TH', 'PT', 'MX', 'ID']); const day = T0 + int(10, 170) * DAY;
  for (let j = int(3, 5); j > 0; j--) { const a = account(pick(['US', 'GB', 'DE', 'JP', 'AU', 'CA'])); routineLogins(a, T0, END); login(a, day + between(0, 20) * HOUR, { ip, ipCountry: country, vpn: false, deviceId: a.device }); benign(a, `traveller on hotel Wi-Fi in ${country}`); }
}
// Businesses paying suppliers $20–90k monthly, funded the day before; suppliers have on-chain history.
for (let i = 0; i < 4; i++) {
  const b = account(pick(['US', 'GB', 'SG']), T0 - 500 * DAY, 'business'); const chain = pick<Chain>(['polygon', 'arbitrum', 'tron']);
  const suppliers = [addr(chain), addr(chain)]; suppliers.forEach((s) => { for (let k = 0; k < 3; k++) tokenLog(chain, T0 - int(30, 300) * DAY, addr(chain), s, between(5000, 60_000)); });
  routineLogins(b, T0, END);
  for (let m = 0; m < 6; m++) { const d = Date.UTC(2026, m, 10, 14); const amt = between(20_000, 90_000); deposit(b, d - 22 * HOUR, addr(chain), { chain, amount: amt * 1.02 }); withdraw(b, d, suppliers[m % 2]!, { chain, amount: Math.round(amt) }); }
  benign(b, 'business paying two regular suppliers, funded the day before');
}
// Exchange customers sending to labelled deposit addresses of another exchange.
for (let i = 0; i < 16; i++) {
  const a = account(pick(['US', 'FR', 'IT', 'KR'])); const ex = pick(exchangeDeposits); routineLogins(a, T0, END);
  for (let k = 0; k < 3; k++) { const d = T0 + int(0, 170) * DAY; const amt = between(2000, 9000); deposit(a, d, addr(ex.chain), { chain: ex.chain, amount: amt }); withdraw(a, d + between(2, 30) * HOUR, ex.addr, { chain: ex.chain, amount: amt * 0.98 }); }
  benign(a, 'withdraws to a labelled exchange deposit address shared by many customers');
}
// Gamblers: deposits back and forth with a labelled casino on Polygon.
for (let i = 0; i < 5; i++) {
  const a = account(pick(['CA', 'GB', 'AU'])); routineLogins(a, T0, END);
  for (let k = 0; k < 10; k++) { const d = T0 + int(0, 180) * DAY; withdraw(a, d, casino, { chain: 'polygon', amount: between(50, 800) }); if (rnd() < 0.4) deposit(a, d + between(1, 48) * HOUR, casino, { chain: 'polygon', amount: between(100, 2500) }); }
  benign(a, 'gambler paying a labelled casino');
}
// DeFi users: deposit from their own wallet, bridge days later (same asset, or another chain after a week).
for (let i = 0; i < 6; i++) {
  const a = account(pick(['US', 'DE', 'CH'])); const own = addr('arbitrum'); routineLogins(a, T0, END);
  for (let k = 0; k < 3; k++) { const d = T0 + int(0, 160) * DAY; const amt = between(3000, 20_000); deposit(a, d, own, { chain: 'arbitrum', amount: amt, onChain: true }); withdraw(a, d + between(4, 12) * DAY, k % 2 ? bridgeBase : bridgeArb, { chain: k % 2 ? 'base' : 'arbitrum', amount: amt * 0.99 }); }
  benign(a, 'DeFi user bridging its own funds days after deposit');
}
// Quiet retail: logins and the odd deposit (the bulk of a real customer base).
for (let i = 0; i < 120; i++) { const a = account(pick(['US', 'US', 'GB', 'DE', 'FR', 'JP', 'BR'])); routineLogins(a, T0, END); if (rnd() < 0.4) { const c = stableChain(); deposit(a, T0 + int(0, 180) * DAY, addr(c), { chain: c, amount: between(20, 2500) }); } benign(a, 'ordinary retail customer'); }

// ---------- disorder, then write ----------
const exchangeLines = lines.filter((l) => String(l.msg.schema).startsWith('exchange.'));
for (const l of exchangeLines) if (rnd() < 0.02 && !args.ordered) emit(l.at + between(1, 240) * MIN, l.msg); // redelivered, same eventId
lines.sort((a, b) => a.at - b.at || a.seq - b.seq);
writeFileSync(args.out, lines.map((l) => JSON.stringify(l.msg)).join('\n') + '\n');
writeFileSync(args.truth, JSON.stringify(truth, null, 1) + '\n');
const kinds = new Map<string, number>(); for (const l of lines) kinds.set(String(l.msg.schema), (kinds.get(String(l.msg.schema)) ?? 0) + 1);
console.error(`seed ${SEED}: ${lines.length} messages (${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')}); planted ${Object.keys(truth.accounts).length}, benign ${truth.benign.length}`);
