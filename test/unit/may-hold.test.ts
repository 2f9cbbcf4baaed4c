/**
 * A signal's `mayHold` is a necessary condition: whenever it says a trigger cannot hold, the
 * signal computed for that trigger does not hold. The engine then skips a rule whose `require`
 * tries that signal first, so a wrong "cannot" would lose alerts; this checks every "cannot" of a
 * replay against the signal itself.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledRule } from '../../src/engine/engine.js';
import type { Env } from '../../src/engine/signals.js';
import { shippedPipeline } from '../../src/bench/replay-run.js';
import { mixedStream } from '../../src/bench/mixed-stream.js';
import { sampleLines } from '../helpers/sample.js';

/** Replays the lines, checking each "cannot hold" against the signal; counts them by signal op. */
function replayChecked(lines: Iterable<string>): { cannot: Map<string, number>; wrong: string[] } {
  const pipeline = shippedPipeline();
  const cannot = new Map<string, number>();
  const wrong: string[] = [];
  for (const rule of (pipeline.engine as unknown as { rules: CompiledRule[] }).rules) {
    const mayHold = rule.mayHold;
    if (mayHold === undefined) continue;
    const [name, signal] = rule.signals.find(([, s]) => s.mayHold === mayHold)!;
    const op = rule.spec.signals[name]!.op;
    rule.mayHold = (env: Env) => {
      const may = mayHold(env);
      if (!may) {
        cannot.set(op, (cannot.get(op) ?? 0) + 1);
        if (signal(env).ok) wrong.push(`${rule.spec.id}.${name} on ${env.trigger.eventId}`);
      }
      return may;
    };
  }
  let n = 0;
  for (const line of lines) pipeline.process(line, { line: ++n });
  return { cannot, wrong };
}

describe('a signal that says it cannot hold', () => {
  it('does not hold, on the sample and on an issue-shaped stream, for the distinct-payers and fan-in signals that rules try first', () => {
    const sample = replayChecked(sampleLines());
    const mixed = replayChecked(mixedStream({ messages: 20_000, accounts: 2_000, seed: 7 }));
    expect([...sample.wrong, ...mixed.wrong]).toEqual([]);
    expect(mixed.cannot.get('distinct-payers') ?? 0).toBeGreaterThan(100);
    expect(mixed.cannot.get('fan-in') ?? 0).toBeGreaterThan(100);
  }, 300_000); // two replays with every signal checked twice: past the default minute in a loaded CI run
});
