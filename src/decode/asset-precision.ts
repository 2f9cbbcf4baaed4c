/**
 * What an exchange transfer's chain and asset allow its amount to be, past the schema's shape: no
 * amount finer than the asset's smallest unit on that chain (a satoshi, a wei, a sun, a token's
 * base unit), and on Bitcoin no other chain's coin. Such a record is a unit or ledger error (an
 * amount in the wrong unit, a field from another row); taken, it moves balances and sums that no
 * chain ever moved (session 44 chain QA: 0.123456789 BTC, 1.1234567 USDT and ETH on bitcoin were
 * accepted). Assets this table does not know (tokens without a registry entry) are not judged.
 */
import type { Chain } from '../contract/primitives.js';
import { registeredDecimals } from '../chain/evm.js';
import type { Decimal } from '../money/decimal.js';

/** Decimals of each chain's native coin that are not the EVM's 18. */
const NATIVE_DECIMALS: Readonly<Record<string, number>> = { bitcoin: 8, tron: 6 };

/** The smallest unit's decimals of `asset` on `chain`, when known. */
function decimalsOf(chain: Chain, asset: string, nativeSymbol: string): number | undefined {
  if (asset === nativeSymbol) return NATIVE_DECIMALS[chain] ?? 18;
  return registeredDecimals(chain, asset);
}

/**
 * The field and the reason the amount cannot be a transfer of `asset` on `chain`, or undefined
 * when it can. `nativeSymbols` are every chain's coins, `nativeSymbol` this chain's.
 */
export function impossibleForAsset(chain: Chain, asset: string, amount: Decimal, nativeSymbol: string, nativeSymbols: ReadonlySet<string>): { path: 'asset' | 'amount'; reason: string } | undefined {
  const symbol = asset.toUpperCase();
  if (chain === 'bitcoin' && symbol !== nativeSymbol && nativeSymbols.has(symbol)) {
    return { path: 'asset', reason: `${asset} is another chain's coin: the bitcoin chain carries BTC (and tokens such as Omni's), never ${symbol}` };
  }
  const decimals = decimalsOf(chain, symbol, nativeSymbol);
  if (decimals === undefined || amount.scale <= decimals) return undefined;
  return { path: 'amount', reason: `${amount.toString()} ${asset} has ${amount.scale} decimal places, but ${symbol} on ${chain} has ${decimals}: finer than its smallest unit, an amount no transfer can carry` };
}
