/** The market price book: per asset, its prices in order as [time, source, price, observedAt]. */
import { Decimal } from '../money/decimal.js';
import type { PriceBook, PricePoint } from '../money/price-book.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { expectSection, openSection, readBatches, writeBatches } from './sections.js';

type PointRow = [time: number, source: string, price: string, observedAt: string];
type AssetRow = [asset: string, points: PointRow[]];

const pointRow = (p: PricePoint): PointRow => [p.time, p.source, p.price.toString(), p.observedAt];
const pointOf = ([time, source, price, observedAt]: PointRow): PricePoint => ({ time, source, price: Decimal.parse(price), observedAt });

export async function writePrices(w: FrameWriter, book: PriceBook): Promise<void> {
  await openSection(w, 'prices', { assets: book.assets });
  await writeBatches(w, book.entries(), ([asset, points]): AssetRow => [asset, points.map(pointRow)]);
}

export async function readPrices(r: FrameReader, book: PriceBook): Promise<void> {
  await expectSection(r, 'prices');
  for await (const [asset, rows] of readBatches<AssetRow>(r)) book.restore(asset, rows.map(pointOf));
}
