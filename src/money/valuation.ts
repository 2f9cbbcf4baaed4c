/**
 * A transfer's USD value from the market: the order is the exchange's own usdValue (kept as
 * decoded), else the newest market.price.v1 price before the transfer within the price book's
 * staleness, else the decode-time fallbacks (stablecoins 1:1, then the fixed table). The source
 * is named: `market.prices:<source>@<observedAt>`.
 */
import type { ChainEvent, TransferEvent } from '../decode/events.js';
import type { PriceBook } from './price-book.js';

/** The prefix of a market price's USD source. */
export const MARKET_SOURCE = 'market.prices:';

interface Valued {
  amount: TransferEvent['amount'];
  usd: TransferEvent['usd'];
  usdSource: TransferEvent['usdSource'];
}

/** Re-values in place from the price book, unless the exchange gave its own value. */
function revalue(book: PriceBook, asset: string, item: Valued, time: number): void {
  if (item.usdSource === 'exchange') return;
  const point = book.at(asset.toUpperCase(), time);
  if (!point) return;
  item.usd = item.amount.times(point.price);
  item.usdSource = `${MARKET_SOURCE}${point.source}@${point.observedAt}`;
}

export function valueTransfer(book: PriceBook, event: TransferEvent): void {
  if (book.assets > 0) revalue(book, event.msg.asset, event, event.time);
}

export function valueChainTransfers(book: PriceBook, event: ChainEvent): void {
  if (book.assets === 0) return;
  for (const t of event.transfers) revalue(book, t.asset, t, event.time);
}
