/**
 * One canonical form per address, so one entity is one key:
 * - Bitcoin: validated by bitcoinjs-lib (base58check and bech32/bech32m); bech32 is lower-cased.
 * - EVM: ethers getAddress (mixed case must carry a valid EIP-55 checksum; all-lower is accepted);
 *   the key is lower-case hex and is the same on every EVM chain.
 * - Tron: base58check `T…` or hex `41…`; the key is the base58 form.
 * Keys are prefixed by family (`btc:`, `evm:`, `tron:`) so a Tron and an EVM address never collide.
 */
import * as bitcoin from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import bs58check from 'bs58check';
import { getAddress } from 'ethers/address';
import { chainFamily, type Chain, type ChainFamily } from '../contract/primitives.js';
import { base58CheckDecode, base58CheckEncode } from './base58check.js';
import { segwitAddress, segwitProgramLength } from './bech32.js';
import { GenerationalCache } from './generational-cache.js';

bitcoin.initEccLib(ecc);

export type AddressKey = string;

export class AddressError extends Error {
  readonly code = 'TW_BAD_ADDRESS';
  constructor(readonly chain: string, readonly address: string, reason: string) {
    super(`invalid ${chain} address ${JSON.stringify(address.slice(0, 80))}: ${reason}`);
  }
}

/**
 * Entries per cache generation. The same addresses recur (deposit addresses, hot wallets, popular
 * services), and canonicalising one costs a base58/bech32 decode or, for mixed-case EVM, a keccak.
 * One cache per family, keyed by the raw text, so a lookup builds no composite key string.
 * At most 2 × 3 × 2^17 keys, 2 × 2^17 display forms and 2 × 2^17 Tron log accounts (src/chain/evm.ts):
 * about 1.3 M entries, an estimated 0.1 to 0.2 GB at worst (two strings and a Map slot each; not measured).
 */
export const ADDRESS_CACHE_GENERATION = 1 << 17;

const keyCaches: Record<ChainFamily, GenerationalCache<AddressKey>> = {
  btc: new GenerationalCache(ADDRESS_CACHE_GENERATION),
  evm: new GenerationalCache(ADDRESS_CACHE_GENERATION),
  tron: new GenerationalCache(ADDRESS_CACHE_GENERATION),
};

const MAINNET = bitcoin.networks.bitcoin;

/**
 * Validates with bitcoinjs-lib's own decoders (base58check, bech32/bech32m with the version and
 * program-length rules of BIP141/BIP350). Cheaper than toOutputScript, which builds every payment type.
 */
function canonicalBitcoin(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('bc1')) {
    // bech32 must be all-lower or all-upper (BIP173); the canonical form is lower case.
    if (address !== lower && address !== address.toUpperCase()) throw new Error('mixed-case bech32');
    // A mainnet address bitcoinjs-lib accepts is read here in one pass; anything else (other
    // prefixes, bad checksums, the wrong encoding for its version) gets bitcoinjs-lib's verdict.
    const { version, prefix, length } = segwitProgramLength(lower, MAINNET.bech32) ?? fromBech32(lower);
    if (prefix !== MAINNET.bech32) throw new Error('not a mainnet address');
    if (!isSegwitProgram(version, length)) throw new Error(`invalid witness v${version} program of ${length} bytes`);
    return lower;
  }
  if (/^(tb1|bcrt1)/.test(lower)) throw new Error('a testnet or regtest bech32 address, not mainnet');
  const { version, hashLength } = fromBase58Check(address);
  if ((version !== MAINNET.pubKeyHash && version !== MAINNET.scriptHash) || hashLength !== 20) throw new Error('not a mainnet P2PKH or P2SH address');
  return address;
}

/** Whether canonicalBitcoin accepts a witness program of this version and length. */
function isSegwitProgram(version: number, length: number): boolean {
  return (version === 0 && (length === 20 || length === 32)) || (version === 1 && length === 32) || (version > 1 && version <= 16 && length >= 2 && length <= 40);
}

/**
 * The key of a lower-case mainnet segwit address that canonicalBitcoin accepts (it returns such
 * an address unchanged), read in one pass without the key cache; undefined for anything else,
 * which canonicalBitcoin then judges and words.
 */
function lowerSegwitKey(address: string): AddressKey | undefined {
  if (address.charCodeAt(0) !== 98 || address.charCodeAt(1) !== 99 || address.charCodeAt(2) !== 49) return undefined; // bc1
  const program = segwitProgramLength(address, MAINNET.bech32);
  return program !== undefined && isSegwitProgram(program.version, program.length) ? `btc:${address}` : undefined;
}

/** bitcoinjs-lib's fromBech32, as the version, prefix and program length canonicalBitcoin judges. */
function fromBech32(address: string): { version: number; prefix: string; length: number } {
  const { version, prefix, data } = bitcoin.address.fromBech32(address);
  return { version, prefix, length: data.length };
}

/**
 * bitcoinjs-lib's fromBase58Check, as the version and hash length canonicalBitcoin judges, settled
 * by the lean decoder when it can (bitcoinjs-lib words every failure).
 */
function fromBase58Check(address: string): { version: number; hashLength: number } {
  const payload = base58CheckDecode(address);
  if (payload?.length === 21) return { version: payload[0]!, hashLength: 20 };
  const { version, hash } = bitcoin.address.fromBase58Check(address);
  return { version, hashLength: hash.length };
}

/** A version byte and a 20-byte hash in Base58Check, as bitcoinjs-lib's toBase58Check writes them. */
function toBase58Check(hash: Uint8Array, version: number): string {
  const payload = new Uint8Array(21);
  payload[0] = version;
  payload.set(hash, 1);
  return base58CheckEncode(payload);
}

/** The address of a standard output script, from its bytes (no payment objects built). */
export function bitcoinScriptAddress(script: Uint8Array, type: string): string | null {
  switch (type) {
    case 'p2pkh': return toBase58Check(script.subarray(3, 23), MAINNET.pubKeyHash);
    case 'p2sh': return toBase58Check(script.subarray(2, 22), MAINNET.scriptHash);
    case 'p2wpkh':
    case 'p2wsh': return segwitAddress(script.subarray(2), 0, MAINNET.bech32);
    case 'p2tr': return segwitAddress(script.subarray(2), 1, MAINNET.bech32);
    default: return null;
  }
}

const EVM_HEX = /^0x[0-9a-fA-F]{40}$/;

/** `0x` and 40 lower-case hex digits: what canonicalEvm returns unchanged. */
function isLowerEvmHex(address: string): boolean {
  if (address.length !== 42 || address.charCodeAt(0) !== 48 || address.charCodeAt(1) !== 120) return false;
  for (let i = 2; i < 42; i++) {
    const c = address.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function canonicalEvm(address: string): string {
  if (!EVM_HEX.test(address)) throw new Error('not 0x followed by 40 hex characters');
  const body = address.slice(2);
  // Single-case hex carries no EIP-55 checksum; only mixed case must verify (keccak is the hot cost).
  if (body === body.toLowerCase() || body === body.toUpperCase()) return address.toLowerCase();
  return getAddress(address).toLowerCase();
}

/**
 * Tron keys by the account's 20 bytes in lower-case hex: what a TRC-20 log's topics give. Each
 * costs a base58check encoding (two SHA-256) the first time; an address an exchange message or a
 * native Tron transaction named before (a withdrawal to it, a deposit from it) is found here at
 * once, as canonicalTron files it when it reads one.
 */
const tronKeysByAccountHex = new GenerationalCache<AddressKey>(ADDRESS_CACHE_GENERATION);

const TRON_HEX = /^(0x)?41[0-9a-fA-F]{40}$/;
const TRON_BASE58 = /^T[1-9A-HJ-NP-Za-km-z]{33}$/;
/** The account's 20 bytes alone, as Tron's Ethereum-compatible JSON-RPC serves them (`0x` + 40 hex). */
const TRON_ACCOUNT_HEX = /^0x[0-9a-fA-F]{40}$/;
const HEX_PREFIX = /^0x/;

/** Tron hex (41 + 20 bytes, with or without 0x), 0x + the 20 bytes, or base58check T… → base58check T…. */
export function canonicalTron(address: string): string {
  if (TRON_ACCOUNT_HEX.test(address)) {
    // The 0x form is an EVM address: mixed case is an EIP-55 checksum, and must verify as on every EVM chain.
    const body = address.slice(2);
    if (body !== body.toLowerCase() && body !== body.toUpperCase()) getAddress(address);
    return canonicalTron(`41${body}`);
  }
  if (TRON_HEX.test(address)) {
    const bytes = Buffer.from(address.replace(HEX_PREFIX, ''), 'hex');
    const base58 = base58CheckEncode(bytes);
    tronKeysByAccountHex.set(bytes.toString('hex', 1), `tron:${base58}`);
    return base58;
  }
  if (!TRON_BASE58.test(address)) throw new Error('neither base58 T…, hex 41… nor 0x and the 20 bytes');
  const payload = base58CheckDecode(address) ?? bs58check.decode(address);
  if (payload.length !== 21 || payload[0] !== 0x41) throw new Error('base58 payload is not a Tron address');
  // A TRC-20 log names this account by its 20 bytes: the key is known now, without an encoding then.
  tronKeysByAccountHex.set(hexFrom(payload, 1), `tron:${address}`);
  return address;
}

/** Every byte's two lower-case hex digits. */
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Lower-case hex of `bytes` from `from` on, read byte by byte: `Buffer.from(bytes.buffer)` would
 * move a small array's bytes off V8's heap, which costs up to tens of µs once the live state is large (sha256.ts).
 */
function hexFrom(bytes: Uint8Array, from: number): string {
  let out = '';
  for (let i = from; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!]!;
  return out;
}

/** Tron base58 for a 20-byte account id (as found in TRC-20 log topics). */
export function tronFromEvmBytes(hex20: string): string {
  return tronFromBareHex(hex20) ?? base58CheckEncode(Buffer.from('41' + hex20.replace(HEX_PREFIX, '').toLowerCase(), 'hex'));
}

/** A Tron account's payload, `41` and its 20 bytes; reused, as encoding is synchronous. */
const tronPayload = new Uint8Array(21);
tronPayload[0] = 0x41;

/** A hex digit's value (either case), -1 for any other character. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * tronFromEvmBytes for exactly 40 hex digits (what a log topic gives), read straight into the
 * payload: no joined string and no Buffer per account. Undefined for anything else.
 */
function tronFromBareHex(hex20: string): string | undefined {
  if (hex20.length !== 40) return undefined;
  for (let i = 0; i < 20; i++) {
    const high = hexDigit(hex20.charCodeAt(2 * i));
    const low = hexDigit(hex20.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) return undefined;
    tronPayload[i + 1] = (high << 4) | low;
  }
  return base58CheckEncode(tronPayload);
}

/** The key of the Tron account whose 20 bytes are `hex20` (lower-case hex, no prefix). */
export function tronKeyOfAccountHex(hex20: string): AddressKey {
  let key = tronKeysByAccountHex.get(hex20);
  if (key === undefined) tronKeysByAccountHex.set(hex20, (key = `tron:${tronFromEvmBytes(hex20)}`));
  return key;
}

const CANONICAL: Record<ChainFamily, (a: string) => string> = {
  btc: canonicalBitcoin,
  evm: canonicalEvm,
  tron: canonicalTron,
};

/** The canonical store key of an address, or throws AddressError. Cached by raw text; failures are not cached. */
export function addressKey(chain: Chain, address: string): AddressKey {
  const family = chainFamily(chain);
  // Lower-case EVM hex is its own canonical form: its key needs no cache (a look-up of a fresh
  // string in a large map costs more than checking 40 characters and joining two strings).
  if (family === 'evm' && isLowerEvmHex(address)) return `evm:${address}`;
  // So is a lower-case segwit address, and one pass over it costs less than the look-up too.
  if (family === 'btc') {
    const segwit = lowerSegwitKey(address);
    if (segwit !== undefined) return segwit;
  }
  const cache = keyCaches[family];
  const hit = cache.get(address);
  if (hit !== undefined) return hit;
  const key = canonicalKeyOf(chain, family, address);
  cache.set(address, key);
  return key;
}

/** addressKey without the cache: the reference its cache is tested against. */
export function uncachedAddressKey(chain: Chain, address: string): AddressKey {
  return canonicalKeyOf(chain, chainFamily(chain), address);
}

function canonicalKeyOf(chain: Chain, family: ChainFamily, address: string): AddressKey {
  try {
    return `${family}:${CANONICAL[family](address)}`;
  } catch (err) {
    throw new AddressError(chain, address, err instanceof Error ? err.message.split('(')[0]!.trim() : String(err));
  }
}

/** Like addressKey, but undefined instead of throwing (for intel data of mixed quality). */
export function tryAddressKey(chain: Chain, address: string): AddressKey | undefined {
  try {
    return addressKey(chain, address);
  } catch {
    return undefined;
  }
}

/** The family-prefixed key of an address whose form tells its chain (OFAC lists key by ticker, not chain). */
export function addressKeyByForm(address: string): AddressKey | undefined {
  if (EVM_HEX.test(address)) return tryAddressKey('ethereum', address.toLowerCase());
  if (TRON_BASE58.test(address)) return tryAddressKey('tron', address);
  return tryAddressKey('bitcoin', address);
}

const displayCache = new GenerationalCache<string>(ADDRESS_CACHE_GENERATION);

/** The address as shown to a person: EIP-55 checksum for EVM (cached: a keccak each), the key's body otherwise. */
export function displayAddress(key: AddressKey): string {
  if (!key.startsWith('evm:')) return key.slice(key.indexOf(':') + 1);
  let shown = displayCache.get(key);
  if (shown === undefined) displayCache.set(key, (shown = getAddress(key.slice(4))));
  return shown;
}

/**
 * A transaction reference as shown next to an address of `key`'s family: an EVM hash with its
 * `0x` (the graph keeps chain hashes bare and lower-case, so that an exchange's record and the
 * chain's log of one transaction compare equal); anything else (a Bitcoin txid, a Tron id, an
 * exchange event id) as kept.
 */
export function displayTxRef(ref: string, key: AddressKey): string {
  return key.startsWith('evm:') && /^[0-9a-f]{64}$/.test(ref) ? `0x${ref}` : ref;
}

/** Entries held by each address cache, and the largest single generation (for tests and metrics). */
export function addressCacheStats(): { keys: Record<ChainFamily, number>; display: number; largestGeneration: number } {
  const caches = [...Object.values(keyCaches), displayCache, tronKeysByAccountHex];
  return {
    keys: { btc: keyCaches.btc.size, evm: keyCaches.evm.size, tron: keyCaches.tron.size },
    display: displayCache.size,
    largestGeneration: Math.max(...caches.map((c) => c.largestGeneration)),
  };
}
