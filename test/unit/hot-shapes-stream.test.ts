/**
 * The hot-key shapes the benchmark replays (src/bench/hot-shapes-stream.ts) are valid contract
 * messages in event-time order, each concentrated on the one key its name says.
 */
import { describe, expect, it } from 'vitest';
import { HOT_SHAPES, hotShapeStream, type HotShape } from '../../src/bench/hot-shapes-stream.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const eventTime = (m: Record<string, unknown>): number => Date.parse(String(m.occurredAt ?? m.blockTime ?? m.observedAt));

/** The share of messages naming the shape's hot key. */
const hotKeyShare: Record<HotShape, (messages: Record<string, unknown>[]) => number> = {
  'one-account': (ms) => ms.filter((m) => m.accountId === 'acct-00000001').length / ms.length,
  'shared-device': (ms) => ms.filter((m) => (m.deviceId ?? (m.session as { deviceId?: string } | undefined)?.deviceId) === 'dev-shared').length / ms.length,
  'one-payer': (ms) => {
    const deposits = ms.filter((m) => m.kind === 'deposit');
    const withdrawals = ms.filter((m) => m.kind === 'withdrawal');
    const payer = (deposits[0]!.from as string[])[0];
    return (deposits.filter((m) => (m.from as string[])[0] === payer).length + withdrawals.filter((m) => m.to === withdrawals[0]!.to).length) / (deposits.length + withdrawals.length);
  },
  sink: (ms) => ms.filter((m) => m.kind === 'withdrawal').map((m) => m.to).filter((to, _, all) => to === all[0]).length / ms.filter((m) => m.kind === 'withdrawal').length,
  consolidation: (ms) => {
    const withdrawals = ms.filter((m) => m.kind === 'withdrawal');
    const forwards = ms.filter((m) => m.schema === 'chain.evm.log.v1');
    return ms[0]!.schema === 'intel.label.v1' && forwards.length > 0 && withdrawals.every((m) => m.to === withdrawals[0]!.to) ? 1 : 0;
  },
  'fed-hub': (ms) => (ms[0]!.schema === 'intel.label.v1' ? 1 : 0),
  'btc-merge': (ms) => ms.filter((m) => m.schema === 'chain.bitcoin.tx.v1').filter((m) => (m.prevouts as unknown[]).length === 51).length / ms.filter((m) => m.schema === 'chain.bitcoin.tx.v1').length,
};

describe('hot-key shape streams', () => {
  for (const shape of HOT_SHAPES) {
    it(`${shape}: every message accepted, in event-time order, on its hot key`, () => {
      const lines = [...hotShapeStream(shape, 400)];
      expect(lines).toHaveLength(400);
      const messages = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const times = messages.map(eventTime);
      expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!))).toBe(true);
      const p = new Pipeline({ rules: rules() });
      for (const [i, line] of lines.entries()) p.process(line, { file: shape, line: i + 1 });
      expect(p.stats).toMatchObject({ read: 400, accepted: 400, rejected: 0 });
      expect(hotKeyShare[shape](messages)).toBe(1);
    });
  }
});
