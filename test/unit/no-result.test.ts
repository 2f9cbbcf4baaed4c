/**
 * A signal that does not hold returns the shared NO_RESULT, and a rule reads it through one shared
 * view. Both are frozen, so no rule can write into what the next trigger reads; and the view
 * shows what a fresh result showed: ok false, no value, no evidence ids, no facts.
 */
import { describe, expect, it } from 'vitest';
import { buildContext, compileRule } from '../../src/engine/engine.js';
import { NO_RESULT, plainResultView } from '../../src/engine/no-result.js';
import { compileSignal, type SignalResult } from '../../src/engine/signals.js';
import { signalSchema } from '../../src/engine/rule-schema.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { RuleState } from '../../src/engine/state.js';
import type { Env } from '../../src/engine/signals.js';
import type { HistoryItem } from '../../src/engine/state.js';
import { rules } from '../helpers/sample.js';

describe('the shared result of a signal that does not hold', () => {
  it('is frozen, with its evidence ids and facts', () => {
    expect(Object.isFrozen(NO_RESULT)).toBe(true);
    expect(Object.isFrozen(NO_RESULT.eventIds)).toBe(true);
    expect(Object.isFrozen(NO_RESULT.facts)).toBe(true);
    expect(() => (NO_RESULT.eventIds as string[]).push('x')).toThrow(TypeError);
  });

  it('reads, through a rule, as a fresh failing result did, and is the same frozen view for every trigger', () => {
    // An exposure signal holds for transfers only: a login gets NO_RESULT.
    const loaded = rules().find((r) => Object.values(r.spec.signals).some((s) => s.op === 'exposure'))!;
    const rule = compileRule(loaded);
    const [name] = rule.signals.find(([n]) => loaded.spec.signals[n]!.op === 'exposure')!;
    const login = { type: 'login', eventId: 'ev-1', time: Date.UTC(2025, 0, 1), msg: { schema: 'exchange.login.v1', eventId: 'ev-1', occurredAt: '2025-01-01T00:00:00.000Z', accountId: 'acct-1', ip: '10.0.0.1', deviceId: 'd-1' } } as unknown as HistoryItem;
    const env = { trigger: login, ctx: {}, graph: new EntityGraph(), state: new RuleState({ retention: 86_400_000 }), asOf: login.time } as unknown as Env;
    const read = (): Record<string, unknown> => {
      rule.lazyState.env = env;
      rule.lazyState.results.fill(undefined);
      return (rule.lazy as unknown as Record<string, Record<string, unknown>>)[name]!;
    };
    const first = read();
    expect(first).toEqual({ ok: false, value: undefined, eventIds: [], facts: {} });
    expect(Object.keys(first)).toEqual(['ok', 'value', 'eventIds', 'facts']);
    expect(Object.isFrozen(first)).toBe(true);
    expect(read()).toBe(first);
  });
});

describe('a failing result many triggers share (a device or IP its own account alone used)', () => {
  const login = (n: number): HistoryItem => ({ type: 'login', eventId: `ev-${n}`, time: Date.UTC(2025, 0, 1) + n * 1000, msg: { schema: 'exchange.login.v1', eventId: `ev-${n}`, occurredAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(), accountId: `acct-${n}`, ip: `10.0.0.${n}`, ipCountry: 'US', vpn: false, deviceId: `d-${n}` } }) as unknown as HistoryItem;

  it('is one frozen result per account count, whose view reads as the copy the engine made of a fresh one', () => {
    const state = new RuleState({ retention: 86_400_000 });
    const graph = new EntityGraph();
    const signal = compileSignal(signalSchema.parse({ op: 'linkage', by: 'device', within: '90d', pass: { gte: 3, lte: 100 } }));
    const judge = (n: number): SignalResult => {
      const trigger = login(n);
      state.add(trigger);
      return signal({ trigger, ctx: {}, graph, state, asOf: trigger.time } as unknown as Env);
    };
    const first = judge(1);
    expect(judge(2)).toBe(first);
    expect(first).toEqual({ ok: false, eventIds: [], facts: { accounts: 1 } });
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.keys(first)).toEqual(['ok', 'eventIds', 'facts']); // the view is not enumerable: results compare as before
    const view = first.sharedView!;
    expect(view).toEqual(plainResultView({ ok: false, eventIds: [], facts: { accounts: 1 } }));
    expect(Object.keys(view)).toEqual(['accounts', 'ok', 'value', 'eventIds', 'facts']);
    expect(Object.isFrozen(view)).toBe(true);
  });

  it('is what a rule reads, the same view for every trigger', () => {
    const loaded = rules().find((r) => r.spec.id === 'account-linkage.shared-device')!;
    const rule = compileRule(loaded);
    const state = new RuleState({ retention: 86_400_000 });
    const graph = new EntityGraph();
    const read = (n: number): Record<string, unknown> => {
      const trigger = login(n);
      state.add(trigger);
      rule.lazyState.env = { trigger, ctx: {}, graph, state, asOf: trigger.time } as unknown as Env;
      rule.lazyState.results.fill(undefined);
      return (rule.lazy as unknown as Record<string, Record<string, unknown>>)['device']!;
    };
    const first = read(1);
    expect(first).toEqual({ accounts: 1, ok: false, value: undefined, eventIds: [], facts: { accounts: 1 } });
    expect(read(2)).toBe(first);
  });
});

describe("a login's evaluation context", () => {
  it('shares frozen empty account and counterparty views, and starts with no signals: nothing allocated but the context', () => {
    const at = Date.UTC(2025, 0, 1);
    const login = (n: number): HistoryItem => ({ type: 'login', eventId: `ev-${n}`, time: at, msg: { schema: 'exchange.login.v1', eventId: `ev-${n}`, occurredAt: '2025-01-01T00:00:00.000Z', accountId: `acct-${n}`, ip: '10.0.0.1', ipCountry: 'US', vpn: false } }) as unknown as HistoryItem;
    const one = buildContext(login(1), new EntityGraph(), at);
    const two = buildContext(login(2), new EntityGraph(), at);
    expect(one.account).toBe(two.account);
    expect(one.counterparty).toBe(two.counterparty);
    expect(one.signals).toBe(two.signals);
    expect(one.account).toEqual({});
    expect(Object.isFrozen(one.account) && Object.isFrozen(one.counterparty) && Object.isFrozen(one.signals)).toBe(true);
  });
});
