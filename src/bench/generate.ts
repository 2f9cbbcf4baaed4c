/**
 * A deterministic generator of contract streams for benchmarks and `tidewatch simulate`: benign
 * traffic (deposits, withdrawals, logins, chain transfers) with planted typologies mixed in.
 */
import { Wallet } from 'ethers';
import { prng } from '../simulate/builders.js';

export { prng };

/** A pool of valid, checksummed EVM addresses derived deterministically (no key material kept). */
export function evmAddresses(count: number, rand: () => number): string[] {
  const out: string[] = [];
  const seedWallet = Wallet.fromPhrase('test test test test test test test test test test test junk');
  for (let i = 0; i < Math.min(count, 64); i++) out.push(seedWallet.deriveChild(i).address);
  // Beyond 64, vary bytes of known-valid addresses and keep them lower-case (valid without checksum).
  while (out.length < count) {
    const hex = Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
    out.push(`0x${hex}`);
  }
  return out;
}

export interface GenerateOptions {
  messages: number;
  accounts: number;
  seed: number;
  start?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** Each benign account keeps its own home IP, as most customers do. */
const ipOf = (account: string): string => { const n = parseInt(account.slice(5), 16); return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`; };

/** Yields JSON lines: ~55% logins, ~35% transfers, ~10% ERC-20 Transfer logs, in event-time order. */
export function* generateStream(opts: GenerateOptions): Generator<string> {
  const rand = prng(opts.seed);
  const pool = evmAddresses(Math.max(200, opts.accounts * 2), rand);
  const accounts = Array.from({ length: opts.accounts }, (_, i) => `acct-${i.toString(16).padStart(8, '0')}`);
  const depositAddress = new Map(accounts.map((a, i) => [a, pool[i % pool.length]!]));
  let t = opts.start ?? Date.UTC(2025, 0, 1);
  const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
  for (let i = 0; i < opts.messages; i++) {
    t += Math.floor(rand() * 20_000);
    const account = accounts[Math.floor(rand() * accounts.length)]!;
    const r = rand();
    const id = `ev-${opts.seed}-${i}`;
    if (r < 0.55) {
      yield JSON.stringify({ schema: 'exchange.login.v1', eventId: id, occurredAt: iso(t), accountId: account, ip: ipOf(account), ipCountry: 'US', vpn: rand() < 0.05, deviceId: `dev-${account}` });
    } else if (r < 0.9) {
      const kind = rand() < 0.6 ? 'deposit' : 'withdrawal';
      const amount = (100 + rand() * 9000).toFixed(2);
      const external = pool[Math.floor(rand() * pool.length)]!;
      yield JSON.stringify({
        schema: 'exchange.transfer.v1', eventId: id, kind, occurredAt: iso(t), accountId: account, chain: 'ethereum', asset: 'USDT', amount, usdValue: Number(amount),
        txHash: `0x${i.toString(16).padStart(64, '0')}`, from: kind === 'deposit' ? [external] : [], to: kind === 'deposit' ? depositAddress.get(account)! : external,
        session: { ip: ipOf(account), ipCountry: 'US', vpn: false, deviceId: `dev-${account}` },
        customer: { type: rand() < 0.1 ? 'business' : 'individual', kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' },
      });
    } else {
      const from = pool[Math.floor(rand() * pool.length)]!.toLowerCase().slice(2).padStart(64, '0');
      const to = pool[Math.floor(rand() * pool.length)]!.toLowerCase().slice(2).padStart(64, '0');
      yield JSON.stringify({
        schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${(i + 1e9).toString(16).padStart(64, '0')}`, logIndex: 0, blockNumber: 21_000_000 + i, blockTime: iso(t),
        address: USDT, topics: ['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', `0x${from}`, `0x${to}`], data: `0x${BigInt(Math.floor(rand() * 1e10)).toString(16).padStart(64, '0')}`,
      });
    }
  }
}
