/**
 * Simulated cells and benign lookalikes of four exposure typologies (issue #12 part 2):
 * - `issuer-blacklist`: deposits from and withdrawals to addresses that Tether or Circle blacklist
 *   days later (the blacklist log arrives after the transfer: late evidence);
 * - `mixer-exposure`: withdrawals to an address that then enters a Whirlpool CoinJoin, deposits of
 *   funds one hop from a CoinJoin output (and, in the rule cases, a deposit straight out of one);
 * - `high-risk-service`: payments to a no-KYC swap service, an OTC desk, funds from a gambling site;
 * - `stolen-funds`: deposits of funds from a theft address within the laundering window, the theft
 *   label sometimes arriving after the deposits.
 * Lookalikes: addresses removed from a blacklist before the deposit, a blacklist event from a
 * token that is not the issuer's, a Stonewall spend, funds three hops from a CoinJoin, a licensed
 * exchange, a payroll platform, stolen funds past the window or paid before the theft.
 *
 * A scenario context is structurally the simulator's own (scenarios.ts), so these builders serve
 * `simulate` and the rule-case builders alike.
 */
import bs58check from 'bs58check';
import { BLACKLIST_TOPICS } from '../chain/issuer-blacklist.js';
import { DAY, HOUR, USDC_ETH, USDT_ETH, USDT_TRON, bitcoinTx, btcAddress, evmAddress, iso, label, tokenLog, transfer, tronAddress, txHash, type Rand } from './builders.js';

export interface ExposureCtx {
  rand: Rand;
  out: { time: number; line: string }[];
  truth: { accounts: Record<string, string[]>; allowed: Record<string, string[]>; benign: string[]; lookalikes: Record<string, string> };
  n: number;
  start: number;
}

const between = (c: ExposureCtx, lo: number, hi: number): number => lo + c.rand() * (hi - lo);
const nextId = (c: ExposureCtx, prefix: string): string => `${prefix}-${(c.n++).toString(16).padStart(6, '0')}${Math.floor(c.rand() * 0xffff).toString(16)}`;
const emit = (c: ExposureCtx, time: number, line: string): void => { c.out.push({ time, line }); };
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-06-01T00:00:00.000Z' };
const session = (c: ExposureCtx, acct: string) => ({ ip: `198.18.${Math.floor(c.rand() * 250)}.${Math.floor(c.rand() * 250)}`, ipCountry: 'US', vpn: false, deviceId: `dev-${acct}` });

function planted(c: ExposureCtx, typology: string): string {
  const acct = nextId(c, 'acct-xp');
  c.truth.accounts[acct] = [typology];
  c.truth.allowed[acct] = ['pass-through'];
  return acct;
}

function lookalike(c: ExposureCtx, why: string): string {
  const acct = nextId(c, 'acct-xp');
  c.truth.benign.push(acct);
  c.truth.lookalikes[acct] = why;
  return acct;
}

const deposit = (c: ExposureCtx, acct: string, time: number, chain: string, asset: string, amount: number, from: string): void =>
  emit(c, time, transfer({ eventId: nextId(c, 'ev-xp'), kind: 'deposit', time, accountId: acct, chain, asset, amount, from: [from], to: chain === 'tron' ? tronAddress(c.rand) : chain === 'bitcoin' ? btcAddress(c.rand) : evmAddress(c.rand), customer }, c.rand));

const withdrawal = (c: ExposureCtx, acct: string, time: number, chain: string, asset: string, amount: number, to: string): void =>
  emit(c, time, transfer({ eventId: nextId(c, 'ev-xp'), kind: 'withdrawal', time, accountId: acct, chain, asset, amount, to, session: session(c, acct), customer }, c.rand));

const word = (chain: 'ethereum' | 'tron', address: string): string =>
  `0x${(chain === 'tron' ? Buffer.from(bs58check.decode(address)).toString('hex').slice(2) : address.slice(2).toLowerCase()).padStart(64, '0')}`;

/** A Tether (address in data) or Circle (address indexed) blacklist log. */
export function blacklistLog(chain: 'ethereum' | 'tron', contract: string, event: keyof typeof BLACKLIST_TOPICS, address: string, time: number, rand: Rand): string {
  const indexed = event === 'Blacklisted' || event === 'UnBlacklisted';
  return JSON.stringify({
    schema: 'chain.evm.log.v1', chain, txHash: txHash(rand), logIndex: Math.floor(rand() * 200), blockNumber: 21_000_000 + Math.floor(time / 12_000) % 1_000_000, blockTime: iso(time),
    address: contract, topics: indexed ? [BLACKLIST_TOPICS[event], word(chain, address)] : [BLACKLIST_TOPICS[event]], data: indexed ? '0x' : word(chain, address),
  });
}

export function issuerBlacklistCell(c: ExposureCtx): void {
  const t = c.start + between(c, 5, 40) * DAY;
  const fromFrozen = planted(c, 'issuer-blacklist');
  const x = evmAddress(c.rand);
  deposit(c, fromFrozen, t, 'ethereum', 'USDT', Math.round(between(c, 2000, 20000)), x);
  const ta = t + between(c, 3, 20) * DAY;
  emit(c, ta, blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', x, ta, c.rand));
  const toFrozen = planted(c, 'issuer-blacklist');
  const y = evmAddress(c.rand);
  const tw = t + between(c, 1, 10) * DAY;
  withdrawal(c, toFrozen, tw, 'ethereum', 'USDC', Math.round(between(c, 2000, 20000)), y);
  const tb = tw + between(c, 1, 15) * DAY;
  emit(c, tb, blacklistLog('ethereum', USDC_ETH, 'Blacklisted', y, tb, c.rand));
  const onTron = planted(c, 'issuer-blacklist');
  const z = tronAddress(c.rand);
  deposit(c, onTron, t + DAY, 'tron', 'USDT', Math.round(between(c, 2000, 20000)), z);
  emit(c, t + 4 * DAY, blacklistLog('tron', USDT_TRON, 'AddedBlackList', z, t + 4 * DAY, c.rand));
}

export function issuerBlacklistLookalikes(c: ExposureCtx): void {
  const t = c.start + between(c, 20, 40) * DAY;
  const cleared = lookalike(c, 'deposit from an address Tether blacklisted and removed from its list before the deposit');
  const x = evmAddress(c.rand);
  emit(c, t - 20 * DAY, blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', x, t - 20 * DAY, c.rand));
  emit(c, t - 5 * DAY, blacklistLog('ethereum', USDT_ETH, 'RemovedBlackList', x, t - 5 * DAY, c.rand));
  deposit(c, cleared, t, 'ethereum', 'USDT', 5000, x);
  const copycat = lookalike(c, 'deposit from an address a look-alike token contract (not the issuer) "blacklisted"');
  const y = evmAddress(c.rand);
  deposit(c, copycat, t + DAY, 'ethereum', 'USDT', 4000, y);
  emit(c, t + 3 * DAY, blacklistLog('ethereum', evmAddress(c.rand), 'AddedBlackList', y, t + 3 * DAY, c.rand));
  const twoHops = lookalike(c, 'deposit of funds two hops from a blacklisted address');
  const frozen = evmAddress(c.rand);
  const mid = evmAddress(c.rand);
  const near = evmAddress(c.rand);
  emit(c, t - 10 * DAY, blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', frozen, t - 10 * DAY, c.rand));
  emit(c, t - 30 * DAY, tokenLog('ethereum', USDC_ETH, frozen, mid, 9000, t - 30 * DAY, c.rand));
  emit(c, t - 20 * DAY, tokenLog('ethereum', USDC_ETH, mid, near, 3000, t - 20 * DAY, c.rand));
  deposit(c, twoHops, t - 19 * DAY, 'ethereum', 'USDC', 2900, near);
}

/** A Whirlpool 0.01 BTC mix (5 inputs, 5 equal outputs); the first input is `entering`, the first output `leaving`, if given. */
function whirlpool(c: ExposureCtx, time: number, entering?: string, leaving?: string): string[] {
  const inputs = Array.from({ length: 5 }, (_, i) => ({ address: i === 0 && entering ? entering : btcAddress(c.rand), sats: 1_000_000 + Math.round(between(c, 5_000, 100_000)) }));
  const outputs = Array.from({ length: 5 }, (_, i) => ({ address: i === 0 && leaving ? leaving : btcAddress(c.rand), sats: 1_000_000 }));
  emit(c, time, bitcoinTx(inputs, outputs, time, c.rand));
  return outputs.map((o) => o.address);
}

/**
 * A mix that pays an exchange deposit address straight from one of its outputs, and the deposit
 * as an exchange records it when it cannot say which input paid: no senders, the mix's txid.
 */
export function mixerPayoutCell(c: ExposureCtx): void {
  const t = c.start + between(c, 5, 40) * DAY;
  const paidByMix = planted(c, 'mixer-exposure');
  const depositAddress = btcAddress(c.rand);
  whirlpool(c, t, undefined, depositAddress);
  const mix = c.out[c.out.length - 1]!.line;
  const recorded = JSON.parse(transfer({ eventId: nextId(c, 'ev-xp'), kind: 'deposit', time: t + 3 * HOUR, accountId: paidByMix, chain: 'bitcoin', asset: 'BTC', amount: 0.01, to: depositAddress, customer }, c.rand)) as Record<string, unknown>;
  emit(c, t + 3 * HOUR, JSON.stringify({ ...recorded, txHash: (JSON.parse(mix) as { txid: string }).txid, from: [] }));
}

export function mixerCell(c: ExposureCtx): void {
  const t = c.start + between(c, 5, 40) * DAY;
  const intoMix = planted(c, 'mixer-exposure');
  const w = btcAddress(c.rand);
  withdrawal(c, intoMix, t, 'bitcoin', 'BTC', 0.0105, w);
  whirlpool(c, t + between(c, 6, 72) * HOUR, w);
  const fromMix = planted(c, 'mixer-exposure');
  const [o1] = whirlpool(c, t + 2 * DAY);
  const a = btcAddress(c.rand);
  emit(c, t + 3 * DAY, bitcoinTx([{ address: o1!, sats: 1_000_000 }], [{ address: a, sats: 998_000 }], t + 3 * DAY, c.rand));
  deposit(c, fromMix, t + 4 * DAY, 'bitcoin', 'BTC', 0.00998, a);
}

export function mixerLookalikes(c: ExposureCtx): void {
  const t = c.start + between(c, 5, 40) * DAY;
  const stonewall = lookalike(c, 'withdraws to an address later spent in a Stonewall transaction (one wallet, mimics a mini CoinJoin)');
  const w = btcAddress(c.rand);
  withdrawal(c, stonewall, t, 'bitcoin', 'BTC', 0.02, w);
  emit(c, t + DAY, bitcoinTx([{ address: w, sats: 2_000_000 }, { address: btcAddress(c.rand), sats: 1_500_000 }], [{ address: btcAddress(c.rand), sats: 1_000_000 }, { address: btcAddress(c.rand), sats: 1_000_000 }, { address: btcAddress(c.rand), sats: 731_234 }, { address: btcAddress(c.rand), sats: 764_321 }], t + DAY, c.rand));
  const far = lookalike(c, 'deposit of funds three hops from a CoinJoin output (low only)');
  const [o1] = whirlpool(c, t);
  let prev = o1!;
  let sats = 1_000_000;
  for (let hop = 1; hop <= 3; hop++) {
    const next = btcAddress(c.rand);
    emit(c, t + hop * DAY, bitcoinTx([{ address: prev, sats }], [{ address: next, sats: sats - 2_000 }], t + hop * DAY, c.rand));
    prev = next;
    sats -= 2_000;
  }
  deposit(c, far, t + 4 * DAY, 'bitcoin', 'BTC', sats / 1e8, prev);
}

interface RiskyServices {
  swap: string;
  gambling: string;
  otc: string;
  exchange: string;
  payroll: string;
}

function riskyServices(c: ExposureCtx): RiskyServices {
  const s = { swap: evmAddress(c.rand), gambling: evmAddress(c.rand), otc: tronAddress(c.rand), exchange: evmAddress(c.rand), payroll: evmAddress(c.rand) };
  const at = c.start - DAY;
  emit(c, at, label('ethereum', s.swap, 'no-kyc-swap', 'Instant swap, no KYC', at));
  emit(c, at, label('ethereum', s.gambling, 'gambling', 'Crypto casino', at));
  emit(c, at, label('tron', s.otc, 'otc-desk', 'Unlicensed OTC desk', at));
  emit(c, at, label('ethereum', s.exchange, 'exchange', 'Licensed exchange', at));
  emit(c, at, label('ethereum', s.payroll, 'payroll-platform', 'Payroll platform', at));
  return s;
}

export function highRiskServiceCell(c: ExposureCtx): void {
  const s = riskyServices(c);
  const t = c.start + between(c, 5, 40) * DAY;
  withdrawal(c, planted(c, 'high-risk-service'), t, 'ethereum', 'USDT', Math.round(between(c, 1000, 9000)), s.swap);
  const gambler = planted(c, 'high-risk-service');
  const a = evmAddress(c.rand);
  emit(c, t + DAY, tokenLog('ethereum', USDT_ETH, s.gambling, a, 4000, t + DAY, c.rand));
  deposit(c, gambler, t + 2 * DAY, 'ethereum', 'USDT', 3990, a);
  withdrawal(c, planted(c, 'high-risk-service'), t + 3 * DAY, 'tron', 'USDT', Math.round(between(c, 5000, 20000)), s.otc);
}

export function highRiskServiceLookalikes(c: ExposureCtx): void {
  const s = riskyServices(c);
  const t = c.start + between(c, 5, 40) * DAY;
  withdrawal(c, lookalike(c, 'withdraws to a licensed exchange'), t, 'ethereum', 'USDT', 3000, s.exchange);
  deposit(c, lookalike(c, 'paid by a payroll platform'), t + DAY, 'ethereum', 'USDC', 5000, s.payroll);
  const late = lookalike(c, 'withdraws to its own address, which pays a gambling site only weeks later (past the hop window)');
  const own = evmAddress(c.rand);
  withdrawal(c, late, t + 2 * DAY, 'ethereum', 'USDT', 2000, own);
  emit(c, t + 30 * DAY, tokenLog('ethereum', USDT_ETH, own, s.gambling, 500, t + 30 * DAY, c.rand));
}

function theft(c: ExposureCtx, at: number, reportedAt: number): string {
  const thief = evmAddress(c.rand);
  emit(c, reportedAt, JSON.stringify({ ...JSON.parse(label('ethereum', thief, 'stolen-funds', 'DeFi exploit (operator intel)', at)), source: 'operator:stolen-funds' }));
  return thief;
}

export function stolenFundsCell(c: ExposureCtx): void {
  const t = c.start + between(c, 10, 40) * DAY;
  const lateReport = c.rand() < 0.5;
  const thief = theft(c, t, lateReport ? t + 10 * DAY : t);
  const oneHop = planted(c, 'stolen-funds');
  const a = evmAddress(c.rand);
  emit(c, t + DAY, tokenLog('ethereum', USDC_ETH, thief, a, 50_000, t + DAY, c.rand));
  deposit(c, oneHop, t + 2 * DAY, 'ethereum', 'USDC', 49_900, a);
  deposit(c, planted(c, 'stolen-funds'), t + between(c, 15, 30) * DAY, 'ethereum', 'USDC', 20_000, thief);
}

export function stolenFundsLookalikes(c: ExposureCtx): void {
  const t = c.start + between(c, 25, 40) * DAY;
  const thief = theft(c, t, t);
  const pastWindow = lookalike(c, 'deposit of funds from a theft address 56 days after the theft (past the laundering window)');
  const a = evmAddress(c.rand);
  emit(c, t + 55 * DAY, tokenLog('ethereum', USDC_ETH, thief, a, 8000, t + 55 * DAY, c.rand));
  deposit(c, pastWindow, t + 56 * DAY, 'ethereum', 'USDC', 7990, a);
  const before = lookalike(c, 'paid by an address weeks before that address received stolen funds');
  const b = evmAddress(c.rand);
  emit(c, t - 20 * DAY, tokenLog('ethereum', USDC_ETH, thief, b, 3000, t - 20 * DAY, c.rand));
  deposit(c, before, t - 19 * DAY, 'ethereum', 'USDC', 2990, b);
}

/** Every cell and lookalike above, `times` over (what `simulate` adds to its stream). */
export function exposureTypologies(c: ExposureCtx, times: number): void {
  for (let i = 0; i < times; i++) {
    issuerBlacklistCell(c);
    issuerBlacklistLookalikes(c);
    mixerCell(c);
    mixerLookalikes(c);
    highRiskServiceCell(c);
    highRiskServiceLookalikes(c);
    stolenFundsCell(c);
    stolenFundsLookalikes(c);
  }
}

/** Rule-case builders per new typology folder (scripts/make-rule-cases.ts). */
export const EXPOSURE_CASE_BUILDERS: Record<string, { positive: (c: ExposureCtx) => void; negative: (c: ExposureCtx) => void }> = {
  'issuer-blacklist': { positive: issuerBlacklistCell, negative: issuerBlacklistLookalikes },
  'mixer-exposure': { positive: (c) => { mixerCell(c); mixerPayoutCell(c); }, negative: mixerLookalikes },
  'high-risk-service': { positive: highRiskServiceCell, negative: highRiskServiceLookalikes },
  'stolen-funds': { positive: stolenFundsCell, negative: stolenFundsLookalikes },
};
