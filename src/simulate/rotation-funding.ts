/**
 * Scenarios for three typologies of issue #12 part 2, with their benign lookalikes:
 * - T11 persona rotation: a risky account stops, and a young account with its device, paid by
 *   its payer, pays its destination (dprk-it-payroll);
 * - common funder: fresh addresses topped up with a little ETH or TRX by one wallet each pay a
 *   different risky account (common-funder);
 * - fan-out dispersal: one wallet splits stablecoins over fresh addresses that each pay a
 *   different risky account within hours (fan-out-dispersal).
 * Lookalikes: a household's new account on a clean account's device, a customer who
 * re-registers, an active pair on one device; a wallet app sponsoring gas for clean users, an
 * exchange's hot wallet funding its customers' new addresses; an employer paying clean
 * employees' wallets, an exchange paying out to customers who deposit here.
 */
import { DAY, HOUR, USDC_ETH, USDT_ETH, USDT_TRON, evmAddress, iso, login, nativeTx, tokenLog, transfer, tronAddress, txHash, type Rand } from './builders.js';
import { scenarioKit, type Ctx, type Infra } from './scenarios.js';

type Chain = 'ethereum' | 'tron';

const addressOn = (rand: Rand, chain: Chain): string => (chain === 'tron' ? tronAddress(rand) : evmAddress(rand));

/** A native ETH or TRX transfer (chain.evm.tx.v1). */
function nativeOn(chain: Chain, from: string, to: string, coins: number, time: number, rand: Rand): string {
  if (chain === 'ethereum') return nativeTx(from, to, coins, time, rand);
  return JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'tron', hash: txHash(rand), blockNumber: 60_000_000 + Math.floor(time / 3_000) % 1_000_000, blockTime: iso(time), from, to, value: BigInt(Math.round(coins * 1e6)).toString() });
}

const tokenOf = (chain: Chain, asset: string): string => (chain === 'tron' ? USDT_TRON : asset === 'USDC' ? USDC_ETH : USDT_ETH);

/** A risky session: Astrill VPN from abroad (the KYC country is US). */
function riskySession(c: Ctx, acct: string): { ip: string; ipCountry: string; vpn: boolean; vpnProvider: string; deviceId: string } {
  const k = scenarioKit;
  return { ip: `45.${Math.floor(c.rand() * 250)}.${Math.floor(c.rand() * 250)}.11`, ipCountry: k.pick(c.rand, ['CN', 'RU', 'AE', 'LA']), vpn: true, vpnProvider: 'Astrill VPN', deviceId: `dev-${acct}` };
}

const youngCustomer = (createdAt: number) => ({ type: 'individual' as const, kycCountry: 'US', createdAt: iso(createdAt) });

interface Recipient {
  acct: string;
  session: ReturnType<typeof riskySession> | ReturnType<typeof scenarioKit.homeSession>;
  customer: ReturnType<typeof scenarioKit.customer>;
}

/** An account that logs in once before it is paid: risky (VPN abroad, young) or an ordinary old customer. */
function recipient(c: Ctx, risky: boolean, at: number): Recipient {
  const k = scenarioKit;
  const acct = k.account(c);
  const session = risky ? riskySession(c, acct) : k.homeSession(c, acct);
  const customer = risky ? youngCustomer(at - k.between(c.rand, 10, 40) * DAY) : k.customer();
  k.emit(c, at - 2 * HOUR, login(k.id(c, 'ev'), at - 2 * HOUR, acct, session));
  return { acct, session, customer };
}

/**
 * Fresh addresses funded by `funder` (gas or value), each then deposits into a different account.
 * `gas`: the address gets a little native coin and its tokens from elsewhere; else the funder
 * sends the value itself.
 */
function fundedDeposits(c: Ctx, chain: Chain, funder: string, recipients: readonly Recipient[], gas: boolean, t0: number, quick: boolean): void {
  const k = scenarioKit;
  const asset = chain === 'tron' ? 'USDT' : k.pick(c.rand, ['USDT', 'USDC']);
  recipients.forEach((r, i) => {
    const fresh = addressOn(c.rand, chain);
    const tf = t0 + i * k.between(c.rand, 2, 30) * HOUR;
    const amount = Math.round(k.between(c.rand, 2000, 8000));
    if (gas) {
      const coins = chain === 'tron' ? Math.round(k.between(c.rand, 20, 60)) : Math.round(k.between(c.rand, 2, 9)) / 1000;
      k.emit(c, tf, nativeOn(chain, funder, fresh, coins, tf, c.rand));
      const tt = tf + k.between(c.rand, 1, 6) * HOUR;
      k.emit(c, tt, tokenLog(chain, tokenOf(chain, asset), addressOn(c.rand, chain), fresh, amount, tt, c.rand));
    } else k.emit(c, tf, tokenLog(chain, tokenOf(chain, asset), funder, fresh, amount, tf, c.rand));
    const td = tf + k.between(c.rand, 8, 40) * HOUR;
    k.emit(c, td, transfer({ eventId: k.id(c, 'ev'), kind: 'deposit', time: td, accountId: r.acct, chain, asset, amount: amount * 0.999, from: [fresh], to: addressOn(c.rand, chain), customer: r.customer }, c.rand));
    // A planted account moves it on within hours over its VPN; a lookalike spends part of it days later.
    const risky = quick;
    const tw = td + (risky ? k.between(c.rand, 2, 20) * HOUR : k.between(c.rand, 4, 20) * DAY);
    k.emit(c, tw, transfer({ eventId: k.id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: r.acct, chain, asset, amount: amount * (risky ? 0.95 : 0.3), to: addressOn(c.rand, chain), session: r.session, customer: r.customer }, c.rand));
  });
}

const FUNDED_ALLOWED = ['pass-through', 'account-linkage', 'chain-hop', 'dprk-consolidation', 'dprk-it-payroll', 'common-funder', 'fan-out-dispersal'];

/**
 * 3-5 fresh addresses on one chain, funded by one wallet (`gas`: a little native coin; else the
 * value itself), each paying a different risky account, planted as `typology`.
 */
function fundedCell(c: Ctx, typology: 'common-funder' | 'fan-out-dispersal', gas: boolean): void {
  const k = scenarioKit;
  const chain = k.pick(c.rand, ['ethereum', 'ethereum', 'tron'] as const);
  const t0 = c.start + k.between(c.rand, 20, 60) * DAY;
  const recipients = Array.from({ length: 3 + Math.floor(c.rand() * 3) }, () => recipient(c, true, t0));
  for (const r of recipients) { k.plant(c, r.acct, typology); c.truth.allowed[r.acct] = FUNDED_ALLOWED; }
  fundedDeposits(c, chain, addressOn(c.rand, chain), recipients, gas, t0, true);
}

/**
 * The benign shapes of a funded cell, paid slowly: four clean accounts funded by an unlabelled
 * wallet (`cleanNote`), then four risky-looking accounts funded by a labelled exchange hot wallet (`exchangeNote`).
 */
function fundedLookalikes(c: Ctx, infra: Infra, gas: boolean, cleanNote: string, exchangeNote: string): void {
  const k = scenarioKit;
  const t0 = c.start + k.between(c.rand, 20, 60) * DAY;
  const clean = Array.from({ length: 4 }, () => recipient(c, false, t0));
  for (const r of clean) k.benign(c, r.acct, cleanNote);
  fundedDeposits(c, 'ethereum', evmAddress(c.rand), clean, gas, t0, false);
  const t1 = c.start + k.between(c.rand, 20, 60) * DAY;
  const viaExchange = Array.from({ length: 4 }, () => recipient(c, true, t1));
  for (const r of viaExchange) k.benign(c, r.acct, exchangeNote);
  fundedDeposits(c, 'ethereum', infra.exchangeHot.ethereum, viaExchange, gas, t1, false);
}

/** Common funder: one wallet gives gas to 3-5 fresh addresses, each pays a different risky account. */
export function gasFundedCell(c: Ctx): void {
  fundedCell(c, 'common-funder', true);
}

/** A wallet app sponsors gas for its clean users' new addresses; an exchange funds its customers' new addresses. */
export function gasFundingLookalikes(c: Ctx, infra: Infra): void {
  fundedLookalikes(c, infra, true, 'clean customers whose new addresses a wallet app funded with gas', 'new addresses funded with gas by a labelled exchange hot wallet');
}

/** Fan-out dispersal: one wallet splits stablecoins over 3-5 fresh addresses, each pays a different risky account. */
export function dispersalCell(c: Ctx): void {
  fundedCell(c, 'fan-out-dispersal', false);
}

/** An employer pays clean employees' own wallets, which they deposit here; an exchange pays out to risky customers. */
export function dispersalLookalikes(c: Ctx, infra: Infra): void {
  fundedLookalikes(c, infra, false, 'clean employees paid by one employer into their own wallets, then deposited', 'customers paid out by a labelled exchange, then deposited');
}

/** Monthly salary from `payer`, each forwarded to `destination` (risky) or partly kept (clean), on one device. */
function salaryCycles(c: Ctx, acct: string, r: { risky: boolean; payer: string; destination: string; device: string; createdAt: number; from: number; cycles: number }): number {
  const k = scenarioKit;
  const customer = youngCustomer(r.createdAt);
  const session = r.risky ? { ...riskySession(c, acct), deviceId: r.device } : { ...k.homeSession(c, acct), deviceId: r.device };
  const dep = evmAddress(c.rand);
  const salary = Math.round(k.between(c.rand, 3500, 8000));
  let t = r.from;
  let last = t;
  for (let p = 0; p < r.cycles; p++) {
    k.emit(c, t - 3 * HOUR, login(k.id(c, 'ev'), t - 3 * HOUR, acct, session));
    k.emit(c, t, transfer({ eventId: k.id(c, 'ev'), kind: 'deposit', time: t, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: salary * k.between(c.rand, 0.98, 1.02), from: [r.payer], to: dep, customer }, c.rand));
    const tw = t + (r.risky ? k.between(c.rand, 4, 30) * HOUR : k.between(c.rand, 5, 15) * DAY);
    k.emit(c, tw, transfer({ eventId: k.id(c, 'ev'), kind: 'withdrawal', time: tw, accountId: acct, chain: 'ethereum', asset: 'USDC', amount: salary * (r.risky ? 0.93 : 0.3), to: r.destination, session, customer }, c.rand));
    last = tw;
    t += 30 * DAY + k.between(c.rand, -2, 2) * DAY;
  }
  return last;
}

/**
 * T11: a worker paid twice by one payer, forwarding over Astrill from abroad, stops (frozen); a
 * week or more later a new account on the same device is paid by the same payer and forwards to
 * the same destination.
 */
export function personaRotation(c: Ctx, infra: Infra): void {
  const k = scenarioKit;
  const before = k.account(c);
  c.truth.allowed[before] = ['pass-through', 'dprk-it-payroll', 'dprk-consolidation', 'account-linkage'];
  const payer = c.rand() < 0.5 ? infra.payroll.ethereum : evmAddress(c.rand);
  const destination = evmAddress(c.rand);
  const device = `dev-rot-${c.n}`;
  const start = c.start + k.between(c.rand, 0, 20) * DAY;
  const stopped = salaryCycles(c, before, { risky: true, payer, destination, device, createdAt: c.start - 120 * DAY, from: start, cycles: 2 });
  const after = k.account(c);
  k.plant(c, after, 'dprk-it-payroll');
  c.truth.allowed[after] = ['pass-through', 'dprk-consolidation', 'account-linkage', 'chain-hop'];
  const created = stopped + k.between(c.rand, 8, 20) * DAY;
  salaryCycles(c, after, { risky: true, payer, destination, device, createdAt: created, from: created + k.between(c.rand, 2, 10) * DAY, cycles: 1 });
}

/**
 * Lookalikes: a clean salaried customer stops and a household member's new account appears on the
 * same device; a clean customer re-registers and pays its own wallet again; a risky account still
 * active next to a young one on its device.
 */
export function personaRotationLookalikes(c: Ctx): void {
  const k = scenarioKit;
  for (const why of ['household', 'reregistered'] as const) {
    const before = k.account(c);
    k.benign(c, before, 'clean account that stopped before a new account appeared on its device');
    const device = `dev-home-${c.n}`;
    const own = evmAddress(c.rand);
    const start = c.start + k.between(c.rand, 0, 20) * DAY;
    const stopped = salaryCycles(c, before, { risky: false, payer: evmAddress(c.rand), destination: own, device, createdAt: c.start - 300 * DAY, from: start, cycles: 2 });
    const after = k.account(c);
    k.benign(c, after, why === 'household' ? 'household member\'s new account on a clean account\'s device' : 'clean customer who re-registered and pays its own wallet again');
    const created = stopped + k.between(c.rand, 8, 20) * DAY;
    salaryCycles(c, after, { risky: false, payer: evmAddress(c.rand), destination: why === 'household' ? evmAddress(c.rand) : own, device, createdAt: created, from: created + 3 * DAY, cycles: 1 });
  }
  const active = k.account(c);
  k.benign(c, active, 'risky-looking account still active beside a young account on its device');
  const device = `dev-pair-${c.n}`;
  const t = c.start + k.between(c.rand, 30, 50) * DAY;
  const session = { ...riskySession(c, active), deviceId: device };
  for (let i = 0; i < 4; i++) k.emit(c, t + i * 7 * DAY, login(k.id(c, 'ev'), t + i * 7 * DAY, active, session));
  const young = k.account(c);
  k.benign(c, young, 'young account sharing a device with an active one');
  salaryCycles(c, young, { risky: false, payer: evmAddress(c.rand), destination: evmAddress(c.rand), device, createdAt: t, from: t + 3 * DAY, cycles: 1 });
}
