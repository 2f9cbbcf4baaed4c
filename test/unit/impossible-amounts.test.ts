/**
 * An amount that cannot be is refused with its field and reason, not valued and judged: an
 * exchange transfer worth more than every crypto-asset in existence at its peg or the price
 * table, and Bitcoin values past the 21 million BTC that will ever exist.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { bitcoinTx, prng } from '../../src/simulate/builders.js';
import { derivedBtc } from '../../src/simulate/derived.js';

const transfer = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'deposit', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1',
  chain: 'bitcoin', asset: 'BTC', amount: '0.5', from: [derivedBtc(1, 1)], to: derivedBtc(2, 2),
};

function verdict(message: unknown): string {
  const r = decodeMessage(JSON.stringify(message));
  return r.ok ? 'accepted' : `${r.reject.code} ${r.reject.issues?.[0]?.path ?? ''}: ${r.reject.reason}`;
}

describe('impossible amounts', () => {
  it('refuses a transfer worth more than 10^13 USD at the price table, whatever usdValue the exchange gave', () => {
    expect(verdict(transfer)).toBe('accepted');
    expect(verdict({ ...transfer, amount: '20000000' })).toBe('accepted'); // 1.9 × 10^12 USD: possible
    const huge = verdict({ ...transfer, amount: '999999999999999999999999999999.999999999999999999' });
    expect(huge).toMatch(/^TW_SCHEMA amount: exchange\.transfer\.v1: amount: 999999999999999999999999999999\.999999999999999999 BTC is worth more than 1e\+13 USD at the price table: an impossible amount$/);
    expect(verdict({ ...transfer, amount: '200000000', usdValue: 100 })).toMatch(/^TW_SCHEMA amount: .*impossible amount$/);
  });

  it('refuses more bitcoin than will ever exist, whatever it is worth at the table (session 42 QA: 30,000,000 BTC was accepted)', () => {
    expect(verdict({ ...transfer, amount: '21000000' })).toBe('accepted');
    expect(verdict({ ...transfer, amount: '30000000' })).toMatch(/^TW_SCHEMA amount: .*30000000 BTC is more than the 21,000,000 BTC that will ever exist: an impossible amount$/);
  });

  it('refuses a stablecoin amount past the bound at its peg, and bounds an unpriced token by the schema alone', () => {
    const usdt = { ...transfer, chain: 'ethereum', asset: 'USDT', from: ['0x52908400098527886e0f7030069857d2e4169ee7'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae' };
    expect(verdict({ ...usdt, amount: '10000000000000' })).toBe('accepted');
    expect(verdict({ ...usdt, amount: '10000000000000.01' })).toMatch(/at the stablecoin peg: an impossible amount$/);
    expect(verdict({ ...usdt, asset: 'SHIB', amount: '999999999999999999999999999999' })).toBe('accepted');
    expect(verdict({ ...usdt, asset: 'SHIB', amount: '1' + '0'.repeat(30) })).toMatch(/^TW_SCHEMA amount: .*at most 30 whole digits/);
  });

  it('refuses a Bitcoin transaction whose prevouts or outputs hold more than 21 million BTC', () => {
    const rand = prng(3);
    const line = bitcoinTx([{ address: derivedBtc(1, 1), sats: 50_000 }], [{ address: derivedBtc(2, 2), sats: 40_000 }], Date.UTC(2025, 0, 2), rand);
    const tx = JSON.parse(line) as { prevouts: { address: string; value: string }[] };
    expect(verdict(tx)).toBe('accepted');
    tx.prevouts[0]!.value = '2100000000000001';
    expect(verdict(tx)).toMatch(/^TW_TXID txid: .*prevouts hold 2100000000000001 satoshis, more than the 21 million BTC/);
    tx.prevouts[0]!.value = '10000'; // a negative fee: prevout values approximated by a producer are accepted
    expect(verdict(tx)).toBe('accepted');
  });
});

describe('implausible market prices and token amounts on chain', () => {
  const price = (asset: string, value: string): unknown => ({ schema: 'market.price.v1', asset, quote: 'USD', price: value, observedAt: '2025-01-16T09:30:00Z', source: 'feed' });

  it('refuses a price of more than 10^7 USD a unit, and a stablecoin priced far from its peg; accepts plausible ones', () => {
    expect(verdict(price('BTC', '97000.5'))).toBe('accepted');
    expect(verdict(price('USDT', '0.998'))).toBe('accepted');
    expect(verdict(price('USDT', '1000000000000000'))).toMatch(/^TW_SCHEMA price: .*more than 10000000: a unit or feed error$/);
    expect(verdict(price('USDC', '3'))).toMatch(/^TW_SCHEMA price: .*a stablecoin pegged at 1 USD, is outside 0\.5 to 1\.5: a feed error$/);
    expect(verdict(price('BTC', '20000000'))).toMatch(/^TW_SCHEMA price: /);
  });

  it('refuses a registered token Transfer log worth more than 10^13 USD (2^256 - 1 USDT)', () => {
    const topic = (n: number): string => '0x' + n.toString(16).padStart(64, '0');
    const log = (data: string): unknown => ({
      schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: '0x' + 'cd'.repeat(32), logIndex: 1, blockNumber: 1, blockTime: '2025-01-16T09:30:00Z', address: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
      topics: ['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', topic(1), topic(2)], data,
    });
    expect(verdict(log(topic(5_000_000_000)))).toBe('accepted');
    expect(verdict(log('0x' + 'f'.repeat(64)))).toMatch(/^TW_SCHEMA data: .*USDT is worth more than 1e\+13 USD at the stablecoin peg: an impossible amount$/);
  });

  it('moves no value for a log a chain reorganisation removed, under an id of its own', () => {
    const topic = (n: number): string => '0x' + n.toString(16).padStart(64, '0');
    const transfer = {
      schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: '0x' + 'cd'.repeat(32), logIndex: 1, blockNumber: 1, blockTime: '2025-01-16T09:30:00Z', address: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
      topics: ['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', topic(1), topic(2)], data: topic(5_000_000), removed: false,
    };
    const kept = decodeMessage(JSON.stringify(transfer));
    expect(kept.ok && kept.event.type === 'chain' && kept.event.transfers.length).toBe(1);
    const removed = decodeMessage(JSON.stringify({ ...transfer, removed: true }));
    expect(removed.ok && removed.event.type).toBe('ignored');
    // The removal must not mark the log's own id as seen: a pipeline that read the removal first still applies the log.
    expect(removed.ok && kept.ok && removed.event.eventId !== kept.event.eventId).toBe(true);
    expect(verdict({ ...transfer, removed: 'yes' })).toMatch(/^TW_SCHEMA removed/);
  });
});

describe('native EVM transactions', () => {
  const tx = {
    schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${'ab'.repeat(32)}`, blockNumber: 21_000_000, blockTime: '2025-01-16T09:30:00Z',
    from: '0x52908400098527886e0f7030069857d2e4169ee7', to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', value: '1000000000000000000',
  };

  it('refuses a value worth more than 10^13 USD, as a token amount is', () => {
    expect(verdict(tx)).toBe('accepted');
    expect(verdict({ ...tx, value: (2n ** 256n - 1n).toString() })).toMatch(/^TW_SCHEMA value: .*ETH is worth more than 1e\+13 USD at the price table: an impossible amount$/);
  });

  it('moves no value for a transaction whose receipt says it failed', () => {
    const failed = decodeMessage(JSON.stringify({ ...tx, status: '0x0' }));
    expect(failed.ok && failed.event.type).toBe('ignored');
    for (const status of ['0x1', 1]) {
      const ok = decodeMessage(JSON.stringify({ ...tx, status }));
      expect(ok.ok && ok.event.type === 'chain' && ok.event.transfers.length).toBe(1);
    }
    expect(verdict({ ...tx, status: 'failed' })).toMatch(/^TW_SCHEMA status/);
  });
});

describe('amounts an asset cannot have on its chain', () => {
  it('refuses an amount finer than its asset\'s smallest unit on its chain, and keeps trailing zeros and unregistered tokens (session 44 chain QA)', () => {
    expect(verdict({ ...transfer, amount: '0.12345678' })).toBe('accepted');
    expect(verdict({ ...transfer, amount: '0.12345678000' })).toBe('accepted');
    expect(verdict({ ...transfer, amount: '0.123456789' })).toBe('TW_SCHEMA amount: exchange.transfer.v1: amount: 0.123456789 BTC has 9 decimal places, but BTC on bitcoin has 8: finer than its smallest unit, an amount no transfer can carry');
    const evm = { ...transfer, from: ['0x52908400098527886e0f7030069857d2e4169ee7'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae' };
    expect(verdict({ ...evm, chain: 'ethereum', asset: 'USDT', amount: '1.1234567' })).toMatch(/1\.1234567 USDT has 7 decimal places, but USDT on ethereum has 6/);
    expect(verdict({ ...evm, chain: 'bsc', asset: 'USDT', amount: '1.123456789012' })).toBe('accepted'); // BSC's USDT has 18
    expect(verdict({ ...evm, chain: 'ethereum', asset: 'ETH', amount: '0.' + '1'.repeat(18) })).toBe('accepted');
    expect(verdict({ ...evm, chain: 'ethereum', asset: 'PEPE', amount: '0.' + '1'.repeat(18) })).toBe('accepted'); // no registry entry: not judged
    expect(verdict({ ...transfer, chain: 'tron', asset: 'TRX', amount: '1.1234567', from: ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'], to: 'TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8' })).toMatch(/TRX on tron has 6/);
  });

  it('refuses another chain\'s coin on the bitcoin chain, and more ether than there is', () => {
    expect(verdict({ ...transfer, asset: 'ETH', amount: '1' })).toBe("TW_SCHEMA asset: exchange.transfer.v1: asset: ETH is another chain's coin: the bitcoin chain carries BTC (and tokens such as Omni's), never ETH");
    expect(verdict({ ...transfer, asset: 'USDT', amount: '100' })).toBe('accepted'); // Omni USDT
    const eth = { ...transfer, chain: 'ethereum', asset: 'ETH', from: ['0x52908400098527886e0f7030069857d2e4169ee7'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae' };
    expect(verdict({ ...eth, amount: '200000000' })).toBe('accepted');
    expect(verdict({ ...eth, amount: '200000001' })).toMatch(/200000001 ETH is more than all the ether there is/);
  });
});
