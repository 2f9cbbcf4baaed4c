/**
 * Simulated T8 aggregators (typologies.md T8, S7) and their benign lookalike:
 * - an aggregator: a young account paid stablecoins by 10 to 14 payers within a month, two or
 *   three of them the consolidation addresses that the stream's payroll cells sweep into, which
 *   sends 90 to 97% of it on to an OTC desk's Tron address within days (dprk-it-payroll);
 * - a trader: an old account paid by as many unrelated senders that turns the money over to
 *   another exchange (benign: no payer is suspect on its own).
 * Drawn from their own random stream and id prefixes, after the other scenarios, so those give
 * the same messages as before.
 */
import { DAY, HOUR, evmAddress, transfer, tronAddress } from './builders.js';
import { scenarioKit, type Ctx, type Infra } from './scenarios.js';

type Chain = 'ethereum' | 'tron';

const chainOf = (address: string): Chain => (address.startsWith('0x') ? 'ethereum' : 'tron');
const addressOn = (c: Ctx, chain: Chain): string => (chain === 'tron' ? tronAddress(c.rand) : evmAddress(c.rand));

/** The rules an aggregator may also raise: its OTC destination, its turnover. */
const AGGREGATOR_ALLOWED = ['pass-through', 'high-risk-service', 'chain-hop'];

interface Gathered {
  acct: string;
  customer: { type: 'individual'; kycCountry: string; createdAt: string };
  total: number;
  last: number;
}

/** Deposits from `payers`, one every 1 to 2.5 days from `t0`, each in the payer's chain. */
function gather(c: Ctx, acct: string, createdAt: number, payers: readonly string[], t0: number): Gathered {
  const k = scenarioKit;
  const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: new Date(createdAt).toISOString() };
  let t = t0;
  let total = 0;
  for (const payer of payers) {
    const chain = chainOf(payer);
    const amount = Math.round(k.between(c.rand, 3000, 9000));
    total += amount;
    k.emit(c, t, transfer({ eventId: k.id(c, 'ev-ag'), kind: 'deposit', time: t, accountId: acct, chain, asset: 'USDT', amount, from: [payer], to: addressOn(c, chain), customer }, c.rand));
    t += k.between(c.rand, 1, 2.5) * DAY;
  }
  return { acct, customer, total, last: t };
}

/** Sends `share` of what was gathered to `to` (a Tron address), 6 to 60 hours after the last deposit. */
function sendOn(c: Ctx, g: Gathered, to: string, share: number): void {
  const k = scenarioKit;
  const t = g.last + k.between(c.rand, 6, 60) * HOUR;
  k.emit(c, t, transfer({ eventId: k.id(c, 'ev-ag'), kind: 'withdrawal', time: t, accountId: g.acct, chain: 'tron', asset: 'USDT', amount: Math.round(g.total * share), to, session: k.homeSession(c, g.acct), customer: g.customer }, c.rand));
}

/** The items in an order drawn from the context's random stream (Fisher-Yates). */
function shuffled<T>(c: Ctx, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(c.rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Unrelated payers on Ethereum or Tron, shuffled in with `suspects`. */
function payersWith(c: Ctx, suspects: readonly string[], count: number): string[] {
  const k = scenarioKit;
  const payers = [...suspects];
  while (payers.length < count) payers.push(addressOn(c, k.pick(c.rand, ['ethereum', 'tron'] as const)));
  return shuffled(c, payers);
}

/**
 * An aggregator paid by two or three of `consolidations` among 10 to 14 payers, starting 25 to 45
 * days into the stream (while the payroll cells' workers still sweep into them).
 */
export function aggregatorCell(c: Ctx, infra: Infra, consolidations: readonly string[]): void {
  const k = scenarioKit;
  if (consolidations.length < 2) return;
  const acct = k.id(c, 'acct-ag');
  k.plant(c, acct, 'dprk-it-payroll');
  c.truth.allowed[acct] = AGGREGATOR_ALLOWED;
  const suspects = shuffled(c, consolidations).slice(0, 2 + Math.floor(c.rand() * Math.min(2, consolidations.length - 1)));
  const t0 = c.start + k.between(c.rand, 25, 45) * DAY;
  const g = gather(c, acct, t0 - k.between(c.rand, 10, 25) * DAY, payersWith(c, suspects, 10 + Math.floor(c.rand() * 5)), t0);
  sendOn(c, g, infra.otc.tron, k.between(c.rand, 0.9, 0.97));
}

/** A trader: an old account paid by 10 to 14 unrelated senders that turns the money over to another exchange. */
export function traderLookalike(c: Ctx, infra: Infra): void {
  const k = scenarioKit;
  const acct = k.id(c, 'acct-ag');
  k.benign(c, acct, 'P2P trader paid by many unrelated senders, turns the money over to another exchange');
  const t0 = c.start + k.between(c.rand, 10, 90) * DAY;
  const g = gather(c, acct, Date.UTC(2023, 5, 1), payersWith(c, [], 10 + Math.floor(c.rand() * 5)), t0);
  sendOn(c, g, infra.exchangeHot.tron, k.between(c.rand, 0.9, 0.97));
}
