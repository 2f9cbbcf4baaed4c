import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { simulate } from '../../src/simulate/scenarios.js';
import { servicesScenario, withServices } from '../../src/simulate/services.js';

const shape = { seed: 3, customers: 40, services: 5, start: Date.UTC(2025, 0, 6), days: 30 };

describe('services scenario (customers paying popular services that sweep)', () => {
  it('is the same for the same seed, and every line decodes', () => {
    const a = servicesScenario(shape);
    expect(servicesScenario(shape).events).toEqual(a.events);
    for (const e of a.events) expect(decodeMessage(e.line).ok).toBe(true);
  });

  it('without sweeps is the same stream minus exactly its sweep messages', () => {
    const full = servicesScenario(shape);
    const bare = servicesScenario({ ...shape, sweeps: false });
    const kept = new Set(bare.events.map((e) => e.line));
    const dropped = full.events.filter((e) => !kept.has(e.line));
    expect(dropped).toHaveLength(full.sweeps);
    expect(dropped.every((e) => JSON.parse(e.line).schema === 'chain.evm.log.v1')).toBe(true);
  });

  it('sweeps every payment into its service hot wallet, and events are in event-time order', () => {
    const s = servicesScenario(shape);
    expect(s.events.map((e) => e.time)).toEqual([...s.events.map((e) => e.time)].sort((x, y) => x - y));
    const withdrawals = s.events.filter((e) => JSON.parse(e.line).kind === 'withdrawal').length;
    expect(s.sweeps).toBe(withdrawals);
  });

  it('mixes into a simulated stream in event-time order, its customers benign in the truth', () => {
    const base = simulate({ seed: 1, scale: 1 });
    const scenario = servicesScenario(shape);
    const mixed = withServices(base, scenario);
    expect(mixed.lines).toHaveLength(base.lines.length + scenario.events.length);
    expect(mixed.truth.benign).toEqual([...base.truth.benign, ...scenario.customers]);
    expect(base.truth.benign).not.toContain(scenario.customers[0]); // the base truth is not mutated
  });
});
