/**
 * A Bitcoin transaction is one message with an edge per output, and wallets put outputs in any
 * order: every output's edge re-examines the transfers it lies on the path of, not only the
 * first one's (session 44 chain QA: a withdrawal whose receiver then paid a listed address was
 * judged again only when that payment was output 0; about half of real two-output payments).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, btcAddress, DAY, HOUR, label, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 1);

const exposureOf = (alerts: { typology: string; subject: { accountId: string }; severity: string }[]) =>
  alerts.filter((a) => a.typology === 'sanctions-exposure').map((a) => [a.subject.accountId, a.severity]);

describe('every output of a Bitcoin transaction re-examines what it explains', () => {
  for (const listedAt of [0, 1, 2]) {
    it(`a withdrawal whose receiver pays a listed address in output ${listedAt} of three is judged again (downstream)`, () => {
      const rand = prng(40 + listedAt);
      const p = new Pipeline({ rules: rules() });
      const listed = btcAddress(rand);
      const receiver = btcAddress(rand);
      p.process(label('bitcoin', listed, 'sanctioned', 'SDN entry', T0 - 30 * DAY), {});
      expect(exposureOf(p.process(transfer({ eventId: 'wd-1', kind: 'withdrawal', time: T0, accountId: 'acct-payer', chain: 'bitcoin', asset: 'BTC', amount: 0.06, to: receiver }, rand), {}).alerts)).toEqual([]);
      const outputs = [btcAddress(rand), btcAddress(rand), btcAddress(rand)].map((address) => ({ address, sats: 1_900_000 }));
      outputs[listedAt] = { address: listed, sats: 1_900_000 };
      const onward = bitcoinTx([{ address: receiver, sats: 6_000_000 }], outputs, T0 + DAY, rand);
      expect(exposureOf(p.process(onward, {}).alerts)).toEqual([['acct-payer', 'high']]);
    });
  }

  it('a deposit read before the transaction that funded its sender from a listed address, in output 1 and worth $275, is judged again (upstream)', () => {
    const rand = prng(50);
    const p = new Pipeline({ rules: rules() });
    const listed = btcAddress(rand);
    const sender = btcAddress(rand);
    p.process(label('bitcoin', listed, 'sanctioned', 'SDN entry', T0 - 30 * DAY), {});
    expect(exposureOf(p.process(transfer({ eventId: 'dep-1', kind: 'deposit', time: T0 + 2 * HOUR, accountId: 'acct-depositor', chain: 'bitcoin', asset: 'BTC', amount: 0.0029, from: [sender], to: btcAddress(rand) }, rand), {}).alerts)).toEqual([]);
    const funding = bitcoinTx([{ address: listed, sats: 9_000_000 }], [{ address: btcAddress(rand), sats: 8_700_000 }, { address: sender, sats: 290_000 }], T0, rand);
    expect(exposureOf(p.process(funding, {}).alerts)).toEqual([['acct-depositor', 'high']]);
  });
});
