import { describe, expect, it } from 'vitest';
import { cheapestFirst } from '../../src/engine/engine.js';
import type { Condition, SignalSpec } from '../../src/engine/rule-schema.js';

describe('require is tried cheapest first', () => {
  it('puts field conditions before keyed signals, and graph walks last, keeping ties in written order', () => {
    const signals = {
      walk: { op: 'exposure' },
      payroll: { op: 'cadence' },
      flow: { op: 'sequence' },
      device: { op: 'linkage' },
    } as unknown as Record<string, SignalSpec>;
    const written: Condition[] = [
      { signal: 'walk' },
      { signal: 'payroll' },
      { field: 'signals.flow.ratio', gte: 0.8 } as Condition,
      { any: [{ field: 'event.session.vpn', eq: true } as Condition, { signal: 'device' }] },
      { field: 'event.usd', gte: 1000 } as Condition,
      { signal: 'device' },
    ];
    const ordered = cheapestFirst(written, signals);
    expect(ordered).toEqual([written[4], written[3], written[5], written[2], written[1], written[0]]);
  });

  it('costs a comparison by the signal on either side: a cheap field compared with a costly signal waits for that signal (the facilitator hub)', () => {
    const signals = {
      employers: { op: 'distinct-payers' },
      newDestination: { op: 'fresh' },
      walk: { op: 'exposure' },
    } as unknown as Record<string, SignalSpec>;
    const written: Condition[] = [
      { signal: 'employers' },
      { not: { field: 'signals.newDestination.firstPaidDaysBefore', gtField: 'signals.employers.sinceDays' } as Condition },
      { field: 'signals.newDestination.days', lteField: 'signals.walk.hops' } as Condition,
      { field: 'signals.newDestination.days', gte: 1 } as Condition,
    ];
    // employers (2) before the `not` that also reads it (2, written later); the fresh-only one (1) first; the walk's comparison (4) last.
    expect(cheapestFirst(written, signals)).toEqual([written[3], written[0], written[1], written[2]]);
  });
});
