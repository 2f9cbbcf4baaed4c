/**
 * One IP address, one key: an IPv6 address has many spellings (`2001:db8::1`,
 * `2001:0DB8:0:0:0:0:0:1`), and services that log sessions write it differently, so linkage by
 * IP keyed on the raw text missed accounts behind the same address (QA). IPv6 is keyed by its
 * canonical form (RFC 5952: lower case, zeros compressed), an IPv4-mapped one (`::ffff:1.2.3.4`,
 * what a dual-stack front end logs for an IPv4 client) by the IPv4 address it carries, as the
 * same client logged without the mapping is (session 46 QA: they linked no accounts); anything
 * else as written.
 */
import { isIPv6 } from 'node:net';
import type { SharedIpRanges } from './shared-ip-ranges.js';

const canonical = new Map<string, string>();
const CACHE_LIMIT = 100_000;

export function ipKey(ip: string): string {
  if (!ip.includes(':')) return ip; // IPv4 (or not an address): one spelling
  let key = canonical.get(ip);
  if (key !== undefined) return key;
  key = isIPv6(ip) && !ip.includes('%') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip.toLowerCase();
  key = mappedIpv4(key) ?? key;
  if (canonical.size >= CACHE_LIMIT) canonical.clear(); // bounded; refilled by the addresses in use
  canonical.set(ip, key);
  return key;
}

/**
 * The key a session's IP links accounts by, or undefined when it links none:
 * - a session over a VPN shows the provider's exit address, which thousands of unrelated
 *   customers share (T6: never alert on VPN use alone; QA: 40 ordinary NordVPN users on 5 exit
 *   addresses were all alerted as one account farm), except Astrill's: the VPN of DPRK IT-worker
 *   casework ("two laptops on the same IP", typologies.md T5/T6), with a small customer base,
 *   where three accounts on one exit within a day is the farm T5 describes (session 43 QA: they
 *   got no alert at all);
 * - a carrier-grade NAT address (100.64.0.0/10, RFC 6598) is shared by a carrier's mobile
 *   customers, which T5 allow-lists (session 43 QA: five customers on one were medium);
 * - so is an address in the operator's own shared ranges (SHARED_IP_RANGES: offices, NATs).
 */
export function linkedIpKey(session: { ip?: string | undefined; vpn?: boolean | undefined; vpnProvider?: string | undefined } | undefined, shared?: SharedIpRanges): string | undefined {
  if (session?.ip === undefined) return undefined;
  if (session.vpn === true && !isAstrill(session.vpnProvider)) return undefined;
  if (isCarrierNat(session.ip)) return undefined;
  const key = ipKey(session.ip);
  return shared !== undefined && shared.has(key) ? undefined : key;
}

/** The names Astrill goes by in session logs, as the rules list them (`vpnProvider in: [Astrill, Astrill VPN, AstrillVPN]`), compared as the rules compare: case-blind. */
const ASTRILL_NAMES: ReadonlySet<string> = new Set(['astrill', 'astrill vpn', 'astrillvpn']);

/** Whether the provider is Astrill, by the rules' own list: an exit that links accounts also gets their +15. */
export function isAstrill(provider: string | undefined): boolean {
  return provider !== undefined && ASTRILL_NAMES.has(provider.toLowerCase());
}

/** An IPv4 address in 100.64.0.0/10 (second octet 64 to 127), written as four decimal octets or mapped into IPv6 (`::ffff:100.64.0.1`). */
export function isCarrierNat(ip: string): boolean {
  const v4 = ip.includes(':') ? ipKey(ip) : ip; // a mapped address keys as the IPv4 one it carries
  if (!v4.startsWith('100.')) return false;
  const end = v4.indexOf('.', 4);
  if (end < 0) return false;
  const second = Number(v4.slice(4, end));
  return Number.isInteger(second) && second >= 64 && second <= 127 && /^100\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The IPv4 address an IPv4-mapped IPv6 key (`::ffff:6440:1`, canonical form) carries, dotted. */
function mappedIpv4(key: string): string | undefined {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(key);
  if (!m) return /^::ffff:(\d{1,3}\.){3}\d{1,3}$/.test(key) ? key.slice(7) : undefined;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
