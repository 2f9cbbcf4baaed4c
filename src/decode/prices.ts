/**
 * USD valuation when the exchange gave none: stablecoins 1:1, other assets from a price table.
 * The table is configuration (a JSON file of symbol → USD), not a live feed: a replay must give
 * the same values every time. The defaults are round figures for early 2025.
 */
export type PriceTable = Readonly<Record<string, number>>;

export const STABLECOINS = new Set(['USDT', 'USDC', 'DAI', 'BUSD', 'TUSD', 'USDP', 'FDUSD', 'PYUSD', 'USDE']);

export const DEFAULT_PRICES: PriceTable = Object.freeze({ BTC: 95_000, ETH: 3_300, TRX: 0.25, BNB: 650, MATIC: 0.45, POL: 0.45, AVAX: 35, ARB: 0.8, OP: 2 });

export function usdOf(asset: string, amount: number, prices: PriceTable, given?: number): number | null {
  if (given !== undefined) return given;
  const symbol = asset.toUpperCase();
  if (STABLECOINS.has(symbol)) return amount;
  const price = prices[symbol];
  return price === undefined ? null : amount * price;
}
