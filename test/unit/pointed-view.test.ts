/**
 * History items are read through one pointed view per kind of event (event-view.ts
 * `pointedView`), not through a view kept on each item: a retained transfer or login keeps no
 * view of its own after its judgement and the selectors' reads (32 bytes and a slot each until
 * session 56). The trigger's view is its own, so reading history items while it is judged does
 * not turn it into another event.
 */
import { describe, expect, it } from 'vitest';
import type { LoginEvent, TransferEvent } from '../../src/decode/events.js';
import { buildContext } from '../../src/engine/engine.js';
import { itemContext } from '../../src/engine/signals.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Decimal } from '../../src/money/decimal.js';
import { rules, sampleLines } from '../helpers/sample.js';

const transfer = (eventId: string, asset: string): TransferEvent => ({ type: 'transfer', eventId, time: 0, msg: { eventId, kind: 'deposit', accountId: 'a', asset, chain: 'ethereum', from: [], to: 't' } as unknown as TransferEvent['msg'], from: [], to: 't', amount: Decimal.parse('1'), usd: null, usdSource: null });

describe('history items read through a pointed view', () => {
  it('leaves no view on the retained events of the sample stream after every judgement', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const lines = sampleLines();
    for (let i = 0; i < lines.length; i++) pipeline.process(lines[i]!, { line: i + 1 });
    const { accounts } = pipeline.state.checkpointParts();
    let items = 0;
    for (const [, list] of accounts.entries()) {
      for (const item of list) {
        items++;
        expect(Object.prototype.hasOwnProperty.call(item, 'view'), item.eventId).toBe(false);
      }
    }
    expect(items).toBeGreaterThan(100);
  });

  it('reads the item it was last pointed at, while a trigger keeps a view of its own', () => {
    const trigger = transfer('t-1', 'USDT');
    const ctx = buildContext(trigger, new EntityGraph(), 0);
    const first = itemContext(transfer('h-1', 'BTC'));
    expect(first.event).toMatchObject({ eventId: 'h-1', asset: 'BTC' });
    const second = itemContext(transfer('h-2', 'ETH'));
    expect(second.event).toMatchObject({ eventId: 'h-2', asset: 'ETH' });
    const login = itemContext({ type: 'login', eventId: 'l-1', time: 0, msg: { eventId: 'l-1', accountId: 'a' } } as unknown as LoginEvent);
    expect(login.event).toMatchObject({ eventId: 'l-1', kind: 'login' });
    expect(ctx.event).toMatchObject({ eventId: 't-1', asset: 'USDT', kind: 'deposit' });
  });
});
