/**
 * Chain data that lags intel: a deposit from A, a sanctions label on B dated ten days after it,
 * and the co-spend of A and B (dated before the deposit) read last. In event order the label,
 * arriving after the merge and the deposit, judges the deposit as of its own date; read last, the
 * merge judged it as of the merge's date, before the listing, and the alert was lost (session 42
 * chain QA). Every order of the three messages now gives the same alert bytes.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, btcAddress, DAY, HOUR, label, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 3, 1);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('a merge read after a label dated later than it', () => {
  it('gives the sanctions alert of event order, byte for byte, whatever order the co-spend, the label and the deposit are read in', () => {
    const rand = prng(7);
    const [a, b] = [btcAddress(rand), btcAddress(rand)];
    const coSpend = bitcoinTx([{ address: a, sats: 400_000 }, { address: b, sats: 300_000 }], [{ address: btcAddress(rand), sats: 690_000 }], T0, rand);
    // Written as a producer might: the instant without milliseconds.
    const listing = label('bitcoin', b, 'sanctioned', 'SDN entity', T0 + 10 * DAY).replace('.000Z', 'Z');
    const deposit = transfer({ eventId: 'dep-a', kind: 'deposit', time: T0 + 2 * HOUR, accountId: 'acct-a', chain: 'bitcoin', asset: 'BTC', amount: 0.004, from: [a], to: btcAddress(rand) }, rand);
    const outputs = permutations([coSpend, listing, deposit]).map((lines) => {
      const pipeline = new Pipeline({ rules: rules() });
      return lines.flatMap((line, i) => pipeline.process(line, { line: i + 1 }).alerts).map((alert) => JSON.stringify(alert)).join('\n');
    });
    expect(outputs[0]).toContain('"typology":"sanctions-exposure"');
    for (const output of outputs) expect(output).toBe(outputs[0]);
  });
});
