/**
 * A token contract is registered per chain: the same address on another EVM chain is another
 * contract (QA, session 26: Ethereum's USDT address emitting on BSC was read as USDT with 6
 * decimals and pegged to the dollar).
 */
import { describe, expect, it } from 'vitest';
import { TRANSFER_TOPIC } from '../../src/chain/evm.js';
import { decodeMessage } from '../../src/decode/decode.js';

const topic = (address: string): string => `0x${'0'.repeat(24)}${address.slice(2)}`;
const log = (chain: string, contract: string): string => JSON.stringify({
  schema: 'chain.evm.log.v1', chain, txHash: `0x${'cd'.repeat(32)}`, logIndex: 3, blockNumber: 40_000_000, blockTime: '2025-03-01T00:00:00Z', address: contract,
  topics: [TRANSFER_TOPIC, topic('0x52908400098527886e0f7030069857d2e4169ee7'), topic('0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae')], data: `0x${(5_000_000n).toString(16).padStart(64, '0')}`,
});

function transferOf(line: string): { asset: string; amount: string; usd: string | null } {
  const r = decodeMessage(line);
  if (!r.ok || r.event.type !== 'chain') throw new Error('not a chain event');
  const t = r.event.transfers[0]!;
  return { asset: t.asset, amount: t.amount.toString(), usd: t.usd?.toString() ?? null };
}

describe('the token registry', () => {
  const ETHEREUM_USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';

  it('reads Ethereum\'s USDT contract as USDT on Ethereum', () => {
    expect(transferOf(log('ethereum', ETHEREUM_USDT))).toEqual({ asset: 'USDT', amount: '5', usd: '5' });
  });

  it('reads the same address on BSC as an unregistered token, with no decimals and no USD value', () => {
    expect(transferOf(log('bsc', ETHEREUM_USDT))).toEqual({ asset: 'evm:0xdac17f958d2ee523a2206206994597c13d831ec7', amount: '5000000', usd: null });
  });

  it('reads BSC\'s own USDT with its 18 decimals', () => {
    expect(transferOf(log('bsc', '0x55d398326f99059fF775485246999027B3197955'))).toEqual({ asset: 'USDT', amount: '0.000000000005', usd: '0.000000000005' });
  });
});
