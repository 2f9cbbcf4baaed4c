/**
 * Stablecoin issuer blacklist events, decoded from chain logs. Checked against the issuers'
 * contract sources:
 * - Tether USDT (Ethereum 0xdAC17F958D2ee523a2206206994597C13D831ec7, Tron
 *   TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t): `event AddedBlackList(address _user)` and
 *   `event RemovedBlackList(address _user)`, the address NOT indexed: it is the one data word.
 * - Circle USDC (FiatToken `Blacklistable`, every USDC contract the token registry knows):
 *   `event Blacklisted(address indexed _account)` and `event UnBlacklisted(address indexed
 *   _account)`, the address in topics[1] and no data.
 * Topic hashes are computed with ethers' `id()` of the canonical signature. Any other log, or one
 * of these from a contract that is not the issuer's, is not a blacklist event.
 */
import { id } from 'ethers/hash';
import type { Chain } from '../contract/primitives.js';
import { addressKey, type AddressKey } from './address.js';
import { accountFromTopic, tokenInfo } from './evm.js';

export type BlacklistIssuer = 'tether' | 'circle';

export interface BlacklistEvent {
  issuer: BlacklistIssuer;
  /** The event's name as the contract emits it, e.g. `AddedBlackList`. */
  event: string;
  /** The name of the event that lists an address for this issuer; the label's source is `<issuer>:<listing>`. */
  listing: string;
  /** True for a removal (RemovedBlackList, UnBlacklisted): it ends the label's validity. */
  removed: boolean;
  address: AddressKey;
  contract: AddressKey;
}

interface Signature {
  issuer: BlacklistIssuer;
  event: string;
  listing: string;
  removed: boolean;
  /** Where the address is: the first data word (Tether) or the first indexed topic (Circle). */
  in: 'data' | 'topic';
}

const SIGNATURES = new Map<string, Signature>([
  [id('AddedBlackList(address)'), { issuer: 'tether', event: 'AddedBlackList', listing: 'AddedBlackList', removed: false, in: 'data' }],
  [id('RemovedBlackList(address)'), { issuer: 'tether', event: 'RemovedBlackList', listing: 'AddedBlackList', removed: true, in: 'data' }],
  [id('Blacklisted(address)'), { issuer: 'circle', event: 'Blacklisted', listing: 'Blacklisted', removed: false, in: 'topic' }],
  [id('UnBlacklisted(address)'), { issuer: 'circle', event: 'UnBlacklisted', listing: 'Blacklisted', removed: true, in: 'topic' }],
]);

/** Tether's blacklist lives in these two contracts only, each on its own chain; bridged USDT elsewhere has other code. */
const TETHER_CONTRACTS: ReadonlyMap<AddressKey, Chain> = new Map<AddressKey, Chain>([['evm:0xdac17f958d2ee523a2206206994597c13d831ec7', 'ethereum'], ['tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'tron']]);

function isIssuerContract(issuer: BlacklistIssuer, chain: Chain, contract: AddressKey): boolean {
  return issuer === 'tether' ? TETHER_CONTRACTS.get(contract) === chain : tokenInfo(chain, contract)?.symbol === 'USDC';
}

/** Topic0 values of the blacklist events, for tests and builders. */
export const BLACKLIST_TOPICS = {
  AddedBlackList: id('AddedBlackList(address)'),
  RemovedBlackList: id('RemovedBlackList(address)'),
  Blacklisted: id('Blacklisted(address)'),
  UnBlacklisted: id('UnBlacklisted(address)'),
} as const;

/** The blacklist event a log carries, or undefined for any other log (never an error). */
export function decodeBlacklistLog(chain: Chain, contractAddress: string, topics: readonly string[], data: string): BlacklistEvent | undefined {
  const signature = topics.length > 0 ? SIGNATURES.get(topics[0]!.toLowerCase()) : undefined;
  if (!signature) return undefined;
  const contract = addressKey(chain, contractAddress);
  if (!isIssuerContract(signature.issuer, chain, contract)) return undefined;
  const word = signature.in === 'data' ? (topics.length === 1 && data.length === 66 ? data : undefined) : (topics.length === 2 ? topics[1] : undefined);
  const address = word === undefined ? undefined : accountFromTopic(chain, word);
  if (!address) return undefined;
  return { issuer: signature.issuer, event: signature.event, listing: signature.listing, removed: signature.removed, address, contract };
}
