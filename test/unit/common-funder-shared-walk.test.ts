/**
 * The common-funder signals judging one withdrawal share one walk over its account's deposits
 * (each asks for the senders of its own `fundedWithin`). A signal's result must not depend on
 * whether another, with a longer or shorter window, walked first: here a withdrawal whose
 * account took deposits from more than four senders over two weeks, two of them in its last three
 * days. Each sender is fresh and funded with gas: the older ones by a funder that funded other
 * accounts' senders too (a common funder), the last two by one that funded nothing else; and one
 * older sender is funded again by the common funder within the last three days.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { compileSignal, type Env, type SignalResult } from '../../src/engine/signals.js';
import { signalSchema } from '../../src/engine/rule-schema.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { DAY, HOUR, USDT_ETH, evmAddress, nativeTx, prng, tokenLog, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 3);

function stream(): string[] {
  const rand = prng(5);
  const common = evmAddress(rand);
  const own = evmAddress(rand);
  const lines: { time: number; line: string }[] = [];
  const deposit = (accountId: string, eventId: string, time: number, funder = common): string => {
    const fresh = evmAddress(rand);
    lines.push({ time: time - 2 * HOUR, line: nativeTx(funder, fresh, 0.005, time - 2 * HOUR, rand) });
    lines.push({ time: time - HOUR, line: tokenLog('ethereum', USDT_ETH, evmAddress(rand), fresh, 3000, time - HOUR, rand) });
    lines.push({ time, line: transfer({ eventId, kind: 'deposit', time, accountId, chain: 'ethereum', asset: 'USDT', amount: 3000, from: [fresh], to: evmAddress(rand) }, rand) });
    return fresh;
  };
  // Six senders into acct-0 over twelve days (the last two within three days of its withdrawal), one into each of three others.
  const senders = [0, 3, 6, 9, 11.5, 12.5].map((day, i) => deposit('acct-0', `dep-0-${i}`, T0 + day * DAY, i >= 4 ? own : common));
  // The day-9 sender is funded again within the short window: a signal that took the long
  // window's senders for its own would find the common funder through it.
  lines.push({ time: T0 + 12.8 * DAY, line: nativeTx(common, senders[3]!, 0.005, T0 + 12.8 * DAY, rand) });
  for (let a = 1; a <= 3; a++) deposit(`acct-${a}`, `dep-${a}`, T0 + (10 + a * 0.5) * DAY);
  const wd = T0 + 13 * DAY;
  lines.push({ time: wd, line: transfer({ eventId: 'wd-0', kind: 'withdrawal', time: wd, accountId: 'acct-0', chain: 'ethereum', asset: 'USDT', amount: 2900, to: evmAddress(rand) }, rand) });
  return lines.sort((x, y) => x.time - y.time).map((l) => l.line);
}

const spec = (fundedWithin: string) => signalSchema.parse({ op: 'common-funder', within: '45d', fundedWithin, assets: ['ETH'], usdRange: ['0 USD', '60 USD'], excludeLabels: [], pass: { gte: 2, lte: 50 } });

describe('common-funder signals sharing one walk over a withdrawal account\'s deposits', () => {
  it('give each the result it gives alone, whichever walks first', () => {
    const pipeline = new Pipeline({ rules: rules() });
    stream().forEach((line, i) => pipeline.process(line, { line: i + 1 }));
    const trigger = pipeline.state.transfer('wd-0') as TransferEvent;
    expect(trigger).toBeDefined();
    const env = (t: TransferEvent): Env => ({ trigger: t, ctx: {}, graph: pipeline.graph, state: pipeline.state, asOf: t.time }) as unknown as Env;
    const long = compileSignal(spec('14d'));
    const short = compileSignal(spec('3d'));
    // Alone: each on a trigger of its own (a copy: the shared walk starts afresh for it).
    const alone = (signal: typeof long): SignalResult => signal(env({ ...trigger }));
    const longAlone = alone(long);
    const shortAlone = alone(short);
    // The two windows see different senders: the long one the common funder, the short one only the other.
    expect(longAlone.ok).toBe(true);
    expect(shortAlone.ok).toBe(false);
    const asJson = (r: SignalResult): string => JSON.stringify(r);
    // The long window first, then the short one on the same trigger; then the other way round on a fresh copy.
    expect([asJson(long(env(trigger))), asJson(short(env(trigger)))]).toEqual([asJson(longAlone), asJson(shortAlone)]);
    const again = { ...trigger };
    expect([asJson(short(env(again))), asJson(long(env(again)))]).toEqual([asJson(shortAlone), asJson(longAlone)]);
  });
});
