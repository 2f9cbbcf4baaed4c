/**
 * `tidewatch simulate`: labelled synthetic streams with planted typologies and benign lookalikes.
 * Each scenario writes its messages and what the truth says of its accounts; the stream is then
 * ordered by event time. Variants are drawn from the seed: chains (Ethereum, Tron, Bitcoin),
 * cadences, split salaries, missing usdValue, letter case, shared devices.
 */
import bs58check from 'bs58check';
import { dispersalCell, dispersalLookalikes, gasFundedCell, gasFundingLookalikes, personaRotation, personaRotationLookalikes } from './rotation-funding.js';
import { aggregatorCell, traderLookalike } from './aggregator-cells.js';
import { exposureTypologies } from './exposure-scenarios.js';
import { DAY, HOUR, USDC_ETH, USDT_ETH, USDT_TRON, bitcoinTx, btcAddress, evmAddress, label, login, nativeTx, prng, tokenLog, transfer, tronAddress, type Rand } from './builders.js';

export interface SimTruth {
  profile: string;
  seed: number;
  accounts: Record<string, string[]>;
  allowed: Record<string, string[]>;
  benign: string[];
  lookalikes: Record<string, string>;
  sanctionsDirect: string[];
}

interface Ctx {
  rand: Rand;
  out: { time: number; line: string }[];
  truth: SimTruth;
  n: number;
  start: number;
}

const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const between = (rand: Rand, lo: number, hi: number): number => lo + rand() * (hi - lo);
const id = (c: Ctx, prefix: string): string => `${prefix}-${(c.n++).toString(16).padStart(6, '0')}${Math.floor(c.rand() * 0xffff).toString(16)}`;
const emit = (c: Ctx, time: number, line: string): void => { c.out.push({ time, line }); };
const account = (c: Ctx): string => id(c, 'acct');
const homeSession = (c: Ctx, acct: string) => ({ ip: `198.51.${c.n % 250}.${Math.floor(c.rand() * 250)}`, ipCountry: 'US', vpn: false, deviceId: `dev-${acct}` });
const customer = (type: 'individual' | 'business' = 'individual') => ({ type, kycCountry: 'US', createdAt: '2024-06-01T00:00:00.000Z' });
const plant = (c: Ctx, acct: string, ...typologies: string[]): void => { c.truth.accounts[acct] = [...new Set([...(c.truth.accounts[acct] ?? []), ...typologies])]; };
const benign = (c: Ctx, acct: string, why: string): void => { c.truth.benign.push(acct); c.truth.lookalikes[acct] = why; };
/** Addresses in other letter cases: EVM sometimes all lower, sometimes checksummed form is kept. */
const maybeLower = (c: Ctx, a: string): string => (a.startsWith('0x') && c.rand() < 0.5 ? a.toLowerCase() : a);

interface Infra {
  exchangeHot: { ethereum: string; tron: string };
  otc: { ethereum: string; tron: string };
  payroll: { ethereum: string; tron: string };
}

function infrastructure(c: Ctx): Infra {
  const infra: Infra = {
    exchangeHot: { ethereum: evmAddress(c.rand), tron: tronAddress(c.rand) },
    otc: { ethereum: evmAddress(c.rand), tron: tronAddress(c.rand) },
    payroll: { ethereum: evmAddress(c.rand), tron: tronAddress(c.rand) },
  };
  for (const chain of ['ethereum', 'tron'] as const) {
    emit(c, c.start - DAY, label(chain, infra.exchangeHot[chain], 'exchange', 'Other Exchange', c.start - DAY));
    emit(c, c.start - DAY, label(chain, infra.otc[chain], 'otc-desk', 'OTC desk', c.start - DAY));
    emit(c, c.start - DAY, label(chain, infra.payroll[chain], 'payroll-platform', 'Payroll platform', c.start - DAY));
  }
  return infra;
}

/** A cell of DPRK workers paid on a cadence who forward pay to one consolidation address. */
function payrollCell(c: Ctx, infra: Infra, workers: number): string {
  const chain = pick(c.rand, ['ethereum', 'ethereum', 'tron'] as const);
  const asset = chain === 'tron' ? 'USDT' : pick(c.rand, ['USDC', 'USDT']);
  const token = chain === 'tron' ? USDT_TRON : asset === 'USDC' ? USDC_ETH : USDT_ETH;
  const consolidation = chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
  const period = pick(c.rand, [30, 30, 14]) * DAY;
  for (let w = 0; w < workers; w++) {
    const acct = account(c);
    plant(c, acct, 'dprk-it-payroll', 'dprk-consolidation');
    c.truth.allowed[acct] = ['pass-through', 'account-linkage', 'chain-hop'];
    const employer = c.rand() < 0.6 ? infra.payroll[chain] : chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
    const depositAddr = chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
    const workerAddr = chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
    const salary = Math.round(between(c.rand, 3000, 9000));
    const split = c.rand() < 0.25;
    const noUsd = c.rand() < 0.3;
    let t = c.start + between(c.rand, 0, 10) * DAY;
    const payments = 3 + Math.floor(c.rand() * 2);
    for (let p = 0; p < payments; p++) {
      const amount = salary * between(c.rand, 0.97, 1.03);
      const parts = split ? [amount * 0.6, amount * 0.4] : [amount];
      parts.forEach((part, i) => emit(c, t + i * HOUR, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t + i * HOUR, accountId: acct, chain, asset, amount: part, from: [maybeLower(c, employer)], to: depositAddr, usd: !noUsd, customer: customer() }, c.rand)));
      const out = amount * between(c.rand, 0.86, 0.97);
      const tw = t + between(c.rand, 3, 40) * HOUR;
      const session = { ip: `45.${Math.floor(c.rand() * 250)}.${Math.floor(c.rand() * 250)}.7`, ipCountry: pick(c.rand, ['CN', 'RU', 'NL', 'SG', 'AE']), vpn: true, vpnProvider: 'Astrill VPN', deviceId: `dev-${acct}` };
      emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain, asset, amount: out, to: maybeLower(c, workerAddr), usd: !noUsd, session, customer: customer() }, c.rand));
      const tf = tw + between(c.rand, 1, 12) * HOUR;
      emit(c, tf, tokenLog(chain, token, workerAddr, consolidation, out * 0.999, tf, c.rand));
      t += period + between(c.rand, -2, 2) * DAY;
    }
  }
  return consolidation;
}

/** Workers paid in BTC whose receiving addresses are later co-spent together by the controller. */
function bitcoinCell(c: Ctx, workers: number): void {
  const receiving: { address: string; sats: number }[] = [];
  let last = c.start;
  for (let w = 0; w < workers; w++) {
    const acct = account(c);
    plant(c, acct, 'dprk-consolidation');
    c.truth.allowed[acct] = ['pass-through', 'dprk-it-payroll'];
    const addr = btcAddress(c.rand);
    const t = c.start + between(c.rand, 5, 25) * DAY;
    const btc = Math.round(between(c.rand, 0.04, 0.09) * 1e8) / 1e8;
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: acct, chain: 'bitcoin', asset: 'BTC', amount: btc, to: addr, session: homeSession(c, acct), customer: customer() }, c.rand));
    receiving.push({ address: addr, sats: Math.round(btc * 1e8) });
    last = Math.max(last, t);
  }
  const total = receiving.reduce((s, r) => s + r.sats, 0);
  emit(c, last + 2 * DAY, bitcoinTx(receiving, [{ address: btcAddress(c.rand), sats: total - 5000 }], last + 2 * DAY, c.rand));
}

function freelancer(c: Ctx, infra: Infra): void {
  const acct = account(c);
  benign(c, acct, 'paid by a payroll platform on a cadence, keeps most of it, withdraws to its own address');
  const own = evmAddress(c.rand);
  const dep = evmAddress(c.rand);
  let t = c.start + between(c.rand, 0, 10) * DAY;
  const salary = between(c.rand, 3000, 9000);
  for (let p = 0; p < 4; p++) {
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: salary, from: [infra.payroll.ethereum], to: dep, customer: customer() }, c.rand));
    const tw = t + between(c.rand, 3, 15) * DAY;
    emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: salary * between(c.rand, 0.2, 0.5), to: own, session: homeSession(c, acct), customer: customer() }, c.rand));
    t += 30 * DAY;
  }
}

function quickOwn(c: Ctx): void {
  const acct = account(c);
  benign(c, acct, 'moves deposits out within hours to its own address');
  const own = evmAddress(c.rand);
  const dep = evmAddress(c.rand);
  let t = c.start + between(c.rand, 0, 20) * DAY;
  for (let i = 0; i < 4; i++) {
    const amount = between(c.rand, 500, 15000);
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDT', amount, from: [evmAddress(c.rand)], to: dep, customer: customer() }, c.rand));
    const tw = t + between(c.rand, 1, 8) * HOUR;
    emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: amount * between(c.rand, 0.92, 0.99), to: own, session: homeSession(c, acct), customer: customer() }, c.rand));
    t += between(c.rand, 5, 15) * DAY;
  }
}

/** Many users withdraw to their own deposit addresses at another exchange, which sweep to its hot wallet. */
function otherExchangeUsers(c: Ctx, infra: Infra, users: number): void {
  for (let u = 0; u < users; u++) {
    const acct = account(c);
    benign(c, acct, 'withdraws to deposit addresses of other exchanges (many accounts, one cluster)');
    const theirDeposit = evmAddress(c.rand);
    const t = c.start + between(c.rand, 0, 40) * DAY;
    const amount = between(c.rand, 200, 8000);
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: acct, chain: 'ethereum', asset: 'USDT', amount, to: theirDeposit, session: homeSession(c, acct), customer: customer() }, c.rand));
    emit(c, t + 2 * HOUR, tokenLog('ethereum', USDT_ETH, theirDeposit, infra.exchangeHot.ethereum, amount, t + 2 * HOUR, c.rand));
  }
}

/**
 * A business pays an extortion demand: stablecoins on Ethereum or Tron, ETH or BTC, to a fresh
 * address. The onward movement shows up later on-chain, directly or through one intermediate
 * address, hours to days afterwards; sometimes the address it reaches is labelled DPRK-linked
 * only after the funds arrived (late intelligence). No source names the coin (typologies.md).
 */
function extortion(c: Ctx, toward: string | undefined, dprkAddress: string): void {
  const acct = account(c);
  plant(c, acct, 'extortion-payment');
  c.truth.allowed[acct] = ['dprk-consolidation', 'chain-hop', 'sanctions-exposure', 'pass-through'];
  const t = c.start + between(c.rand, 30, 60) * DAY;
  const variant = pick(c.rand, ['stable-eth', 'stable-eth', 'eth', 'btc', 'usdt-tron'] as const);
  const viaHop = c.rand() < 0.5;
  const lateLabel = c.rand() < 0.3;
  const status = pick(c.rand, ['requested', 'completed'] as const);
  const usd = pick(c.rand, [100_000, 120_000, 150_000, 250_000]);
  const business = customer('business');
  const session = homeSession(c, acct);
  const fund = (chain: string, asset: string, amount: number): void => emit(c, t - 2 * DAY, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t - 2 * DAY, accountId: acct, chain, asset, amount: amount * 1.05, from: [chain === 'bitcoin' ? btcAddress(c.rand) : chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand)], to: chain === 'bitcoin' ? btcAddress(c.rand) : chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand), customer: business }, c.rand));
  const hop1 = t + between(c.rand, 4, 40) * HOUR;
  const hop2 = hop1 + between(c.rand, 6, 96) * HOUR;
  const labelAt = (viaHop ? hop2 : hop1) + between(c.rand, 1, 72) * HOUR;
  if (variant === 'btc') {
    const fresh = btcAddress(c.rand);
    const target = btcAddress(c.rand);
    const btc = Math.round((usd / 95_000) * 1e4) / 1e4;
    emit(c, lateLabel ? labelAt : c.start - DAY, label('bitcoin', target, 'dprk-linked', 'DPRK laundering (intel)', lateLabel ? labelAt : c.start - DAY));
    fund('bitcoin', 'BTC', btc);
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', status, time: t, accountId: acct, chain: 'bitcoin', asset: 'BTC', amount: btc, to: fresh, session, customer: business }, c.rand));
    const sats = Math.round(btc * 1e8);
    if (viaHop) {
      const mid = btcAddress(c.rand);
      emit(c, hop1, bitcoinTx([{ address: fresh, sats }], [{ address: mid, sats: sats - 2_000 }], hop1, c.rand));
      emit(c, hop2, bitcoinTx([{ address: mid, sats: sats - 2_000 }], [{ address: target, sats: sats - 4_000 }], hop2, c.rand));
    } else emit(c, hop1, bitcoinTx([{ address: fresh, sats }], [{ address: target, sats: sats - 2_000 }], hop1, c.rand));
    return;
  }
  const chain = variant === 'usdt-tron' ? 'tron' : 'ethereum';
  const addr = (): string => (chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand));
  const fresh = addr();
  const asset = variant === 'eth' ? 'ETH' : variant === 'usdt-tron' ? 'USDT' : pick(c.rand, ['USDT', 'USDC']);
  const amount = variant === 'eth' ? Math.round(usd / 3_300) : usd;
  // Stablecoins on Ethereum may feed a consolidation cluster seen elsewhere in the stream; the rest a DPRK-linked address.
  const target = variant.startsWith('stable') && toward ? toward : chain === 'tron' ? tronAddress(c.rand) : dprkAddress;
  if (target !== toward && target !== dprkAddress) emit(c, lateLabel ? labelAt : c.start - DAY, label(chain, target, 'dprk-linked', 'DPRK laundering (intel)', lateLabel ? labelAt : c.start - DAY));
  fund(chain, asset, amount);
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', status, time: t, accountId: acct, chain, asset, amount, to: fresh, session, customer: business }, c.rand));
  const move = (from: string, to: string, value: number, at: number): void => {
    if (asset === 'ETH') emit(c, at, nativeTx(from, to, value, at, c.rand));
    else emit(c, at, tokenLog(chain, chain === 'tron' ? USDT_TRON : asset === 'USDC' ? USDC_ETH : USDT_ETH, from, to, value, at, c.rand));
  };
  if (viaHop) {
    const mid = addr();
    move(fresh, mid, amount * 0.999, hop1);
    move(mid, target, amount * 0.998, hop2);
  } else move(fresh, target, amount * 0.999, hop1);
}

/** A business that pays a known vendor monthly, then one large round sum to the same vendor. */
function knownVendor(c: Ctx): void {
  const acct = account(c);
  benign(c, acct, 'business paying a large sum to a vendor it has paid before');
  const vendor = evmAddress(c.rand);
  let t = c.start + between(c.rand, 0, 10) * DAY;
  for (let i = 0; i < 3; i++) {
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: 12_000, to: vendor, session: homeSession(c, acct), customer: customer('business') }, c.rand));
    t += 30 * DAY;
  }
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: 150_000, to: vendor, session: homeSession(c, acct), customer: customer('business') }, c.rand));
}

function extortionLookalike(c: Ctx, infra: Infra): void {
  const acct = account(c);
  benign(c, acct, 'large round payment to a fresh address that sweeps to a known exchange');
  const fresh = evmAddress(c.rand);
  const t = c.start + between(c.rand, 30, 60) * DAY;
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: 100_000, to: fresh, session: homeSession(c, acct), customer: customer('business') }, c.rand));
  emit(c, t + 20 * HOUR, tokenLog('ethereum', USDT_ETH, fresh, infra.exchangeHot.ethereum, 100_000, t + 20 * HOUR, c.rand));
}

/**
 * T12: a US-looking account (US KYC and sessions, no VPN) paid salary-sized sums by four
 * employers within 40 days, each forwarded within days to an address it never paid before; one
 * of them the cell's consolidation address when there is one.
 */
function facilitatorHub(c: Ctx, consolidation: string | undefined): void {
  const acct = account(c);
  plant(c, acct, 'dprk-it-payroll');
  c.truth.allowed[acct] = ['pass-through', 'dprk-consolidation', 'chain-hop'];
  const dep = evmAddress(c.rand);
  let t = c.start + between(c.rand, 10, 50) * DAY;
  for (let e = 0; e < 4; e++) {
    const amount = Math.round(between(c.rand, 3000, 8000));
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount, from: [evmAddress(c.rand)], to: dep, customer: customer() }, c.rand));
    const tw = t + between(c.rand, 6, 96) * HOUR;
    const evmConsolidation = consolidation?.startsWith('0x') ? consolidation : undefined;
    const to = e === 3 && evmConsolidation ? evmConsolidation : evmAddress(c.rand);
    // Without a consolidation address on its chain, the hub's operator shows itself another way: a VPN.
    const session = evmConsolidation ? homeSession(c, acct) : { ...homeSession(c, acct), vpn: true, vpnProvider: 'Astrill VPN' };
    emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: amount * between(c.rand, 0.75, 0.97), to, session, customer: customer() }, c.rand));
    t += between(c.rand, 6, 12) * DAY;
  }
}

/** A consultant paid by three clients who holds the pay and withdraws part of it to the same own address. */
function consultant(c: Ctx): void {
  const acct = account(c);
  benign(c, acct, 'paid by three clients, keeps the pay, withdraws part to its usual own address');
  const dep = evmAddress(c.rand);
  const own = evmAddress(c.rand);
  let t = c.start + between(c.rand, 0, 30) * DAY;
  for (let e = 0; e < 6; e++) {
    const amount = Math.round(between(c.rand, 3000, 8000));
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount, from: [evmAddress(c.rand)], to: dep, customer: customer() }, c.rand));
    if (e > 0) {
      const tw = t + between(c.rand, 6, 96) * HOUR;
      emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: amount * between(c.rand, 0.2, 0.5), to: own, session: homeSession(c, acct), customer: customer() }, c.rand));
    }
    t += between(c.rand, 5, 9) * DAY;
  }
}

/** Monthly salary from one payer, then nothing: the shared preamble of T10 and its lookalike. */
function salaried(c: Ctx, acct: string, session: ReturnType<typeof homeSession>): { t: number; employer: string; chain: 'ethereum' | 'tron'; asset: string; dep: string } {
  const chain = pick(c.rand, ['ethereum', 'tron'] as const);
  const asset = chain === 'tron' ? 'USDT' : pick(c.rand, ['USDC', 'USDT']);
  const employer = chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
  const dep = chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
  const salary = Math.round(between(c.rand, 4000, 9000));
  let t = c.start + between(c.rand, 0, 5) * DAY;
  for (let p = 0; p < 4; p++) {
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain, asset, amount: salary * between(c.rand, 0.98, 1.02), from: [employer], to: dep, customer: customer() }, c.rand));
    const tw = t + between(c.rand, 5, 20) * DAY;
    emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain, asset, amount: salary * between(c.rand, 0.1, 0.3), to: chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand), session, customer: customer() }, c.rand));
    t += 30 * DAY;
  }
  return { t: t + between(c.rand, 20, 50) * DAY, employer, chain, asset, dep };
}

/**
 * T10: a worker paid monthly until dismissal receives the ransom, in any asset, from an address
 * one hop from the former employer, and forwards nearly all of it within hours to a cell's
 * consolidation address or toward a DPRK-linked one.
 */
function receiverExtortion(c: Ctx, dprkAddress: string): void {
  const acct = account(c);
  plant(c, acct, 'extortion-payment');
  c.truth.allowed[acct] = ['pass-through', 'dprk-it-payroll', 'dprk-consolidation', 'chain-hop', 'sanctions-exposure'];
  const session = { ip: `45.${Math.floor(c.rand() * 250)}.${Math.floor(c.rand() * 250)}.9`, ipCountry: pick(c.rand, ['CN', 'RU', 'US']), vpn: c.rand() < 0.5, deviceId: `dev-${acct}` };
  const { t, chain, asset, dep } = salaried(c, acct, session);
  const ransomAsset = pick(c.rand, [asset, asset, 'ETH']);
  const ransomChain = ransomAsset === 'ETH' ? 'ethereum' : chain;
  const usd = pick(c.rand, [60_000, 100_000, 150_000]);
  const amount = ransomAsset === 'ETH' ? Math.round(usd / 3_300) : usd;
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: ransomChain, asset: ransomAsset, amount, from: [ransomChain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand)], to: ransomChain === chain ? dep : evmAddress(c.rand), customer: customer() }, c.rand));
  const tw = t + between(c.rand, 2, 20) * HOUR;
  const out = ransomChain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand);
  emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: ransomChain, asset: ransomAsset, amount: amount * between(c.rand, 0.9, 0.99), to: out, session, customer: customer() }, c.rand));
  const tf = tw + between(c.rand, 2, 48) * HOUR;
  if (ransomChain === 'tron') {
    const target = tronAddress(c.rand);
    emit(c, c.start - DAY, label('tron', target, 'dprk-linked', 'DPRK laundering (intel)', c.start - DAY));
    emit(c, tf, tokenLog('tron', USDT_TRON, out, target, amount * 0.9, tf, c.rand));
  } else if (ransomAsset === 'ETH') emit(c, tf, nativeTx(out, dprkAddress, amount * 0.9, tf, c.rand));
  else emit(c, tf, tokenLog('ethereum', ransomAsset === 'USDC' ? USDC_ETH : USDT_ETH, out, dprkAddress, amount * 0.9, tf, c.rand));
}

/** A salaried customer who receives a large sum (a house sale) and keeps most of it for weeks. */
function salariedWindfall(c: Ctx): void {
  const acct = account(c);
  benign(c, acct, 'salaried customer who receives a large sum and keeps it');
  const session = homeSession(c, acct);
  const { t, chain, asset, dep } = salaried(c, acct, session);
  const amount = pick(c.rand, [60_000, 100_000]);
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain, asset, amount, from: [chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand)], to: dep, customer: customer() }, c.rand));
  const tw = t + between(c.rand, 10, 30) * DAY;
  emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain, asset, amount: amount * 0.9, to: chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand), session, customer: customer() }, c.rand));
}

/**
 * A business pays a large sum to a payment processor: a fresh deposit address per payment, swept
 * into one hot wallet that several other customers' deposit addresses also sweep into.
 */
function businessPaysService(c: Ctx): void {
  const acct = account(c);
  benign(c, acct, 'business paying a large sum to a payment service that sweeps fresh deposit addresses');
  const hot = evmAddress(c.rand);
  const t = c.start + between(c.rand, 30, 60) * DAY;
  for (let i = 0; i < 4; i++) {
    const other = account(c);
    benign(c, other, 'customer of a payment service that sweeps fresh deposit addresses');
    const ti = t - between(c.rand, 1, 20) * DAY;
    const addr = evmAddress(c.rand);
    const amount = between(c.rand, 50, 900);
    emit(c, ti, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: ti, accountId: other, chain: 'ethereum', asset: 'USDT', amount, to: addr, session: homeSession(c, other), customer: customer() }, c.rand));
    emit(c, ti + 3 * HOUR, tokenLog('ethereum', USDT_ETH, addr, hot, amount, ti + 3 * HOUR, c.rand));
  }
  const fresh = evmAddress(c.rand);
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: 40_000, to: fresh, session: homeSession(c, acct), customer: customer('business') }, c.rand));
  emit(c, t + 5 * HOUR, tokenLog('ethereum', USDT_ETH, fresh, hot, 40_000, t + 5 * HOUR, c.rand));
}

const SDN_EVM = '0x97b1043abd9e6fc31681635166d430a458d14f9c'; // KIM, Sang Man (DPRK4)
const SDN_EVM_2 = '0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2'; // VALERIAN LABS, INC.
const SDN_TRON = 'TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz'; // CHEIL CREDIT BANK (DPRK4)
const SDN_TRON_HEX = Buffer.from(bs58check.decode(SDN_TRON)).toString('hex'); // the same address as 41…

function sanctions(c: Ctx): void {
  const direct = account(c);
  plant(c, direct, 'sanctions-exposure');
  c.truth.sanctionsDirect.push(direct);
  c.truth.allowed[direct] = ['dprk-consolidation']; // several planted accounts pay the same listed address
  const t = c.start + between(c.rand, 0, 60) * DAY;
  const variant = Math.floor(c.rand() * 3);
  if (variant === 0) emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: direct, chain: pick(c.rand, ['ethereum', 'arbitrum']), asset: 'USDT', amount: 3000, from: [SDN_EVM], to: evmAddress(c.rand), customer: customer() }, c.rand));
  else if (variant === 1) emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', status: 'requested', time: t, accountId: direct, chain: 'ethereum', asset: 'ETH', amount: 2.5, to: SDN_EVM_2.toLowerCase(), session: homeSession(c, direct), customer: customer() }, c.rand));
  else emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: t, accountId: direct, chain: 'tron', asset: 'USDT', amount: 9000, to: c.rand() < 0.5 ? SDN_TRON : SDN_TRON_HEX, session: homeSession(c, direct), customer: customer() }, c.rand));

  const indirect = account(c);
  plant(c, indirect, 'sanctions-exposure');
  const mid = evmAddress(c.rand);
  const ti = c.start + between(c.rand, 10, 60) * DAY;
  emit(c, ti - 3 * DAY, nativeTx(SDN_EVM_2, mid, 10, ti - 3 * DAY, c.rand));
  emit(c, ti, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: ti, accountId: indirect, chain: 'ethereum', asset: 'ETH', amount: 9.9, from: [mid], to: evmAddress(c.rand), customer: customer() }, c.rand));

  const near = account(c);
  benign(c, near, 'deposit from an address one hex digit away from an SDN address');
  const off = SDN_EVM.slice(0, -1) + (SDN_EVM.endsWith('c') ? 'd' : 'c');
  emit(c, t + DAY, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t + DAY, accountId: near, chain: 'ethereum', asset: 'USDT', amount: 3000, from: [off], to: evmAddress(c.rand), customer: customer() }, c.rand));
}

function linkage(c: Ctx): void {
  const device = `dev-farm-${c.n}`;
  const members = 3 + Math.floor(c.rand() * 2);
  const t = c.start + between(c.rand, 0, 60) * DAY;
  for (let i = 0; i < members; i++) {
    const acct = account(c);
    plant(c, acct, 'account-linkage');
    emit(c, t + i * DAY, login(id(c, 'ev'), t + i * DAY, acct, { ip: `203.0.113.${i + 10}`, ipCountry: 'US', vpn: false, deviceId: device }));
  }
}

function chainHop(c: Ctx, infra: Infra): void {
  const acct = account(c);
  plant(c, acct, 'chain-hop');
  c.truth.allowed[acct] = ['pass-through', 'high-risk-service']; // the hop's destination is an OTC desk
  const t = c.start + between(c.rand, 0, 60) * DAY;
  const amount = between(c.rand, 4000, 20000);
  emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount, from: [evmAddress(c.rand)], to: evmAddress(c.rand), customer: customer() }, c.rand));
  const tw = t + between(c.rand, 2, 30) * HOUR;
  emit(c, tw, transfer({ eventId: id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: 'tron', asset: 'USDT', amount: amount * 0.97, to: infra.otc.tron, session: homeSession(c, acct), customer: customer() }, c.rand));
}

function structuring(c: Ctx): void {
  const acct = account(c);
  plant(c, acct, 'structuring');
  c.truth.allowed[acct] = ['pass-through'];
  let t = c.start + between(c.rand, 0, 60) * DAY;
  for (let i = 0; i < 3 + Math.floor(c.rand() * 3); i++) {
    emit(c, t, transfer({ eventId: id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: between(c.rand, 9100, 9950), from: [evmAddress(c.rand)], to: evmAddress(c.rand), customer: customer() }, c.rand));
    t += between(c.rand, 10, 40) * HOUR;
  }
}

type Builder = (c: Ctx, infra: Infra, dprk: string) => void;

/** The scenarios each rule folder's test cases are built from: positives, then lookalikes. */
export const CASE_BUILDERS: Record<string, { positive: Builder; negative: Builder }> = {
  'sanctions-exposure': { positive: (c) => sanctions(c), negative: (c, infra) => { otherExchangeUsers(c, infra, 3); quickOwn(c); } },
  'dprk-it-payroll': { positive: (c, infra) => { payrollCell(c, infra, 3); }, negative: (c, infra) => { freelancer(c, infra); freelancer(c, infra); quickOwn(c); } },
  'dprk-consolidation': { positive: (c, infra) => { payrollCell(c, infra, 3); bitcoinCell(c, 3); }, negative: (c, infra) => otherExchangeUsers(c, infra, 6) },
  'extortion-payment': { positive: (c, infra, dprk) => { const cons = payrollCell(c, infra, 3); extortion(c, cons.startsWith('0x') ? cons : undefined, dprk); extortion(c, undefined, dprk); }, negative: (c, infra) => { extortionLookalike(c, infra); extortionLookalike(c, infra); knownVendor(c); } },
  'account-linkage': { positive: (c) => linkage(c), negative: (c, infra) => { quickOwn(c); freelancer(c, infra); quickOwn(c); } },
  'chain-hop': { positive: (c, infra) => chainHop(c, infra), negative: (c) => { quickOwn(c); quickOwn(c); } },
  'pass-through': { positive: (c) => quickOwn(c), negative: (c, infra) => freelancer(c, infra) },
  structuring: { positive: (c) => structuring(c), negative: (c, infra) => freelancer(c, infra) },
  'common-funder': { positive: (c) => { gasFundedCell(c); gasFundedCell(c); }, negative: (c, infra) => gasFundingLookalikes(c, infra) },
  'fan-out-dispersal': { positive: (c) => { dispersalCell(c); dispersalCell(c); }, negative: (c, infra) => dispersalLookalikes(c, infra) },
};

/** Cases of rules that share a typology folder with another: folder, case name, typology, builders. */
export const EXTRA_CASE_BUILDERS: { folder: string; name: string; positive: Builder; negative: Builder }[] = [
  { folder: 'dprk-it-payroll', name: 'facilitator-hub', positive: (c, infra) => { const cons = payrollCell(c, infra, 2); facilitatorHub(c, cons); }, negative: (c, infra) => { consultant(c); consultant(c); freelancer(c, infra); } },
  { folder: 'extortion-payment', name: 'receiver-side', positive: (c, _infra, dprk) => { receiverExtortion(c, dprk); receiverExtortion(c, dprk); }, negative: (c) => { salariedWindfall(c); salariedWindfall(c); businessPaysService(c); } },
  // Payer side in every asset (stablecoins, ETH, BTC, Tron USDT), onward hops and labels arriving later.
  { folder: 'extortion-payment', name: 'any-asset', positive: (c, _infra, dprk) => { for (let i = 0; i < 6; i++) extortion(c, undefined, dprk); }, negative: (c, infra) => { extortionLookalike(c, infra); knownVendor(c); businessPaysService(c); } },
  { folder: 'dprk-it-payroll', name: 'persona-rotation', positive: (c, infra) => { personaRotation(c, infra); personaRotation(c, infra); }, negative: (c) => personaRotationLookalikes(c) },
];

/** A small stream from one builder, with its truth. */
export function buildCase(build: Builder, seed: number): { lines: string[]; truth: SimTruth } {
  const c: Ctx = { rand: prng(seed), out: [], n: 0, start: Date.UTC(2025, 0, 6), truth: { profile: 'case', seed, accounts: {}, allowed: {}, benign: [], lookalikes: {}, sanctionsDirect: [] } };
  const infra = infrastructure(c);
  const dprk = evmAddress(c.rand);
  emit(c, c.start - DAY, label('ethereum', dprk, 'dprk-linked', 'DPRK consolidation (intel)', c.start - DAY));
  build(c, infra, dprk);
  c.out.sort((a, b) => a.time - b.time);
  return { lines: c.out.map((o) => o.line), truth: c.truth };
}

export interface SimulateOptions {
  seed: number;
  /** Planted cells of each typology; benign lookalikes scale with it. @defaultValue 2 */
  scale: number;
}

export function simulate({ seed, scale }: SimulateOptions): { lines: string[]; truth: SimTruth } {
  const c: Ctx = { rand: prng(seed), out: [], n: 0, start: Date.UTC(2025, 0, 6), truth: { profile: 'simulated', seed, accounts: {}, allowed: {}, benign: [], lookalikes: {}, sanctionsDirect: [] } };
  const infra = infrastructure(c);
  const dprk = evmAddress(c.rand);
  emit(c, c.start - DAY, label('ethereum', dprk, 'dprk-linked', 'DPRK consolidation (intel)', c.start - DAY));
  const consolidations: string[] = [];
  for (let i = 0; i < scale; i++) {
    consolidations.push(payrollCell(c, infra, 3 + Math.floor(c.rand() * 3)));
    bitcoinCell(c, 3);
    extortion(c, c.rand() < 0.5 ? consolidations.find((a) => a.startsWith('0x')) : undefined, dprk);
    sanctions(c);
    linkage(c);
    chainHop(c, infra);
    structuring(c);
    for (let b = 0; b < 4; b++) { freelancer(c, infra); quickOwn(c); }
    otherExchangeUsers(c, infra, 5);
    extortionLookalike(c, infra);
    knownVendor(c);
    facilitatorHub(c, consolidations.filter((a) => a.startsWith('0x')).pop());
    consultant(c);
    receiverExtortion(c, dprk);
    salariedWindfall(c);
    businessPaysService(c);
  }
  // Issue #12 part 2 (src/simulate/rotation-funding.ts), drawn after the rest so it leaves them as they were.
  for (let i = 0; i < scale; i++) {
    personaRotation(c, infra);
    personaRotationLookalikes(c);
    gasFundedCell(c);
    gasFundingLookalikes(c, infra);
    dispersalCell(c);
    dispersalLookalikes(c, infra);
  }
  // Issuer blacklist, mixer, high-risk service and stolen-funds cells, drawn from their own
  // random stream so the scenarios above give the same messages as before they were added.
  exposureTypologies({ ...c, rand: prng(seed ^ 0x2545f491), n: 0 }, scale);
  // T8 aggregators paid by the payroll cells' consolidation addresses (session 30), likewise apart.
  const aggregators: Ctx = { ...c, rand: prng(seed ^ 0x5bd1e995), n: 0 };
  for (let i = 0; i < scale; i++) { aggregatorCell(aggregators, infra, consolidations); traderLookalike(aggregators, infra); }
  c.out.sort((a, b) => a.time - b.time);
  return { lines: c.out.map((o) => o.line), truth: c.truth };
}


/** The helpers other scenario files build with (src/simulate/rotation-funding.ts). */
export const scenarioKit = { id, emit, account, plant, benign, customer, homeSession, pick, between };
export type { Ctx, Infra };
