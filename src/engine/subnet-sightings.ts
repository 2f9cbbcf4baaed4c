/**
 * Which accounts were seen lately on one IP block (typologies.md T11: a replacement account
 * "shares ... IP /24 within 7 days" with its predecessor): another address of the same office or
 * carrier block, where the IP index (link-index.ts) links only the very same address.
 *
 * The block is an IPv4 /24, or an IPv6 /64: the one network a household's or an office's LAN
 * gets and within which its devices' privacy addresses rotate (a /48 is a whole site or, at a
 * mobile carrier, tens of thousands of subscribers). Only addresses that link accounts by IP
 * are sighted (`linkedIpKey`: no VPN exit, no carrier-grade NAT, nothing in SHARED_IP_RANGES),
 * and no session over a VPN at all, not even Astrill's: an exit's neighbours are other customers
 * of the provider, not the same office.
 *
 * Bounded as the IP index is, by a LinkIndex of its own: one entry per account, block and week
 * (first and last sighting), at most `maxAccounts` entries per block (the least recently seen going
 * first, so a carrier block with a million customers costs O(1) per event), and by time: an
 * account last seen on a block more than the retention before the state's newest event is
 * dropped on the block's next sighting and by a sweep of two blocks per new block, and is never
 * read in the meantime (reads start at that horizon), so what a read sees does not depend on when
 * the sweep passed.
 *
 * The link itself depends only on the two sightings' event times (SUBNET_WITHIN apart at most,
 * asked by the reader), not on the newest event: the retention (`subnetLinkRetention` in
 * engine.ts) is the young account's age bound plus those 7 days plus the reach of a late
 * re-examination, as the account histories keep the look-back plus that reach
 * (kind-retention.ts). Until session 50 it was 7 days behind the newest event, so an unrelated
 * event 8 days ahead, read first, hid a predecessor's sighting 3 days before the young account's.
 *
 * An account's sightings on a block are kept per week of event time (`runKey`), one entry each
 * with its first and last sighting in that week: an entry spans less than SUBNET_WITHIN, so it
 * meets a window of the reader's (at least twice that wide) only where it holds a sighting. One
 * entry for an account's whole stay on the block would, with a retention of months, span the gap
 * between a sighting 10 days before the young account's and one 8 days after, and link them
 * (session 50 review).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ShardedMap } from '../state/sharded-map.js';
import { linkedIpKey } from './ip-address.js';
import { LinkIndex, type LinkedSightings } from './link-index.js';
import type { SharedIpRanges } from './shared-ip-ranges.js';

const DAY = 86_400_000;
/** How far apart two accounts' sightings on one block may be to link them: T11's "within 7 days". */
export const SUBNET_WITHIN = 7 * DAY;

type Session = Parameters<typeof linkedIpKey>[0];

/** The block a session's address links accounts by (`a.b.c.0/24`, `x:x:x:x::/64`), or undefined when it links none. */
export function subnetOf(session: Session, shared?: SharedIpRanges): string | undefined {
  if (session?.vpn === true) return undefined;
  const key = linkedIpKey(session, shared);
  return key === undefined ? undefined : subnetKey(key);
}

/** The block of an IP linkage key (ip-address.ts: IPv4 dotted, IPv6 canonical); undefined for other text. */
export function subnetKey(ip: string): string | undefined {
  if (isIPv4(ip)) return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  return `${ipv6Head(ip).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The first four 16-bit groups of an IPv6 literal (`::` expanded; an IPv4 tail lies past them). */
function ipv6Head(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const count = (text: string): number => (text === '' ? 0 : text.split(':').reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0));
  const front = head === '' ? [] : head.split(':').map((g) => parseInt(g, 16));
  const zeros = tail === undefined ? 0 : 8 - front.length - count(tail);
  const back = tail === undefined || tail === '' ? [] : tail.split(':').filter((g) => !g.includes('.')).map((g) => parseInt(g, 16));
  return [...front, ...Array<number>(zeros).fill(0), ...back].slice(0, 4);
}

/** Between an account id and its week in a run key (ids are printable text). */
const RUN_SEPARATOR = '\u0000';

/**
 * The index's key for an account's sightings in the week of `time` (weeks of SUBNET_WITHIN from
 * the epoch). Joined, not concatenated: V8 keeps a concatenation as a cons string (32 bytes, and
 * its parts) that the index's look-ups then flatten into a second string; a join is one flat
 * string. A carrier's or an office's blocks hold an entry per account and week.
 */
function runKey(accountId: string, time: number): string {
  return [accountId, Math.floor(time / SUBNET_WITHIN)].join(RUN_SEPARATOR);
}

/** The account of a run key; a key without a week (a checkpoint written before the weeks) is the account itself. */
function accountOfRun(key: string): string {
  const at = key.lastIndexOf(RUN_SEPARATOR);
  return at < 0 ? key : key.slice(0, at);
}

export class SubnetSightings {
  private readonly index: LinkIndex;

  /**
   * @param maxAccounts entries (an account's week each) kept per block (the IP index's cap).
   * @param newest the state's newest event time: the clock the retention runs on.
   * @param retention ms of event time a sighting is kept and read behind the newest event.
   */
  constructor(maxAccounts: number, private readonly newest: () => number, private retention: number) {
    this.index = new LinkIndex(maxAccounts, (lastTime) => lastTime < this.horizon());
  }

  /**
   * The oldest sighting time a shorter retention of an earlier rule set let go (-Infinity: none):
   * a sighting older than it may or may not have been dropped since, by when a sweep passed, so
   * none is read even after a longer retention comes back.
   */
  private floor = Number.NEGATIVE_INFINITY;

  /**
   * A new retention (a new rule set): sightings the one in force until now let go are not read
   * again, dropped or not, whether the new one is shorter or longer (its horizon becomes the floor).
   */
  setRetention(retention: number): void {
    this.floor = Math.max(this.floor, this.horizon());
    this.retention = retention;
  }

  get size(): number {
    return this.index.size;
  }

  /** The oldest sighting time still read. */
  private horizon(): number {
    return Math.max(this.newest() - this.retention, this.floor);
  }

  sight(subnet: string, accountId: string, time: number, eventId: string): void {
    if (time < this.horizon()) return; // a late sighting past the retention links no one
    this.index.sight(subnet, runKey(accountId, time), time, eventId);
  }

  /**
   * Accounts seen on the block within [from, to] (and the retention), each once, in the order of
   * its latest sighting there, with the event of its earliest sighting in the window.
   */
  within(subnet: string, from: number, to: number): { accountId: string; eventId: string }[] {
    const runs = this.index.within(subnet, Math.max(from, this.horizon()), to);
    const earliest = new Map<string, string>();
    for (const run of runs) {
      const accountId = accountOfRun(run.accountId);
      if (!earliest.has(accountId)) earliest.set(accountId, run.eventId);
    }
    const out: { accountId: string; eventId: string }[] = [];
    for (let i = runs.length - 1; i >= 0; i--) {
      const accountId = accountOfRun(runs[i]!.accountId);
      const eventId = earliest.get(accountId);
      if (eventId === undefined) continue; // listed already, from a later week
      out.push({ accountId, eventId });
      earliest.delete(accountId);
    }
    return out.reverse();
  }

  /** The map by block, for a checkpoint (a restore fills it in place). */
  checkpointMap(): ShardedMap<string, LinkedSightings> {
    return this.index.checkpointMap();
  }
}
