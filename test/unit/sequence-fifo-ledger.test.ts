/**
 * The fifo ledger's close step reads only the inflows a follow-up visited and those received since
 * the last check (review of session 62: reading every open inflow at every follow-up was quadratic,
 * 0.4 ms a withdrawal on an account with 200 open deposits). Its verdicts must be those of the
 * full scan: a seeded random walk of deposits (some split, some unpriced) and withdrawals is fed
 * to the ledger and to a reference that closes by reading every open inflow, as the first version did.
 */
import { describe, expect, it } from 'vitest';
import type { TransferEvent } from '../../src/decode/events.js';
import { Decimal } from '../../src/money/decimal.js';
import { FifoLedger, type FifoInflow, type FifoOptions } from '../../src/engine/sequence-fifo.js';
import { prng } from '../../src/simulate/builders.js';

const HOUR = 3_600_000;
const ZERO = Decimal.ZERO;

/** The first version's ledger: after each follow-up, every open inflow from the head is read. */
class FullScanLedger {
  readonly all: FifoInflow[] = [];
  private readonly open: FifoInflow[] = [];
  private head = 0;
  constructor(private readonly o: FifoOptions) {}
  receive(e: TransferEvent): void {
    const last = this.open.length > this.head ? this.open[this.open.length - 1]! : undefined;
    if (last !== undefined && e.time - last.since <= this.o.groupWithin && e.from.some((a) => last.parts[0]!.from.includes(a))) {
      last.parts.push(e);
      last.usd = last.usd.plus(e.usd ?? ZERO);
      return;
    }
    const inflow: FifoInflow = { parts: [e], usd: e.usd ?? ZERO, out: ZERO, follows: [], since: e.time };
    this.open.push(inflow);
    this.all.push(inflow);
  }
  give(e: TransferEvent): FifoInflow | undefined {
    while (this.head < this.open.length && e.time - this.open[this.head]!.since > this.o.within) this.head++;
    let rest = e.usd ?? ZERO;
    let most: FifoInflow | undefined;
    let mostTaken = ZERO;
    for (let i = this.head; i < this.open.length; i++) {
      const inflow = this.open[i]!;
      const isLast = i === this.open.length - 1;
      const room = inflow.usd.minus(inflow.out);
      const taken = isLast || rest.compare(room) <= 0 ? rest : room.sign() > 0 ? room : ZERO;
      if (taken.sign() <= 0 && !isLast) continue;
      inflow.out = inflow.out.plus(taken);
      inflow.follows.push(e);
      if (most === undefined || taken.compare(mostTaken) > 0) { most = inflow; mostTaken = taken; }
      rest = rest.minus(taken);
      if (rest.sign() <= 0) break;
    }
    for (let i = this.head; i < this.open.length; i++) {
      const inflow = this.open[i]!;
      if (inflow.out.compare(inflow.usd.times(this.o.minRatio)) < 0) continue;
      this.open.splice(i, 1);
      i--;
    }
    return most;
  }
}

/** A deposit from `sender` or a withdrawal, as much of a TransferEvent as the ledger reads. */
function move(n: number, kind: 'deposit' | 'withdrawal', time: number, usd: number | undefined, sender: number): TransferEvent {
  return {
    type: 'transfer', eventId: `m-${n}`, time, usd: usd === undefined ? undefined : Decimal.fromNumber(usd),
    from: kind === 'deposit' ? [`sender-${sender}`] : [], to: kind === 'withdrawal' ? `dest-${n % 7}` : 'own',
    msg: { kind },
  } as unknown as TransferEvent;
}

/** Each follow-up's inflow (by its place among all inflows) and every inflow's parts, out and follow-ups at the end. */
function run(ledger: FullScanLedger | FifoLedger, moves: readonly TransferEvent[]): string {
  const picks: number[] = [];
  for (const m of moves) {
    if (m.msg.kind === 'deposit') ledger.receive(m);
    else { const got = ledger.give(m); picks.push(got === undefined ? -1 : ledger.all.indexOf(got)); }
  }
  return JSON.stringify({ picks, inflows: ledger.all.map((f) => [f.parts.length, f.usd.toString(), f.out.toString(), f.follows.map((e) => e.eventId)]) });
}

describe('fifo ledger: closing only changed inflows gives the full scan\'s verdicts', () => {
  it('agrees with the full-scan ledger on 400 seeded random walks (splits, unpriced deposits, minRatio 0 to 100%)', () => {
    const rand = prng(62);
    let differing = 0;
    let followUps = 0;
    for (let walk = 0; walk < 400; walk++) {
      const minRatio = [0, 0.5, 0.7, 1][walk % 4]!;
      const options: FifoOptions = { within: 7 * 24 * HOUR, groupWithin: 24 * HOUR, minRatio: Decimal.fromNumber(minRatio), maxRatio: Decimal.fromNumber(1.5), first: () => true, then: () => true };
      const moves: TransferEvent[] = [];
      let time = 0;
      for (let n = 0; n < 120; n++) {
        time += Math.floor(rand() * 30 * HOUR);
        const deposit = rand() < 0.6;
        const usd = rand() < 0.05 ? undefined : Math.round(rand() * 5000) / 1;
        moves.push(move(n, deposit ? 'deposit' : 'withdrawal', time, usd, Math.floor(rand() * 3)));
        if (!deposit) followUps++;
      }
      if (run(new FullScanLedger(options), moves) !== run(new FifoLedger(options), moves)) differing++;
    }
    expect(followUps).toBeGreaterThan(15_000);
    expect(differing).toBe(0);
  });
});
