/**
 * Ordinary customers paying popular unlabelled services (payment processors, P2P desks) that
 * sweep. Each payment is a withdrawal to a fresh deposit address of the service; the service later
 * sweeps that address whole into its one hot wallet on-chain, so clustering (forwarding) rightly
 * joins every deposit address into one cluster that thousands of customers paid. This is the hot
 * key of issue #9 and the precision trap of issue #12: every customer here is benign.
 *
 * Popularity follows Zipf's law (the service of rank r gets a share proportional to 1/r), because
 * a few processors carry most of the traffic; the top ones are the hottest keys.
 */
import { DAY, HOUR, USDC_ETH, USDT_ETH, USDT_TRON, evmAddress, label, login, prng, tokenLog, transfer, tronAddress, type Rand, type TransferSpec } from './builders.js';
import type { SimTruth } from './scenarios.js';

export interface ServicesOptions {
  seed: number;
  customers: number;
  services: number;
  /** Event time of the first message (ms). */
  start: number;
  /** Event-time span the payments spread over. */
  days: number;
  /** Mean payments per customer. @defaultValue 3 */
  paymentsPerCustomer?: number;
  /** Keeps the sweeps; without them the same stream lacks only its sweep messages. @defaultValue true */
  sweeps?: boolean;
  /** Account id prefix, so the scenario mixes into another stream without id clashes. @defaultValue 'acct-svc-' */
  accountPrefix?: string;
  /**
   * Share of the service customers who carry one ordinary risk factor each: a VPN, a session
   * abroad (travel), or an account opened days before. Honest people do all three. @defaultValue 0
   */
  riskyShare?: number;
  /** Accounts of another stream (planted and benign alike) who also pay these services. @defaultValue [] */
  alsoPaying?: readonly string[];
  /**
   * A label every service's hot wallet carries from a day before `start` (e.g. `gambling`: a
   * risky label that covers the whole cluster, so every sweep lands in a labelled cluster).
   * @defaultValue none: the services are unlabelled
   */
  serviceLabel?: string;
}

export interface TimedLine {
  time: number;
  line: string;
}

export interface Service {
  chain: 'ethereum' | 'tron';
  asset: 'USDT' | 'USDC';
  token: string;
  hotWallet: string;
}

export interface ServicesScenario {
  /** Messages in event-time order. */
  events: TimedLine[];
  customers: string[];
  services: Service[];
  /** How many of `events` are sweeps (present or, with `sweeps: false`, left out). */
  sweeps: number;
}

const WHY = 'pays popular unlabelled services whose deposit addresses sweep into one hot wallet (many accounts, one cluster)';

function makeService(rand: Rand): Service {
  const chain = rand() < 0.7 ? 'ethereum' : 'tron';
  const asset = chain === 'tron' || rand() < 0.6 ? 'USDT' : 'USDC';
  return { chain, asset, token: chain === 'tron' ? USDT_TRON : asset === 'USDC' ? USDC_ETH : USDT_ETH, hotWallet: chain === 'tron' ? tronAddress(rand) : evmAddress(rand) };
}

/** Cumulative Zipf weights, so a payment picks a service by binary search. */
function zipfTable(n: number): Float64Array {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) { sum += 1 / (r + 1); cumulative[r] = sum; }
  for (let r = 0; r < n; r++) cumulative[r]! /= sum;
  return cumulative;
}

function pickRank(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < u) lo = mid + 1; else hi = mid;
  }
  return lo;
}

class ServicesBuilder {
  readonly events: TimedLine[] = [];
  sweeps = 0;
  private n = 0;

  constructor(private readonly opts: ServicesOptions, private readonly rand: Rand) {}

  customer(index: number, services: Service[], popularity: Float64Array): string {
    const acct = `${this.opts.accountPrefix ?? 'acct-svc-'}${index.toString(16).padStart(6, '0')}`;
    const { session, customer } = this.profile(acct, `100.64.${(index >> 8) & 255}.${index & 255}`);
    const span = this.opts.days * DAY;
    const mean = this.opts.paymentsPerCustomer ?? 3;
    const payments = 1 + Math.floor(this.rand() * (2 * mean - 1));
    const own = evmAddress(this.rand);
    const depositAddress = evmAddress(this.rand);
    const t0 = this.opts.start + this.rand() * span * 0.2;
    this.emit(t0, transfer({ eventId: this.id(), kind: 'deposit', time: t0, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: 500 + this.rand() * 4000, from: [own], to: depositAddress, customer }, this.rand));
    for (let l = 0; l < 2 + Math.floor(this.rand() * 6); l++) {
      const t = this.opts.start + this.rand() * span;
      this.emit(t, login(this.id(), t, acct, session));
    }
    for (let p = 0; p < payments; p++) this.payment(acct, session, customer, services[pickRank(popularity, this.rand())]!, t0 + HOUR + this.rand() * (span - (t0 - this.opts.start)));
    return acct;
  }

  /** Session and KYC of a service customer: clean, or with one ordinary risk factor (riskyShare). */
  private profile(acct: string, ip: string): { session: NonNullable<TransferSpec['session']>; customer: NonNullable<TransferSpec['customer']> } {
    const session = { ip, ipCountry: 'US', vpn: false, deviceId: `dev-${acct}` } as NonNullable<TransferSpec['session']>;
    const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-03-01T00:00:00.000Z' };
    if ((this.opts.riskyShare ?? 0) > 0 && this.rand() < this.opts.riskyShare!) {
      // One factor each; a fifth of them two (a traveller on a VPN, a new account abroad).
      const first = Math.floor(this.rand() * 3);
      const factors = this.rand() < 0.2 ? [first, (first + 1) % 3] : [first];
      for (const factor of factors) {
        if (factor === 0) Object.assign(session, { vpn: true, vpnProvider: this.rand() < 0.5 ? 'NordVPN' : 'Astrill VPN' });
        else if (factor === 1) session.ipCountry = ['MX', 'GB', 'TH', 'DE'][Math.floor(this.rand() * 4)]!;
        else customer.createdAt = new Date(this.opts.start - this.rand() * 20 * DAY).toISOString();
      }
    }
    return { session, customer };
  }

  /** An account of another stream who also pays these services: small payments over the span. */
  existing(acct: string, index: number, services: Service[], popularity: Float64Array): void {
    // Its KYC is the other stream's; the payments carry only a session (ordinary risk included).
    const { session } = this.profile(acct, `100.65.${(index >> 8) & 255}.${index & 255}`);
    const customer = undefined;
    const span = this.opts.days * DAY;
    const payments = 1 + Math.floor(this.rand() * (2 * (this.opts.paymentsPerCustomer ?? 3) - 1));
    for (let p = 0; p < payments; p++) this.payment(acct, session, customer, services[pickRank(popularity, this.rand())]!, this.opts.start + this.rand() * span);
  }

  /** A withdrawal to a fresh deposit address of the service, then the service's sweep of it. */
  private payment(acct: string, session: TransferSpec['session'], customer: TransferSpec['customer'], service: Service, t: number): void {
    const depositAddress = service.chain === 'tron' ? tronAddress(this.rand) : evmAddress(this.rand);
    const amount = 20 + this.rand() * 1500;
    this.emit(t, transfer({ eventId: this.id(), kind: 'withdrawal', time: t, accountId: acct, chain: service.chain, asset: service.asset, amount, to: depositAddress, session, customer }, this.rand));
    const ts = t + (0.5 + this.rand() * 11.5) * HOUR;
    // The sweep is always drawn, so a stream without sweeps is the same stream minus these lines.
    const sweep = tokenLog(service.chain, service.token, depositAddress, service.hotWallet, amount * 0.999, ts, this.rand);
    this.sweeps++;
    if (this.opts.sweeps !== false) this.emit(ts, sweep);
  }

  /** The service's hot wallet labelled a day before the stream starts (draws nothing from the generator). */
  labelService(service: Service, labelName: string, entity: string): void {
    this.emit(this.opts.start - DAY, label(service.chain, service.hotWallet, labelName, entity, this.opts.start - DAY));
  }

  private emit(time: number, line: string): void {
    this.events.push({ time: Math.round(time), line });
  }

  private id(): string {
    return `ev-svc-${this.opts.seed}-${(this.n++).toString(36)}`;
  }
}

/** The scenario's messages (sorted by event time), its customers and its services. */
export function servicesScenario(opts: ServicesOptions): ServicesScenario {
  const rand = prng(opts.seed);
  const services = Array.from({ length: opts.services }, () => makeService(rand));
  const popularity = zipfTable(opts.services);
  const builder = new ServicesBuilder(opts, rand);
  if (opts.serviceLabel) services.forEach((service, i) => builder.labelService(service, opts.serviceLabel!, `Service ${i + 1}`));
  const customers = Array.from({ length: opts.customers }, (_, i) => builder.customer(i, services, popularity));
  (opts.alsoPaying ?? []).forEach((acct, i) => builder.existing(acct, i, services, popularity));
  builder.events.sort((a, b) => a.time - b.time);
  return { events: builder.events, customers, services, sweeps: builder.sweeps };
}

/** Event time of a contract message, for merging streams that were built apart. */
export function eventTimeOf(line: string): number {
  const m = JSON.parse(line) as { occurredAt?: string; blockTime?: string; observedAt?: string };
  return Date.parse(m.occurredAt ?? m.blockTime ?? m.observedAt ?? '');
}

/**
 * Adds the scenario to a simulated stream: a stable merge by event time (the base stream's line
 * first on a tie) and its customers in the truth as benign lookalikes.
 */
export function withServices(base: { lines: string[]; truth: SimTruth }, scenario: ServicesScenario): { lines: string[]; truth: SimTruth } {
  const lines: string[] = [];
  let j = 0;
  for (const line of base.lines) {
    const time = eventTimeOf(line);
    while (j < scenario.events.length && scenario.events[j]!.time < time) lines.push(scenario.events[j++]!.line);
    lines.push(line);
  }
  while (j < scenario.events.length) lines.push(scenario.events[j++]!.line);
  const truth: SimTruth = { ...base.truth, benign: [...base.truth.benign, ...scenario.customers], lookalikes: { ...base.truth.lookalikes } };
  for (const acct of scenario.customers) truth.lookalikes[acct] = WHY;
  return { lines, truth };
}
