/**
 * One IP address, one key: an IPv6 address has many spellings (`2001:db8::1`,
 * `2001:0DB8:0:0:0:0:0:1`), and services that log sessions write it differently, so linkage by
 * IP keyed on the raw text missed accounts behind the same address (QA). IPv6 is keyed by its
 * canonical form (RFC 5952: lower case, zeros compressed); anything else as written.
 */
import { isIPv6 } from 'node:net';

const canonical = new Map<string, string>();
const CACHE_LIMIT = 100_000;

export function ipKey(ip: string): string {
  if (!ip.includes(':')) return ip; // IPv4 (or not an address): one spelling
  let key = canonical.get(ip);
  if (key !== undefined) return key;
  key = isIPv6(ip) && !ip.includes('%') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip.toLowerCase();
  if (canonical.size >= CACHE_LIMIT) canonical.clear(); // bounded; refilled by the addresses in use
  canonical.set(ip, key);
  return key;
}

/**
 * The key a session's IP links accounts by, or undefined when it links none: a session over a
 * VPN shows the provider's exit address, which thousands of unrelated customers share, like a
 * carrier's NAT (typologies.md T5 allow-lists those ranges; T6: never alert on VPN use alone).
 * QA: 40 ordinary NordVPN users on 5 exit addresses were all alerted as one account farm.
 */
export function linkedIpKey(session: { ip?: string | undefined; vpn?: boolean | undefined } | undefined): string | undefined {
  return session?.ip === undefined || session.vpn === true ? undefined : ipKey(session.ip);
}
