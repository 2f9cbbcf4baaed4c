/**
 * The rules' view of an exchange event: every field of the message, with `amount` as the exact
 * decimal decoded from the wire's string, `usd` (exact) and `usdSource` (where the USD value came
 * from), and `kind: 'login'` for a login. A view
 * holds only a reference to its event; the message's fields are read through getters shared by
 * every view, not copied. No view is kept on an event: a trigger's judgement reads a view of its
 * own (`eventView`), and history items are read through one view per kind of event pointed at
 * each in turn (`pointedView`). The view doubles as the `{ event }` context of selector
 * conditions (see `event` below).
 */
import { loginSchema, transferSchema } from '../contract/schemas.js';
import type { LoginEvent, TransferEvent } from '../decode/events.js';
import type { Decimal } from '../money/decimal.js';

class TransferView {
  constructor(public source: TransferEvent) {}
  get amount(): Decimal { return this.source.amount; }
  get usd(): Decimal | null { return this.source.usd; }
  get usdSource(): string | null { return this.source.usdSource; }
}

class LoginView {
  constructor(public source: LoginEvent) {}
  get kind(): 'login' { return 'login'; }
}

type Viewed = { source: { msg: Record<string, unknown> } };

/**
 * A reader per message field, each its own function: one shared getter reading `msg[field]`
 * is a keyed load whose name changes with the field, which V8 cannot specialise (a generic
 * lookup per read, and rule conditions read these fields on every trigger); a getter of its own
 * is a plain property load. A field without one here (a field added to a schema later) gets the
 * shared getter, which reads the same value.
 */
const READERS = new Map<string, (this: Viewed) => unknown>([
  ['schema', function (this: Viewed) { return this.source.msg.schema; }],
  ['eventId', function (this: Viewed) { return this.source.msg.eventId; }],
  ['kind', function (this: Viewed) { return this.source.msg.kind; }],
  ['status', function (this: Viewed) { return this.source.msg.status; }],
  ['occurredAt', function (this: Viewed) { return this.source.msg.occurredAt; }],
  ['accountId', function (this: Viewed) { return this.source.msg.accountId; }],
  ['chain', function (this: Viewed) { return this.source.msg.chain; }],
  ['asset', function (this: Viewed) { return this.source.msg.asset; }],
  ['usdValue', function (this: Viewed) { return this.source.msg.usdValue; }],
  ['txHash', function (this: Viewed) { return this.source.msg.txHash; }],
  ['from', function (this: Viewed) { return this.source.msg.from; }],
  ['to', function (this: Viewed) { return this.source.msg.to; }],
  ['session', function (this: Viewed) { return this.source.msg.session; }],
  ['customer', function (this: Viewed) { return this.source.msg.customer; }],
  ['ip', function (this: Viewed) { return this.source.msg.ip; }],
  ['ipCountry', function (this: Viewed) { return this.source.msg.ipCountry; }],
  ['vpn', function (this: Viewed) { return this.source.msg.vpn; }],
  ['vpnProvider', function (this: Viewed) { return this.source.msg.vpnProvider; }],
  ['deviceId', function (this: Viewed) { return this.source.msg.deviceId; }],
]);

/** A getter on the view's prototype for each message field it does not override. */
function delegateFields(view: { prototype: object }, fields: readonly string[]): void {
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(view.prototype, field)) continue;
    Object.defineProperty(view.prototype, field, {
      enumerable: true,
      get: READERS.get(field) ?? function (this: Viewed) { return this.source.msg[field]; },
    });
  }
}

delegateFields(TransferView, Object.keys(transferSchema.shape));
delegateFields(LoginView, Object.keys(loginSchema.shape));

/**
 * A view is also the context a selector's `where` reads (`event.<field>`): `event` is the view
 * itself, so a retained event keeps one small object for both, not a view and a context around it.
 * Not enumerable: it is no field of the event.
 */
for (const view of [TransferView, LoginView]) Object.defineProperty(view.prototype, 'event', { enumerable: false, get(this: object) { return this; } });

/** A view of its own for the event (a trigger's, which its whole judgement reads). */
export function eventView(item: TransferEvent | LoginEvent): Record<string, unknown> {
  return (item.type === 'login' ? new LoginView(item) : new TransferView(item)) as unknown as Record<string, unknown>;
}

/** The one view of each kind a history item is read through (`pointedView`), pointed at nothing until the first read. */
const POINTED_TRANSFER = new TransferView(undefined as unknown as TransferEvent);
const POINTED_LOGIN = new LoginView(undefined as unknown as LoginEvent);

/**
 * The view of a history item as a selector reads it: one view per kind of event, pointed at the
 * item, and valid until the next item is read through it. Every reader of a history item's
 * view (a selector's `where`, a window's field) reads it at once and keeps nothing of it, so one
 * view serves them all. Until session 56 each item kept a view of its own, made on first read:
 * 32 bytes and a slot on every retained event (every transfer got one as a trigger).
 */
export function pointedView(item: TransferEvent | LoginEvent): Record<string, unknown> {
  if (item.type === 'login') {
    POINTED_LOGIN.source = item;
    return POINTED_LOGIN as unknown as Record<string, unknown>;
  }
  POINTED_TRANSFER.source = item;
  return POINTED_TRANSFER as unknown as Record<string, unknown>;
}
