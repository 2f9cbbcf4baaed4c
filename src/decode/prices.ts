/**
 * USD valuation at decode, before any market price is known: the exchange's own `usdValue`, else
 * stablecoins 1:1, else a price table. The table is configuration (a JSON file of symbol → USD),
 * not a live feed: a replay must give the same values every time. The defaults are round figures
 * for early 2025. The pipeline replaces a peg or table value with a `market.price.v1` price when
 * one is fresh enough (src/money/price-book.ts); the exchange's own value always stands.
 */
import { Decimal } from '../money/decimal.js';

export type PriceTable = Readonly<Record<string, number>>;

/** Where a USD value came from: `exchange`, `peg`, `table`, or `market.prices:<source>@<observedAt>`. */
export type UsdSource = string;

export interface Valuation {
  usd: Decimal | null;
  source: UsdSource | null;
}

export const STABLECOINS = new Set(['USDT', 'USDC', 'DAI', 'BUSD', 'TUSD', 'USDP', 'FDUSD', 'PYUSD', 'USDE']);

export const DEFAULT_PRICES: PriceTable = Object.freeze({ BTC: 95_000, ETH: 3_300, TRX: 0.25, BNB: 650, MATIC: 0.45, POL: 0.45, AVAX: 35, ARB: 0.8, OP: 2 });

const UNPRICED: Valuation = Object.freeze({ usd: null, source: null });

/** Each table's prices as exact decimals, read once per table. */
const tableDecimals = new WeakMap<PriceTable, Map<string, Decimal>>();

function tablePrice(prices: PriceTable, symbol: string): Decimal | undefined {
  let exact = tableDecimals.get(prices);
  if (!exact) tableDecimals.set(prices, (exact = new Map(Object.entries(prices).map(([k, v]) => [k, Decimal.fromNumber(v)]))));
  return exact.get(symbol);
}

/** `given` is the exchange's usdValue, read as the decimal its JSON text names. */
export function usdOf(asset: string, amount: Decimal, prices: PriceTable, given?: number): Valuation {
  if (given !== undefined) return { usd: Decimal.fromNumber(given), source: 'exchange' };
  const symbol = asset.toUpperCase();
  if (STABLECOINS.has(symbol)) return { usd: amount, source: 'peg' };
  const price = tablePrice(prices, symbol);
  return price === undefined ? UNPRICED : { usd: amount.times(price), source: 'table' };
}
