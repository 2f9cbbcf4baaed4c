/**
 * EVM and Tron logs: ERC-20/TRC-20 `Transfer(address,address,uint256)` is decoded with an ethers
 * Interface; every other log is ignored (not rejected). A small token registry gives symbols
 * and decimals; unknown tokens keep their raw base-unit amount and no USD value.
 */
import { Interface } from 'ethers/abi';
import { getBigInt } from 'ethers/utils';
import type { Chain } from '../contract/primitives.js';
import { addressKey, tronKeyOfAccountHex, type AddressKey } from './address.js';

const erc20 = new Interface(['event Transfer(address indexed from, address indexed to, uint256 value)']);
export const TRANSFER_TOPIC = erc20.getEvent('Transfer')!.topicHash;

export interface TokenInfo {
  symbol: string;
  decimals: number;
  /** Stablecoins count 1:1 in USD when the exchange gave no usdValue. */
  usdPeg?: number;
}

/**
 * The registered tokens, per chain: a contract address names a token on its own chain only (the
 * same address on another EVM chain is another contract, or none; QA: Ethereum's USDT address
 * emitting on BSC was read as USDT with 6 decimals, where BSC's USDT has 18 at another address).
 * Tron contracts are keyed by base58, EVM by lower-case hex.
 */
const REGISTERED: readonly [Chain, AddressKey, TokenInfo][] = [
  ['ethereum', 'evm:0xdac17f958d2ee523a2206206994597c13d831ec7', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['ethereum', 'evm:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['ethereum', 'evm:0x6b175474e89094c44da98b954eedeac495271d0f', { symbol: 'DAI', decimals: 18, usdPeg: 1 }],
  ['polygon', 'evm:0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['polygon', 'evm:0xc2132d05d31c914a87c6611c10748aeb04b58e8f', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['arbitrum', 'evm:0xaf88d065e77c8cc2239327c5edb3a432268e5831', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['arbitrum', 'evm:0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['base', 'evm:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['bsc', 'evm:0x55d398326f99059ff775485246999027b3197955', { symbol: 'USDT', decimals: 18, usdPeg: 1 }],
  ['bsc', 'evm:0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d', { symbol: 'USDC', decimals: 18, usdPeg: 1 }],
  ['polygon', 'evm:0x2791bca1f2de4661ed88a30c99a7a9449aa84174', { symbol: 'USDC', decimals: 6, usdPeg: 1 }], // bridged USDC.e
  ['arbitrum', 'evm:0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', { symbol: 'USDC', decimals: 6, usdPeg: 1 }], // bridged USDC.e
  ['optimism', 'evm:0x0b2c639c533813f4aa9d7837caf62653d097ff85', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['optimism', 'evm:0x94b008aa00579c1307b0ef2c499ad98a8ce58e58', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['avalanche', 'evm:0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['avalanche', 'evm:0x9702230a8ea53601f5cd2dc00fdbc13d4df4a8c7', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['linea', 'evm:0x176211869ca2b568f2a7d4ee941e073a821ee1ff', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['linea', 'evm:0xa219439258ca9da29e9cc4ce5596924745e12b93', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['zksync', 'evm:0x1d17cbcf0d6d143135ae902365d2e5e2a16538d4', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['zksync', 'evm:0x493257fd37edb34451f62edf8d2a0c418852ba4c', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['scroll', 'evm:0x06efdbff2a14a7c8e15944d1f4a48f9f95f663a4', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['gnosis', 'evm:0xddafbb505ad214d7b80b1f830fccc89b60fb7a83', { symbol: 'USDC', decimals: 6, usdPeg: 1 }], // bridged
  ['mantle', 'evm:0x09bc4e0d864854c6afb6eb9a9cdf58ac190d0df9', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['celo', 'evm:0xceba9300f2b948710d2653dd7b07f33a8b32118c', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
  ['celo', 'evm:0x48065fbbe25f71c9282ddf5e1cd6d6a887483d5e', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['tron', 'tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', { symbol: 'USDT', decimals: 6, usdPeg: 1 }],
  ['tron', 'tron:TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8', { symbol: 'USDC', decimals: 6, usdPeg: 1 }],
];

/** Contract key → its token on each chain where it is registered (no key built per look-up). */
const TOKENS = new Map<AddressKey, Partial<Record<Chain, TokenInfo>>>();
for (const [chain, key, info] of REGISTERED) TOKENS.set(key, { ...TOKENS.get(key), [chain]: info });

/** The token a contract is on `chain`, if registered. */
export function tokenInfo(chain: Chain, contract: AddressKey): TokenInfo | undefined {
  return TOKENS.get(contract)?.[chain];
}

/**
 * Whether a flow edge's asset is a token no registry knows: its asset is then the contract's
 * address key (`evm:0x…`, `tron:T…`), never a symbol. Anyone can deploy one and emit Transfer
 * logs between any two addresses, so such a log proves no value moved and no one's control.
 */
export const isUnregisteredToken = (asset: string): boolean => asset.includes(':');

export interface DecodedTokenTransfer {
  token: AddressKey;
  from: AddressKey;
  to: AddressKey;
  value: bigint;
}

/** An indexed address is 12 zero bytes then 20 address bytes; anything else is not an address. */
const INDEXED_ADDRESS = /^0x0{24}[0-9a-fA-F]{40}$/;

/** The account key of an indexed address topic, or undefined if the topic is not one. */
export function accountFromTopic(chain: Chain, topic: string): AddressKey | undefined {
  if (!INDEXED_ADDRESS.test(topic)) return undefined;
  const hex20 = topic.slice(-40).toLowerCase();
  // Tron keys are cached by the account's bytes, and filed there when an exchange message names the address first.
  return chain === 'tron' ? tronKeyOfAccountHex(hex20) : `evm:0x${hex20}`;
}

/** The generic ethers decoder, kept as the reference the fast path is tested against. */
export function decodeTransferLogWithInterface(topics: string[], data: string): bigint {
  return (erc20.decodeEventLog('Transfer', data, topics) as unknown as { value: bigint }).value;
}

/** Decodes a Transfer log, or returns undefined for any other log. `contractKey`: the contract's key when the caller has it (saves a cache look-up). */
export function decodeTransferLog(chain: Chain, contract: string, topics: string[], data: string, contractKey?: AddressKey): DecodedTokenTransfer | undefined {
  if (topics.length !== 3 || topics[0]!.toLowerCase() !== TRANSFER_TOPIC) return undefined;
  // The fixed ABI layout of Transfer(address indexed, address indexed, uint256): two address
  // topics and one 32-byte word of data. Decoded with ethers' primitives rather than the generic
  // Interface.decodeEventLog, which costs as much as the rest of the pipeline put together.
  const from = accountFromTopic(chain, topics[1]!);
  const to = accountFromTopic(chain, topics[2]!);
  if (!from || !to || data.length !== 66) return undefined; // ERC-721 and other look-alikes are not ours
  return { token: contractKey ?? addressKey(chain, contract), from, to, value: getBigInt(data) };
}

/** The most decimals any registered token of `symbol` has on `chain` (undefined: none registered). */
export function registeredDecimals(chain: Chain, symbol: string): number | undefined {
  return DECIMALS_BY_CHAIN.get(chain)?.get(symbol);
}

/** Chain → symbol → most decimals: a look-up joins no `chain:symbol` string (one per exchange transfer). */
const DECIMALS_BY_CHAIN = new Map<string, Map<string, number>>();
for (const [chain, , info] of REGISTERED) {
  let bySymbol = DECIMALS_BY_CHAIN.get(chain);
  if (bySymbol === undefined) DECIMALS_BY_CHAIN.set(chain, (bySymbol = new Map()));
  bySymbol.set(info.symbol, Math.max(bySymbol.get(info.symbol) ?? 0, info.decimals));
}
