/**
 * The rules' view of an exchange event: every field of the message, with `amount` as the exact
 * decimal decoded from the wire's string, `usd` (exact) and `usdSource` (where the USD value came
 * from), and `kind: 'login'` for a login. A view
 * holds only a reference to its event; the message's fields are read through getters shared by
 * every view, so keeping a view beside each retained event costs about 30 bytes, not a copy. The
 * view doubles as the `{ event }` context of selector conditions (see `event` below).
 */
import { loginSchema, transferSchema } from '../contract/schemas.js';
import type { LoginEvent, TransferEvent } from '../decode/events.js';
import type { Decimal } from '../money/decimal.js';

class TransferView {
  constructor(readonly source: TransferEvent) {}
  get amount(): Decimal { return this.source.amount; }
  get usd(): Decimal | null { return this.source.usd; }
  get usdSource(): string | null { return this.source.usdSource; }
}

class LoginView {
  constructor(readonly source: LoginEvent) {}
  get kind(): 'login' { return 'login'; }
}

/** A getter on the view's prototype for each message field it does not override. */
function delegateFields(view: { prototype: object }, fields: readonly string[]): void {
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(view.prototype, field)) continue;
    Object.defineProperty(view.prototype, field, {
      enumerable: true,
      get(this: { source: { msg: Record<string, unknown> } }) { return this.source.msg[field]; },
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

export function eventView(item: TransferEvent | LoginEvent): Record<string, unknown> {
  return (item.type === 'login' ? new LoginView(item) : new TransferView(item)) as unknown as Record<string, unknown>;
}
