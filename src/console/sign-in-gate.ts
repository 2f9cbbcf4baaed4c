/**
 * How many password checks run at once. Each is a scrypt hash of about half a second on Node's
 * four-thread pool, which the console's file serving and Redis-free work share: 99 wrong sign-ins
 * sent at once from a few addresses (each under its per-address limit) made a right sign-in from
 * elsewhere wait 12 s, and the page itself as long (session 44 security QA). At most `running`
 * checks run; up to `waiting` more wait their turn in order; past that a sign-in is refused at
 * once as busy, with nothing hashed, so the pool keeps threads for everything else.
 */
export class SignInBusyError extends Error {}

export class SignInGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly running = 2, private readonly waiting = 8) {}

  /** Runs `check` when a place is free; throws SignInBusyError when every place and queue slot is taken. */
  async run<T>(check: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) throw new SignInBusyError('sign-in is busy: too many at once');
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await check();
    } finally {
      // The place passes straight to the next in line, or is freed.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * The address a per-address limit keys on: an IPv6 client's /64 (one subscriber's usual
 * allocation, from which it can send from 2^64 addresses), an IPv4 address as it is.
 */
export function addressKeyOf(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, each without leading zeros. */
function expandIpv6(ip: string): string[] {
  const bare = ip.split('%')[0]!.toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') as [string, string] : [bare, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...fill, ...right].map((g) => (g.replace(/^0+(?=.)/, '')));
}
