/**
 * An event view reads each message field through a getter of its own (event-view.ts): every
 * field a rule can name must read exactly the message's value, and the view must enumerate the
 * same fields, in the schema's order, as it did with one shared getter.
 */
import { describe, expect, it } from 'vitest';
import { loginSchema, transferSchema } from '../../src/contract/schemas.js';
import type { LoginEvent, TransferEvent } from '../../src/decode/events.js';
import { eventView } from '../../src/engine/event-view.js';
import { Decimal } from '../../src/money/decimal.js';

/** A message whose every field holds a value of its own (so a getter reading another field is caught). */
function distinctMessage(fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f, i) => [f, { field: f, i }]));
}

const TRANSFER_FIELDS = Object.keys(transferSchema.shape);
const LOGIN_FIELDS = Object.keys(loginSchema.shape);
/** What a view defines itself rather than reading from the message. */
const OWN: Record<'transfer' | 'login', string[]> = { transfer: ['amount', 'usd', 'usdSource'], login: ['kind'] };

describe('event view fields', () => {
  it('reads every transfer and login field as the message holds it, for messages of both shapes', () => {
    for (let round = 0; round < 3; round++) {
      const msg = distinctMessage(TRANSFER_FIELDS);
      const transfer = { type: 'transfer', eventId: 'e', time: 0, msg, from: [], to: 't', amount: Decimal.parse('1'), usd: null, usdSource: null } as unknown as TransferEvent;
      const view = eventView(transfer);
      for (const f of TRANSFER_FIELDS) if (!OWN.transfer.includes(f)) expect(view[f], f).toBe(msg[f]);
      expect(view.amount).toBe(transfer.amount);
      const loginMsg = distinctMessage(LOGIN_FIELDS);
      const login = eventView({ type: 'login', eventId: 'l', time: 0, msg: loginMsg } as unknown as LoginEvent);
      for (const f of LOGIN_FIELDS) expect(login[f], f).toBe(loginMsg[f]);
      expect(login.kind).toBe('login');
      // A field absent from the message reads as absent.
      delete msg.txHash;
      expect(view.txHash).toBeUndefined();
    }
  });

  it('enumerates the schema fields it reads from the message, in the schema order, after its own `source`', () => {
    const transfer = eventView({ type: 'transfer', eventId: 'e', time: 0, msg: {}, from: [], to: 't', amount: Decimal.parse('1'), usd: null, usdSource: null } as unknown as TransferEvent);
    const keys: string[] = [];
    for (const k in transfer) keys.push(k);
    expect(keys).toEqual(['source', ...TRANSFER_FIELDS.filter((f) => !OWN.transfer.includes(f))]);
    const login = eventView({ type: 'login', eventId: 'l', time: 0, msg: {} } as unknown as LoginEvent);
    const loginKeys: string[] = [];
    for (const k in login) loginKeys.push(k);
    expect(loginKeys).toEqual(['source', ...LOGIN_FIELDS]);
  });
});
