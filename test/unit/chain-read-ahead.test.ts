/**
 * The graph's retention runs on the exchange's clock: chain data read months ahead of the
 * exchange's transfers (a backfill, an exchange feed that lagged) expires nothing those transfers
 * still read. A flow from a labelled address, read with a chain message dated ten months later,
 * still exposes the deposit that follows it in event time.
 */
import { describe, expect, it } from 'vitest';
import { replayFiles } from '../../src/replay/replay.js';
import { serialiseAlert } from '../../src/sinks/serialise.js';
import { rules } from '../helpers/sample.js';

const LABEL = '{"schema":"intel.label.v1","chain":"ethereum","address":"0xf70af935b72e161874480ceacf391288c4e5299d","label":"stolen-funds","entity":"DeFi exploit (operator intel)","source":"operator:stolen-funds","confidence":0.9,"observedAt":"2025-01-17T20:40:17.109Z"}';
const LOG = '{"schema":"chain.evm.log.v1","chain":"ethereum","txHash":"0x8800e76613c994f4f4d1f9c4156788c330d6f8e0ccbd7f3748cd7d7d2e0fdb4a","logIndex":59,"blockNumber":21769401,"blockTime":"2025-01-18T20:40:17.109Z","address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x000000000000000000000000f70af935b72e161874480ceacf391288c4e5299d","0x000000000000000000000000cea0f1fa5d4524d703f750922a5591a56a1c3c1b"],"data":"0x0000000000000000000000000000000000000000000000000000000ba43b7400"}';
const DEPOSIT = '{"schema":"exchange.transfer.v1","eventId":"ev-xp-000071ef52","kind":"deposit","occurredAt":"2025-01-19T20:40:17.109Z","accountId":"acct-xp-000070698","chain":"ethereum","asset":"USDC","amount":"49900.00","usdValue":49900,"txHash":"0x9be69a18dffb00e312a432cfbd8c70db4b50d957741347469a2d35bc887aefac","from":["0xcea0f1fa5d4524d703f750922a5591a56a1c3c1b"],"to":"0x76861195efbd671ffcc8d7120e3b2ba7e4ec1c9b","customer":{"type":"individual","kycCountry":"US","createdAt":"2024-06-01T00:00:00.000Z"}}';
// Chain data of ten months later, between two unrelated addresses.
const LATER_LOG = '{"schema":"chain.evm.log.v1","chain":"ethereum","txHash":"0x1111111111111111111111111111111111111111111111111111111111111111","logIndex":1,"blockNumber":23000000,"blockTime":"2025-11-18T20:40:17.109Z","address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x0000000000000000000000001111111111111111111111111111111111111111","0x0000000000000000000000002222222222222222222222222222222222222222"],"data":"0x0000000000000000000000000000000000000000000000000000000ba43b7400"}';

async function alertsOf(lines: string[]): Promise<string[]> {
  const replay = await replayFiles({ files: [], records: lines.map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: [] });
  return replay.alerts.map(serialiseAlert).sort();
}

describe('chain data read ahead of the exchange data', () => {
  it('exposes the deposit as the in-order stream does', async () => {
    const inOrder = await alertsOf([LABEL, LOG, DEPOSIT, LATER_LOG]);
    expect(inOrder.filter((a) => a.includes('"ruleId":"stolen-funds.proximity"'))).toHaveLength(1);
    expect(await alertsOf([LABEL, LOG, LATER_LOG, DEPOSIT])).toEqual(inOrder);
  });
});
