/**
 * What a rule may read: the fields of the evaluation context (`event`, `account`, `counterparty`,
 * `signals`), each discovered from where it is defined, so a field added there is accepted here
 * without a change: event fields from the contract's zod schemas and the rules' event view,
 * account and counterparty fields from the engine's own context builder (probed once), signal
 * facts from `SIGNAL_FACTS` in signals.ts.
 */
import type { z } from 'zod';
import { loginSchema, transferSchema } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import { EntityGraph } from '../graph/entity-graph.js';
import { Decimal } from '../money/decimal.js';
import { buildContext, COUNTERPARTY_FIELDS } from './engine.js';
import { eventView } from './event-view.js';
import type { SignalSpec } from './rule-schema.js';
import { SIGNAL_FACTS } from './signals.js';

export type TriggerKind = 'deposit' | 'withdrawal' | 'login';

/** What is known of a field: its type and, when finite, every value it can take. */
export interface FieldShape {
  type: 'string' | 'number' | 'boolean' | 'array' | 'object' | 'unknown';
  /** Every value the field can take, when the schema says (enums, literals, booleans). */
  values?: readonly unknown[];
  /** Sub-fields of an object field. */
  fields?: ReadonlyMap<string, FieldShape>;
}

type ZodAny = z.ZodType & { def: { type: string; innerType?: ZodAny; element?: ZodAny; values?: unknown[]; entries?: Record<string, unknown>; shape?: Record<string, ZodAny> } };

/** A zod schema's shape, seen through optional, default and nullable wrappers. */
export function shapeOfZod(schema: ZodAny): FieldShape {
  let t = schema;
  while (t.def.innerType) t = t.def.innerType;
  switch (t.def.type) {
    case 'object': return { type: 'object', fields: new Map(Object.entries(t.def.shape ?? {}).map(([k, v]) => [k, shapeOfZod(v)])) };
    case 'enum': return { type: 'string', values: Object.values(t.def.entries ?? {}) };
    case 'literal': return { type: typeof t.def.values?.[0] === 'number' ? 'number' : 'string', values: t.def.values ?? [] };
    case 'boolean': return { type: 'boolean', values: [true, false] };
    case 'number': return { type: 'number' };
    case 'string': return { type: 'string' };
    case 'array': return { type: 'array' };
    default: return { type: 'unknown' };
  }
}

/** Every field the rules' view of an event exposes: the view's own getters, typed from the wire schema. */
function viewFields(kind: TriggerKind): Map<string, FieldShape> {
  const schema = shapeOfZod((kind === 'login' ? loginSchema : transferSchema) as unknown as ZodAny).fields!;
  const view = kind === 'login'
    ? eventView({ type: 'login', eventId: '', time: 0, msg: {} } as never)
    : eventView({ type: 'transfer', eventId: '', time: 0, msg: {}, from: [], to: '', amount: Decimal.ZERO, usd: null, usdSource: null } as never);
  const out = new Map<string, FieldShape>();
  for (const name in view) {
    if (name === 'source') continue;
    out.set(name, schema.get(name) ?? { type: 'unknown' });
  }
  // amount and usd are exact decimals, compared as numbers; usdSource names where usd came from.
  if (kind !== 'login') { out.set('amount', { type: 'number' }); out.set('usd', { type: 'number' }); out.set('usdSource', { type: 'string' }); }
  out.set('kind', { type: 'string', values: [kind] });
  return out;
}

const eventFieldsByKind = new Map<TriggerKind, Map<string, FieldShape>>();

/** The event fields a trigger of this kind carries. */
export function eventFields(kind: TriggerKind): Map<string, FieldShape> {
  let fields = eventFieldsByKind.get(kind);
  if (!fields) eventFieldsByKind.set(kind, (fields = viewFields(kind)));
  return fields;
}

let contextProbe: { account: string[]; counterparty: string[] } | undefined;

/** The account and counterparty fields the engine builds for a transfer (keys only; nothing is computed). */
export function contextFields(): { account: string[]; counterparty: string[] } {
  if (contextProbe) return contextProbe;
  const probe: TransferEvent = { type: 'transfer', eventId: 'probe', time: 0, msg: { kind: 'withdrawal', accountId: 'probe' } as TransferEvent['msg'], from: [], to: 'evm:0x0000000000000000000000000000000000000000', amount: Decimal.ZERO, usd: null, usdSource: null, gateStamp: -1, gatesFailed: 0 };
  const ctx = buildContext(probe, new EntityGraph(), 0);
  return (contextProbe = { account: Object.keys(ctx.account as object), counterparty: [...COUNTERPARTY_FIELDS] });
}

/** Known shapes of account fields (the rest are read as unknown). */
export function accountField(name: string): FieldShape {
  if (name === 'type') return shapeOfZod((transferSchema.shape.customer as unknown as ZodAny)).fields!.get('type')!;
  if (name === 'ageDays') return { type: 'number' };
  return { type: 'unknown' };
}

/** Every signal result carries these, whatever its operator. */
export const COMMON_SIGNAL_FIELDS = ['ok', 'value', 'eventIds', 'facts'] as const;

/** The facts an operator declares, or undefined when it declares none (its paths go unchecked). */
export function signalFacts(op: SignalSpec['op']): readonly string[] | undefined {
  return SIGNAL_FACTS[op];
}

/** Roots a template or path may start from; `score` only in explanations. */
export const CONTEXT_ROOTS = ['event', 'account', 'counterparty', 'signals'] as const;
