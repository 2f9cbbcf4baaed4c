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
