/**
 * Hand-written validators for the two hottest messages, exchange.transfer.v1 and exchange.login.v1,
 * that skip zod's generic machinery (issue objects, per-field payloads, closures) when a message
 * is valid. Each returns exactly what the zod schema's parse returns (same keys in the same order,
 * the `status` default filled in, unknown keys stripped, absent optional keys left absent), or
 * undefined for anything zod might reject. An undefined is never a verdict: the caller then runs
 * zod, so every reject and its issue list still comes from zod alone.
 * test/unit/decode-fast-path.test.ts proves with generated messages that both accept and reject
 * exactly the same inputs with the same values; change a schema and this file together.
 * Input is what JSON.parse returns: a field is absent exactly when it reads as undefined, which is
 * how zod tells an absent optional key (left out of its output) from a present one.
 */
import { CHAIN_NAMES, EVENT_ID_MAX, isPositiveDecimal, parseIsoUtc } from '../contract/primitives.js';
import { COUNTRY_CODE_PATTERN, LIMITS, type LoginMessage, type TransferMessage } from '../contract/schemas.js';

type Fields = Record<string, unknown>;
type Session = NonNullable<TransferMessage['session']>;
type Customer = NonNullable<TransferMessage['customer']>;

const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Code points, as zod measures string lengths: a surrogate pair counts once, a lone surrogate as one. */
function codePointCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** A string of `min` to `max` code points. Counts them only when its UTF-16 length leaves it in doubt. */
export function isText(v: unknown, min: number, max: number): v is string {
  if (typeof v !== 'string') return false;
  // A code point is one or two units: at least 2·min units and at most max units settles it.
  if (v.length >= 2 * min && v.length <= max) return true;
  const points = codePointCount(v);
  return points >= min && points <= max;
}

const isCountry = (v: unknown): v is string => typeof v === 'string' && COUNTRY_CODE_PATTERN.test(v);
export const isTime = (v: unknown): v is string => typeof v === 'string' && parseIsoUtc(v) !== undefined;
const isOptionalText = (v: unknown, max: number): boolean => v === undefined || isText(v, 0, max);

function isAddressList(v: unknown): v is string[] {
  if (!Array.isArray(v) || v.length > LIMITS.fromAddresses) return false;
  for (let i = 0; i < v.length; i++) if (!isText(v[i], 1, LIMITS.address)) return false;
  return true;
}

function isUsdValue(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= LIMITS.usdValue);
}

/** Session fields shared by a login and a transfer's session object. */
function hasSessionFields(v: Fields): boolean {
  return isText(v.ip, 1, LIMITS.ip) && isCountry(v.ipCountry) && typeof v.vpn === 'boolean'
    && isOptionalText(v.vpnProvider, LIMITS.vpnProvider) && isOptionalText(v.deviceId, LIMITS.deviceId);
}

function parseSession(v: unknown): Session | undefined {
  if (!isRecord(v) || !hasSessionFields(v)) return undefined;
  const session: Session = { ip: v.ip as string, ipCountry: v.ipCountry as string, vpn: v.vpn as boolean };
  if (v.vpnProvider !== undefined) session.vpnProvider = v.vpnProvider as string;
  if (v.deviceId !== undefined) session.deviceId = v.deviceId as string;
  return session;
}

function parseCustomer(v: unknown): Customer | undefined {
  if (!isRecord(v) || (v.type !== 'individual' && v.type !== 'business') || !isCountry(v.kycCountry) || !isTime(v.createdAt)) return undefined;
  return { type: v.type, kycCountry: v.kycCountry, createdAt: v.createdAt };
}

function hasTransferScalars(v: Fields): boolean {
  return v.schema === 'exchange.transfer.v1' && isText(v.eventId, 1, EVENT_ID_MAX)
    && (v.kind === 'deposit' || v.kind === 'withdrawal')
    && (v.status === undefined || v.status === 'requested' || v.status === 'completed')
    && isTime(v.occurredAt) && isText(v.accountId, 1, LIMITS.accountId)
    && typeof v.chain === 'string' && CHAIN_NAMES.has(v.chain)
    && isText(v.asset, 1, LIMITS.asset) && typeof v.amount === 'string' && isPositiveDecimal(v.amount)
    && isUsdValue(v.usdValue) && (v.txHash === undefined || isText(v.txHash, 1, LIMITS.txHash))
    && (v.from === undefined || isAddressList(v.from)) && isText(v.to, 1, LIMITS.address);
}

/** zod's transferSchema parse of a valid transfer, or undefined (then ask zod). */
export function fastParseTransfer(v: Fields): TransferMessage | undefined {
  // The customer first: parseIsoUtc remembers the last time it read, and decoding reads occurredAt next.
  const customer = v.customer === undefined ? undefined : parseCustomer(v.customer);
  if (customer === undefined && v.customer !== undefined) return undefined;
  if (!hasTransferScalars(v)) return undefined;
  const session = v.session === undefined ? undefined : parseSession(v.session);
  if (session === undefined && v.session !== undefined) return undefined;
  // Keys in the schema's order, as zod emits them, so anything serialising msg sees the same bytes.
  const msg = {
    schema: 'exchange.transfer.v1',
    eventId: v.eventId,
    kind: v.kind,
    status: v.status ?? 'completed',
    occurredAt: v.occurredAt,
    accountId: v.accountId,
    chain: v.chain,
    asset: v.asset,
    amount: v.amount,
  } as TransferMessage;
  if (v.usdValue !== undefined) msg.usdValue = v.usdValue as number;
  if (v.txHash !== undefined) msg.txHash = v.txHash as string;
  // The parsed JSON's own array: nothing else holds it, and its elements are checked strings;
  // absent (a withdrawal need not name the hot wallet), empty, as zod's default gives.
  msg.from = v.from === undefined ? [] : (v.from as string[]);
  msg.to = v.to as string;
  if (session !== undefined) msg.session = session;
  if (customer !== undefined) msg.customer = customer;
  return msg;
}

/** zod's loginSchema parse of a valid login, or undefined (then ask zod). */
export function fastParseLogin(v: Fields): LoginMessage | undefined {
  if (v.schema !== 'exchange.login.v1' || !isText(v.eventId, 1, EVENT_ID_MAX) || !isTime(v.occurredAt) || !isText(v.accountId, 1, LIMITS.accountId) || !hasSessionFields(v)) return undefined;
  const msg = {
    schema: 'exchange.login.v1',
    eventId: v.eventId,
    occurredAt: v.occurredAt,
    accountId: v.accountId,
    ip: v.ip,
    ipCountry: v.ipCountry,
    vpn: v.vpn,
  } as LoginMessage;
  if (v.vpnProvider !== undefined) msg.vpnProvider = v.vpnProvider as string;
  if (v.deviceId !== undefined) msg.deviceId = v.deviceId as string;
  return msg;
}
