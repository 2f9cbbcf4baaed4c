/**
 * Streams in which one key of one kind grows with every message: what an exchange meets besides
 * the sweeping services of hot-key.ts. Each is deterministic for its shape, in event-time order,
 * and costs the generator no memory that grows with its length.
 *
 *   one-account     one account (a payment processor's, a market maker's): a login, deposit or
 *                   withdrawal every ~10 s, from 20,000 senders to 20,000 destinations
 *   shared-device   50,000 accounts logging in and depositing from one device and one IP
 *   one-payer       one address paying 50,000 accounts, which all withdraw to one address
 *   sink            50,000 accounts withdrawing to one address that pays on to fresh ones
 *   consolidation   50,000 accounts withdrawing to one address that forwards to a sanctioned
 *                   one every few minutes (the DPRK payroll consolidation shape, at scale)
 *   fed-hub         a sanctioned address pays 30,000 addresses, which forward to one hub, which
 *                   pays 30,000 others, which deposit here (laundering's consolidation shape)
 *   btc-merge       51-input Bitcoin consolidations, each sharing an input with the last, so one
 *                   cluster grows by 50 addresses a transaction, and deposits from its addresses
 */
import { USDT_ETH, bitcoinTx, label, login, prng, tokenLog, transfer, type Rand } from '../simulate/builders.js';
import { derivedBtc, derivedEvm } from '../simulate/derived.js';

export const HOT_SHAPES = ['one-account', 'shared-device', 'one-payer', 'sink', 'consolidation', 'fed-hub', 'btc-merge'] as const;
export type HotShape = (typeof HOT_SHAPES)[number];

const ACCOUNTS = 50_000;
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };
const accountName = (n: number): string => `acct-${n.toString(16).padStart(8, '0')}`;
/** Tags of derived addresses (simulate/derived.ts), apart from every other generator's. */
const TAG = { payer: 41, sink: 42, sender: 43, deposit: 44, destination: 45, onward: 46, fed: 47, paid: 48, wallet: 49, change: 50 } as const;
const PAYER = derivedEvm(TAG.payer, 0);
const SINK = derivedEvm(TAG.sink, 0);

interface Session { ip: string; ipCountry: string; vpn: boolean; deviceId: string }

const ownSession = (n: number): Session => ({ ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, ipCountry: 'US', vpn: false, deviceId: `dev-${n}` });
const sharedSession: Session = { ip: '10.9.9.9', ipCountry: 'US', vpn: false, deviceId: 'dev-shared' };

class ShapeStream {
  private t = Date.UTC(2025, 0, 1);

  constructor(private readonly shape: HotShape, private readonly rand: Rand) {}

  next(i: number): string {
    this.t += Math.floor(this.rand() * 20_000);
    switch (this.shape) {
      case 'one-account': return this.oneAccount(i);
      case 'shared-device': return this.sharedDevice(i);
      case 'one-payer': return this.onePayer(i);
      case 'sink': return this.sink(i);
      case 'consolidation': return this.consolidation(i);
      case 'fed-hub': return this.fedHub(i);
      case 'btc-merge': return this.btcMerge(i);
    }
  }

  private deposit(i: number, n: number, from: string, amount: number, session: Session, chain = 'ethereum'): string {
    const asset = chain === 'bitcoin' ? 'BTC' : 'USDT';
    const to = chain === 'bitcoin' ? derivedBtc(TAG.deposit, n) : derivedEvm(TAG.deposit, n);
    return transfer({ eventId: `hot-${i}`, kind: 'deposit', time: this.t, accountId: accountName(n), chain, asset, amount, from: [from], to, session, customer }, this.rand);
  }

  private withdrawal(i: number, n: number, to: string, amount: number, session: Session): string {
    return transfer({ eventId: `hot-${i}`, kind: 'withdrawal', status: 'completed', time: this.t, accountId: accountName(n), chain: 'ethereum', asset: 'USDT', amount, to, session, customer }, this.rand);
  }

  private oneAccount(i: number): string {
    const r = this.rand();
    const session = ownSession(i % 5_000);
    if (r < 0.5) return login(`hot-${i}`, this.t, accountName(1), session);
    if (r < 0.75) return this.deposit(i, 1, derivedEvm(TAG.sender, i % 20_000), 100 + this.rand() * 9_000, session);
    return this.withdrawal(i, 1, derivedEvm(TAG.destination, i % 20_000), 100 + this.rand() * 9_000, session);
  }

  private sharedDevice(i: number): string {
    const n = i % ACCOUNTS;
    if (this.rand() < 0.7) return login(`hot-${i}`, this.t, accountName(n), sharedSession);
    return this.deposit(i, n, derivedEvm(TAG.sender, i), 100 + this.rand() * 3_000, sharedSession);
  }

  private onePayer(i: number): string {
    const n = i % ACCOUNTS;
    const r = this.rand();
    if (r < 0.4) return login(`hot-${i}`, this.t, accountName(n), ownSession(n));
    if (r < 0.76) return this.deposit(i, n, PAYER, 2_000 + this.rand() * 3_000, ownSession(n));
    return this.withdrawal(i, n, SINK, 1_000 + this.rand() * 1_000, ownSession(n));
  }

  private sink(i: number): string {
    const n = i % ACCOUNTS;
    const r = this.rand();
    if (r < 0.5) return this.withdrawal(i, n, SINK, 100 + this.rand() * 9_000, ownSession(n));
    if (r < 0.75) return tokenLog('ethereum', USDT_ETH, SINK, derivedEvm(TAG.onward, i), 100 + this.rand() * 9_000, this.t, this.rand);
    return this.deposit(i, n, derivedEvm(TAG.sender, i), 100 + this.rand() * 9_000, ownSession(n));
  }

  private consolidation(i: number): string {
    if (i === 0) return label('ethereum', PAYER, 'sanctioned', 'hot-shape-sdn', this.t);
    const n = i % ACCOUNTS;
    const r = this.rand();
    if (r < 0.5) return this.withdrawal(i, n, SINK, 100 + this.rand() * 9_000, ownSession(n));
    if (r < 0.6) return tokenLog('ethereum', USDT_ETH, SINK, PAYER, 100 + this.rand() * 9_000, this.t, this.rand);
    return this.deposit(i, n, derivedEvm(TAG.sender, i), 100 + this.rand() * 9_000, ownSession(n));
  }

  private fedHub(i: number): string {
    if (i === 0) return label('ethereum', PAYER, 'sanctioned', 'hot-shape-sdn', this.t);
    const r = this.rand();
    const seen = Math.max(1, Math.min(30_000, i));
    if (r < 0.25) return tokenLog('ethereum', USDT_ETH, PAYER, derivedEvm(TAG.fed, i % 30_000), 500 + this.rand() * 500, this.t, this.rand);
    if (r < 0.5) return tokenLog('ethereum', USDT_ETH, derivedEvm(TAG.fed, Math.floor(this.rand() * seen)), SINK, 400 + this.rand() * 500, this.t, this.rand);
    if (r < 0.65) return tokenLog('ethereum', USDT_ETH, SINK, derivedEvm(TAG.paid, i % 30_000), 300 + this.rand() * 500, this.t, this.rand);
    const n = i % ACCOUNTS;
    return this.deposit(i, n, derivedEvm(TAG.paid, Math.floor(this.rand() * seen)), 300 + this.rand() * 500, ownSession(n));
  }

  private btcMerge(i: number): string {
    const wallet = (k: number): string => derivedBtc(TAG.wallet, k % 400_000);
    if (this.rand() < 0.3) {
      // 50 new inputs and one the previous consolidation also spent: the cluster keeps growing.
      const inputs = Array.from({ length: 50 }, (_, k) => ({ address: wallet(i * 50 + k), sats: 10_000 + k }));
      inputs.push({ address: wallet(0), sats: 5_000 });
      return bitcoinTx(inputs, [{ address: derivedBtc(TAG.change, i), sats: 100_000 }], this.t, this.rand);
    }
    const n = i % ACCOUNTS;
    return this.deposit(i, n, wallet(Math.floor(this.rand() * Math.min(400_000, i * 15 + 1))), 0.01 + this.rand() * 0.1, ownSession(n), 'bitcoin');
  }
}

/** Yields `messages` JSON lines of the shape, in event-time order. */
export function* hotShapeStream(shape: HotShape, messages: number, seed = 42): Generator<string> {
  const stream = new ShapeStream(shape, prng(seed));
  for (let i = 0; i < messages; i++) yield stream.next(i);
}
