/**
 * The operator's own allow-list of shared IP ranges (SHARED_IP_RANGES): offices, campus and
 * carrier NATs, a partner's egress, whose addresses link no accounts. T5 asks for it ("IP shared
 * by 3 or more accounts within 24 h; allow-list carrier NAT/corporate ranges"): the built-in
 * carrier-grade NAT range (100.64.0.0/10) covers only one kind, and without a list every customer
 * behind an office's one address was linked (session 23 QA: 60 accounts behind one NAT, 40 alerts).
 *
 * Matching is node's `net.BlockList` (subnets of either family). Keys are the linkage keys of
 * ip-address.ts: an IPv4-mapped IPv6 address is its IPv4 address by then, so one IPv4 range
 * covers both spellings.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export class SharedIpRanges {
  private constructor(private readonly list: BlockList, readonly size: number) {}

  /**
   * Ranges from a comma-separated list of CIDR blocks or single addresses (`203.0.113.0/24,
   * 2001:db8:10::/48, 198.51.100.7`); empty text is no range. Throws naming the first bad entry.
   */
  static parse(text: string): SharedIpRanges {
    const list = new BlockList();
    const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
    for (const entry of entries) addEntry(list, entry);
    return new SharedIpRanges(list, entries.length);
  }

  static readonly NONE = SharedIpRanges.parse('');

  /** Whether the linkage key (an IPv4 dotted quad or a canonical IPv6 address) lies in a range; other text never does. */
  has(key: string): boolean {
    if (this.size === 0) return false;
    if (key.includes(':')) return isIPv6(key) && this.list.check(key, 'ipv6');
    return isIPv4(key) && this.list.check(key, 'ipv4');
  }
}

function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined;
  if (family === undefined) throw new Error(`"${entry}" is not an IPv4 or IPv6 address or CIDR block`);
  const widest = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(widest) : entry.slice(slash + 1);
  const prefix = /^(0|[1-9]\d{0,2})$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  // /0 would turn off linkage by IP for every address: disable account-linkage.shared-ip for that.
  if (!(prefix >= 1 && prefix <= widest)) throw new Error(`"${entry}": the prefix length must be a whole number from 1 to ${widest}`);
  // A block written with host bits (`203.0.113.7/2`, meant as /32) would be widened silently to a quarter of all addresses.
  if (!isNetworkAddress(addressBits(address, family), prefix, widest)) throw new Error(`"${entry}": the address has bits set past its /${prefix} prefix (a typo of the prefix length?); write the block's first address`);
  list.addSubnet(address, prefix, family);
}

/** The address as its bits, most significant first (32 or 128 of them). */
function addressBits(address: string, family: 'ipv4' | 'ipv6'): bigint {
  if (family === 'ipv4') return address.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
  return ipv6Groups(address).reduce((bits, group) => (bits << 16n) | BigInt(group), 0n);
}

/** The eight 16-bit groups of an IPv6 literal (`::` expanded, an IPv4 tail read as two groups). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const groupsOf = (text: string): number[] => text === '' ? [] : text.split(':').flatMap((g) => (g.includes('.') ? ipv4AsGroups(g) : [parseInt(g, 16)]));
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4AsGroups(dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/** Whether every bit past the prefix is 0. */
function isNetworkAddress(bits: bigint, prefix: number, width: number): boolean {
  const hostBits = BigInt(width - prefix);
  return (bits & ((1n << hostBits) - 1n)) === 0n;
}
