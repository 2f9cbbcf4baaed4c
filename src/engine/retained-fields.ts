/**
 * Which fields of a transfer message the rule state keeps once the transfer is retained: the
 * fields the rules in force can read through `event.<field>` (conditions, selectors, evidence,
 * explanations, a window's `field`, a sequence's `differ`), plus what the engine, the signals
 * and a checkpoint restore read themselves. The rest (occurredAt, txHash, the schema name) is
 * dropped from every retained transfer: it can change no alert. A rule that reads the whole
 * event (`event` as a path) keeps every field.
 *
 * Like retention, this derives from the rules: a rule added by a hot reload that reads a field
 * dropped earlier sees it only on transfers that arrive from then on.
 */
import { transferSchema, type TransferMessage } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import type { LoadedRule } from './loader.js';
import { FIELD_COMPARATORS } from './rule-schema.js';
import { explainPaths } from './explain-placeholders.js';

/**
 * Read by code whatever the rules say: the engine (accountId, kind, customer), the account
 * timelines (status), the signals
 * (asset, chain, from, to, session), and a checkpoint restore, which decodes the kept fields
 * again (eventId, amount and usdValue give the same amount and USD value).
 */
const ALWAYS_KEPT = ['eventId', 'kind', 'status', 'accountId', 'chain', 'asset', 'amount', 'usdValue', 'from', 'to', 'session', 'customer'] as const;

/** Keys under which a rule spec holds a path into the evaluation context. */
const PATH_KEYS = new Set<string>(['field', ...FIELD_COMPARATORS, 'alsoAlert', 'accounts', 'valueOf']);

/**
 * The message fields to keep on retained transfers, or undefined to keep them all (a rule
 * reads the whole event).
 */
export function retainedTransferFields(rules: readonly LoadedRule[]): ReadonlySet<string> | undefined {
  const fields = new Set<string>(ALWAYS_KEPT);
  let whole = false;
  const addPath = (path: string, bare: boolean): void => {
    const parts = path.split('.');
    if (parts[0] === 'event') {
      if (parts.length === 1) whole = true;
      else fields.add(parts[1]!);
    } else if (bare && parts.length === 1) fields.add(parts[0]!); // a window's `field: usd` names a view field
  };
  const visit = (node: unknown, key: string): void => {
    if (typeof node === 'string') {
      if (PATH_KEYS.has(key)) addPath(node, key === 'field');
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) key === 'differ' && typeof item === 'string' ? fields.add(item) : visit(item, key);
      return;
    }
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  for (const rule of rules) {
    visit(rule.spec, '');
    for (const path of Object.values(rule.spec.evidence)) addPath(path, false);
    for (const path of explainPaths(rule.spec.explain)) addPath(path, false);
  }
  return whole ? undefined : fields;
}

/**
 * A function that copies the kept fields of a message into a new object (the original is left as
 * it was). It is compiled once per field set into a single object literal, in the schema's field
 * order: a literal holds its fields inside the object, where an object grown key by key would
 * hold most of them in a second, larger property array. A field the message lacks is there as
 * undefined (JSON and the rules' view read it as absent). An empty `from` becomes a shared frozen
 * list.
 */
export function messageSlimmer(fields: ReadonlySet<string>): (msg: TransferMessage) => TransferMessage {
  const keys = Object.keys(transferSchema.shape).filter((k) => fields.has(k));
  const valueOf = (k: string): string => (k === 'from' ? `(m.from !== undefined && m.from.length === 0 ? none : m.from)` : `m[${JSON.stringify(k)}]`);
  const body = `return function slim(m) { return { ${keys.map((k) => `${JSON.stringify(k)}: ${valueOf(k)}`).join(', ')} }; };`;
  return (new Function('none', body) as (none: readonly string[]) => (msg: TransferMessage) => TransferMessage)(NO_SENDERS);
}

/** The `from` of every kept message that names no sender (a withdrawal's): one frozen list, not an empty array each (32 bytes on half the transfers kept). */
const NO_SENDERS: readonly string[] = Object.freeze([]);

/**
 * The message fields a kept message reads from its transfer instead of holding a copy (see
 * `transferKeeper`): the event id (the same string), the USD value the exchange gave (the event's
 * `usd`, made from it), and the addresses as sent (the tail of the event's canonical keys,
 * `family:address`).
 */
const DERIVED = ['eventId', 'usdValue', 'from', 'to'] as const;

/** The message a kept one reads its derived fields from (a transfer's). */
interface Kept {
  readonly transfer: TransferEvent;
}

/** The address as sent, when its key is `family:` and that very address: the key's tail. */
function sentAddress(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

function isTailOf(address: string, key: string): boolean {
  return key.length === address.length + key.indexOf(':') + 1 && key.endsWith(address);
}

/** The USD value as the exchange gave it, or undefined: only an `exchange` valuation was made from it. */
function exchangeUsd(transfer: TransferEvent): number | undefined {
  return transfer.usdSource === 'exchange' && transfer.usd !== null ? transfer.usd.toNumber() : undefined;
}

const READ_FROM_TRANSFER: Record<(typeof DERIVED)[number], (this: Kept) => unknown> = {
  eventId(this: Kept) { return this.transfer.eventId; },
  usdValue(this: Kept) { return exchangeUsd(this.transfer); },
  from(this: Kept) {
    const keys = this.transfer.from;
    return keys.length === 0 ? NO_SENDERS : keys.map(sentAddress);
  },
  to(this: Kept) { return sentAddress(this.transfer.to); },
};

/** Whether each derived field of `msg` reads back from `transfer` as the very value it holds now. */
function derivable(transfer: TransferEvent, msg: TransferMessage): boolean {
  if (msg.eventId !== transfer.eventId) return false;
  if (!Object.is(msg.usdValue, exchangeUsd(transfer))) return false;
  if (!isTailOf(msg.to, transfer.to)) return false;
  const from = msg.from;
  const keys = transfer.from;
  if (from === undefined || from.length !== keys.length) return false;
  for (let i = 0; i < from.length; i++) if (!isTailOf(from[i]!, keys[i]!)) return false;
  return true;
}

/**
 * What a transfer's message becomes once the state retains it: the kept fields (see
 * `retainedTransferFields`) in one object that also stands for the message's duplicates of the
 * transfer's own fields. Until session 57 a retained transfer held a slimmed copy of its message
 * beside the event: its event id again, its USD value as a boxed double (16 bytes), its receiving
 * address as a 32-byte slice of the key, and a deposit's senders as a second list of slices (about
 * 90 bytes). A kept message holds its transfer instead and reads those from it, to the same
 * characters and numbers, through getters on its prototype (no reader can tell: the rules' view,
 * the timeline and `toJSON`, which the checkpoint writes, read the same values in the same
 * order). When one of them would not read back as sent (an address whose key is not the address
 * behind its family, a sender recovered from the chain, a USD value from elsewhere), the
 * transfer keeps a slimmed copy as before (`messageSlimmer`).
 *
 * The class is compiled once per field set, its own fields assigned in the schema's order, so
 * V8 holds them all inside the object.
 */
export function transferKeeper(fields: ReadonlySet<string>): (transfer: TransferEvent) => TransferMessage {
  const slim = messageSlimmer(fields);
  const keys = Object.keys(transferSchema.shape).filter((k) => fields.has(k));
  const derived = DERIVED.filter((k) => fields.has(k));
  if (derived.length < DERIVED.length) return (transfer) => slim(transfer.msg); // a field set without them: nothing to share
  const own = keys.filter((k) => !(DERIVED as readonly string[]).includes(k));
  const field = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
  const body = `return class KeptTransferMessage {
    constructor(t, m) { this.transfer = t; ${own.map((k) => `this${field(k)} = m${field(k)};`).join(' ')} }
    toJSON() { return { ${keys.map((k) => `${JSON.stringify(k)}: this${field(k)}`).join(', ')} }; }
  };`;
  const Kept = (new Function(body) as () => new (t: TransferEvent, m: TransferMessage) => TransferMessage)();
  for (const k of derived) Object.defineProperty(Kept.prototype, k, { enumerable: true, get: READ_FROM_TRANSFER[k] });
  return (transfer) => (derivable(transfer, transfer.msg) ? new Kept(transfer, transfer.msg) : slim(transfer.msg));
}

/** Whether a retained message is a kept one (reads its derived fields from its transfer) rather than a copy. */
export function isKeptMessage(msg: object): boolean {
  return Object.prototype.hasOwnProperty.call(msg, 'transfer');
}
