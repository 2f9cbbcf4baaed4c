/**
 * A deterministic generator of contract streams for benchmarks: benign traffic (logins, deposits,
 * withdrawals, ERC-20 Transfer logs) across many accounts, in event-time order. Built from the same
 * message builders as `tidewatch simulate`.
 */
import { evmAddress, login, prng, tokenLog, transfer, USDT_ETH } from '../simulate/builders.js';

export interface GenerateOptions {
  messages: number;
  accounts: number;
  seed: number;
  start?: number;
}

/** Each benign account keeps its own home IP, as most customers do. */
const ipOf = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Yields JSON lines: ~55% logins, ~35% transfers, ~10% ERC-20 Transfer logs, in event-time order. */
export function* generateStream(opts: GenerateOptions): Generator<string> {
  const rand = prng(opts.seed);
  const pool = Array.from({ length: Math.max(200, opts.accounts * 2) }, () => evmAddress(rand));
  const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };
  let t = opts.start ?? Date.UTC(2025, 0, 1);
  for (let i = 0; i < opts.messages; i++) {
    t += Math.floor(rand() * 20_000);
    const n = Math.floor(rand() * opts.accounts);
    const accountId = `acct-${n.toString(16).padStart(8, '0')}`;
    const session = { ip: ipOf(n), ipCountry: 'US', vpn: false, deviceId: `dev-${accountId}` };
    const eventId = `ev-${opts.seed}-${i}`;
    const r = rand();
    if (r < 0.55) yield login(eventId, t, accountId, { ...session, vpn: rand() < 0.05 });
    else if (r < 0.9) {
      const kind = rand() < 0.6 ? 'deposit' : 'withdrawal';
      const external = pool[Math.floor(rand() * pool.length)]!;
      const depositAddress = pool[n % pool.length]!;
      yield transfer({ eventId, kind, time: t, accountId, chain: 'ethereum', asset: 'USDT', amount: 100 + rand() * 9000, ...(kind === 'deposit' ? { from: [external], to: depositAddress } : { to: external }), session, customer }, rand);
    } else {
      yield tokenLog('ethereum', USDT_ETH, pool[Math.floor(rand() * pool.length)]!, pool[Math.floor(rand() * pool.length)]!, rand() * 10_000, t, rand);
    }
  }
}
