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
});
