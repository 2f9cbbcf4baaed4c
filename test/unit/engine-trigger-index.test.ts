/**
 * The engine runs, for each trigger, exactly the rules whose `on` names its kind (only the
 * graph-dependent ones when a graph change re-examines a transfer, and of those only the ones that
 * read cluster membership when the change was a merge of unlabelled clusters), in rule-set order, each
 * `where` seeing no signal of an earlier rule; a rule reload replaces the rules it indexes.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledRule, Trigger } from '../../src/engine/engine.js';
import type { Context } from '../../src/engine/conditions.js';
import { laterPayersOf } from '../../src/engine/later-payers.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules, sampleLines } from '../helpers/sample.js';

interface Call {
  rule: string;
  trigger: number;
  signals: number;
  /** The kind of the item the rule judged: another than the trigger's when a deposit judges earlier withdrawals again (later-payers.ts). */
  kind: string;
}

/** Wraps each compiled rule's `where` and the engine's evaluate to record which rule ran for which trigger. */
function spyOn(pipeline: Pipeline): { calls: Call[]; triggers: { kind: string; reexamined: boolean; membershipOnly: boolean }[]; stale: string[] } {
  const engine = pipeline.engine as unknown as { rules: CompiledRule[]; evaluate(t: Trigger): unknown };
  const calls: Call[] = [];
  const triggers: { kind: string; reexamined: boolean; membershipOnly: boolean }[] = [];
  const stale: string[] = [];
  const evaluate = engine.evaluate.bind(engine);
  engine.evaluate = (t: Trigger) => {
    triggers.push({ kind: t.item.type === 'login' ? 'login' : t.item.msg.kind, reexamined: t.change !== undefined, membershipOnly: t.membershipOnly === true });
    return evaluate(t);
  };
  for (const rule of engine.rules) {
    // The rule's signal results are reused per evaluation: each starts with none computed.
    const require = rule.require;
    rule.require = (ctx: Context) => {
      if (ctx.signals !== rule.lazy || rule.lazyState.results.some((r) => r !== undefined)) stale.push(rule.spec.id);
      return require(ctx);
    };
    const where = rule.where;
    rule.where = (ctx: Context) => {
      calls.push({ rule: rule.spec.id, trigger: triggers.length - 1, signals: Object.keys(ctx.signals as object).length, kind: String((ctx.event as { kind?: unknown }).kind ?? 'login') });
      return where(ctx);
    };
  }
  return { calls, triggers, stale };
}

/**
 * Each trigger ran exactly the rules of `compiled` that name its kind (graph-dependent ones for a
 * re-examination, membership readers after an unlabelled merge), in order. A fresh deposit may also
 * judge the account's earlier withdrawals again with the rules whose payer count reaches it
 * (later-payers.ts): those calls see a withdrawal, and only such rules make them.
 */
function expectIndexed(compiled: readonly CompiledRule[], calls: readonly Call[], triggers: readonly { kind: string; reexamined: boolean; membershipOnly: boolean }[]): void {
  const byTrigger = new Map<number, string[]>();
  const laterPayerRules = new Set(compiled.filter((r) => laterPayersOf(r.spec) !== undefined).map((r) => r.spec.id));
  for (const c of calls) {
    expect(c.signals).toBe(0);
    if (c.kind !== triggers[c.trigger]!.kind) {
      expect({ trigger: triggers[c.trigger], kind: c.kind, later: laterPayerRules.has(c.rule) }).toEqual({ trigger: { kind: 'deposit', reexamined: false, membershipOnly: false }, kind: 'withdrawal', later: true });
      continue;
    }
    byTrigger.set(c.trigger, [...(byTrigger.get(c.trigger) ?? []), c.rule]);
  }
  triggers.forEach((t, i) => {
    const expected = compiled.filter((r) => (r.spec.on as string[]).includes(t.kind) && (!t.reexamined || r.graphDependent) && (!t.membershipOnly || r.readsMembership)).map((r) => r.spec.id);
    expect(byTrigger.get(i) ?? []).toEqual(expected);
  });
}

const compiledRules = (pipeline: Pipeline): CompiledRule[] => (pipeline.engine as unknown as { rules: CompiledRule[] }).rules;

const run = (pipeline: Pipeline, lines: readonly string[]): void => lines.forEach((line, i) => pipeline.process(line, { line: i + 1 }));

describe('rules indexed by trigger kind', () => {
  const lines = sampleLines();

  it('run every rule that names the kind, and only those, in rule-set order, with no signals at `where` and none cached at `require`', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const compiled = compiledRules(pipeline);
    const { calls, triggers, stale } = spyOn(pipeline);
    run(pipeline, lines);
    expect(stale).toEqual([]);
    expect(triggers.some((t) => t.reexamined && !t.membershipOnly)).toBe(true);
    expect(triggers.some((t) => t.membershipOnly)).toBe(true);
    expect(new Set(triggers.map((t) => t.kind))).toEqual(new Set(['login', 'deposit', 'withdrawal']));
    expectIndexed(compiled, calls, triggers);
  });

  it('index the new rules after a reload, not the old ones', () => {
    const all = rules();
    const pipeline = new Pipeline({ rules: all, labels: [] });
    const before = spyOn(pipeline);
    run(pipeline, lines.slice(0, 2000));
    // Every kind has been indexed under the old rules before the reload.
    expect(new Set(before.triggers.map((t) => t.kind))).toEqual(new Set(['login', 'deposit', 'withdrawal']));
    const on = (r: (typeof all)[number]): string[] => r.spec.on as string[];
    const withdrawalsOnly = all.filter((r) => !on(r).includes('deposit'));
    expect(withdrawalsOnly.length).toBeGreaterThan(0);
    pipeline.replaceRules(withdrawalsOnly);
    const { calls, triggers } = spyOn(pipeline);
    run(pipeline, lines.slice(2000));
    expect(triggers.filter((t) => t.kind === 'deposit').length).toBeGreaterThan(0);
    expect(calls.length).toBeGreaterThan(0);
    expectIndexed(compiledRules(pipeline), calls, triggers);
  });
});
