/**
 * The contract carries "a raw event log as eth_getLogs returns it", and nodes serve block numbers,
 * log indexes and values as 0x quantities. A log copied from a node decodes to the very event the
 * same log with integers gives; a malformed quantity is refused naming its field.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { erc20 } from '../helpers/mainnet.js';

const eventOf = (message: Record<string, unknown>): string => {
  const r = decodeMessage(JSON.stringify(message));
  return r.ok ? JSON.stringify(r.event, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) : `${r.reject.code} ${r.reject.reason}`;
};

describe('0x quantities as a node serves them', () => {
  const { transaction, receipt } = erc20();
  const log = receipt.logs.find((l) => l.topics.length === 3)!;
  const asServed = { schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: log.transactionHash, logIndex: log.logIndex, blockNumber: log.blockNumber, blockTime: '2016-06-23T10:00:00Z', address: log.address, topics: log.topics, data: log.data };

  it('decode a real ERC-20 log with hex logIndex and blockNumber as its integer form does', () => {
    const integers = { ...asServed, logIndex: Number.parseInt(log.logIndex, 16), blockNumber: Number.parseInt(log.blockNumber, 16) };
    expect(eventOf(asServed)).toBe(eventOf(integers));
    expect(eventOf(asServed)).toContain(`"eventId":"log:ethereum:${log.transactionHash.slice(2)}:${Number.parseInt(log.logIndex, 16)}"`);
  });

  it('decode a native transfer whose value and block number are hex as their decimal forms do', () => {
    const tx = { schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: transaction.hash, blockNumber: '0x1ac9f3', blockTime: '2016-06-23T10:00:00Z', from: transaction.from, to: '0xbb9bc244d798123fde783fcc1c72d3bb8c189413', value: '0xde0b6b3a7640000' };
    expect(eventOf(tx)).toBe(eventOf({ ...tx, blockNumber: 1755635, value: '1000000000000000000' }));
    expect(eventOf(tx)).toContain('"asset":"ETH"');
  });

  it('refuse a malformed quantity, naming the field', () => {
    expect(eventOf({ ...asServed, logIndex: '0x' })).toMatch(/^TW_SCHEMA chain\.evm\.log\.v1: logIndex: not a non-negative integer, or a 0x hex quantity/);
    expect(eventOf({ ...asServed, blockNumber: '1755635' })).toMatch(/^TW_SCHEMA chain\.evm\.log\.v1: blockNumber: /);
  });
});
