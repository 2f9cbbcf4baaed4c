/**
 * The rule language, as a zod schema. A rule file is YAML; the guide is the README's "Rules" section.
 * Quantities carry units (`72h`, `30d`, `2000 USD`, `80%`) and are checked here.
 */
import { z } from 'zod';
import { parseDuration } from './units.js';

const duration = z.string().refine((s) => parseDuration(s) !== undefined, { message: 'not a duration like 72h or 30d' }).transform((s) => parseDuration(s)!);
const money = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*USD$/, { message: 'not an amount like 2000 USD' }).transform((s) => Number(s.replace(/USD/, '')))]);
const ratio = z.union([z.number().min(0).max(10), z.string().regex(/^\d+(\.\d+)?\s*%$/, { message: 'not a ratio like 80%' }).transform((s) => Number(s.replace('%', '')) / 100)]);

export const COMPARATORS = ['eq', 'ne', 'in', 'notIn', 'gte', 'gt', 'lte', 'lt', 'exists', 'contains', 'notContains', 'containsAny', 'multipleOf', 'eqField', 'neField', 'gtField', 'gteField', 'ltField', 'lteField', 'containsAnyField'] as const;

/** Comparators whose value is a path to another field, not a constant. */
export const FIELD_COMPARATORS = ['eqField', 'neField', 'gtField', 'gteField', 'ltField', 'lteField', 'containsAnyField'] as const;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { signal: string }
  | ({ field: string; times?: number } & Partial<Record<(typeof COMPARATORS)[number], unknown>>);

/** The field comparators that order two numbers: `times` may scale their other field (`gteField: signals.salary.meanUsd, times: 5`). */
export const SCALABLE_FIELD_COMPARATORS = ['gtField', 'gteField', 'ltField', 'lteField'] as const;

export const conditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  z.union([
    z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, { message: 'a bare string names a signal' }).transform((signal) => ({ signal }) as Condition),
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    z.object({ signal: z.string() }).strict(),
    z.object({ field: z.string().min(1), times: z.number().positive().finite().optional(), ...Object.fromEntries(COMPARATORS.map((c) => [c, z.unknown().optional()])) })
      .strict()
      .refine((c) => COMPARATORS.filter((k) => k in c).length === 1, { message: `a field condition needs exactly one of ${COMPARATORS.join(', ')}` })
      .refine((c) => c.times === undefined || SCALABLE_FIELD_COMPARATORS.some((k) => k in c), { message: `times scales the other field of ${SCALABLE_FIELD_COMPARATORS.join(', ')} only` }),
  ]),
);

/** A bare string in `require` or `when` means "this signal holds". */
const conditionOrSignal = conditionSchema;

const selector = z.object({
  kinds: z.array(z.enum(['deposit', 'withdrawal', 'login'])).min(1),
  where: z.array(conditionSchema).default([]),
}).strict();

const threshold = z.object({ gte: z.number().optional(), gt: z.number().optional(), lte: z.number().optional(), lt: z.number().optional() }).strict();

const exposureOp = z.object({
  op: z.literal('exposure'),
  labels: z.array(z.string()).min(1),
  maxHops: z.number().int().min(0).max(6).default(3),
  hopWithin: duration.default(30 * 86_400_000),
  stopAt: z.array(z.string()).default(['exchange']),
  /** `counterparty`: a deposit's senders upstream, a withdrawal's destination downstream. */
  direction: z.enum(['counterparty', 'upstream', 'downstream']).default('counterparty'),
  /**
   * Value a path must carry: a hop is followed only when it moved at least this many USD, or at
   * least `minTracedShare` of the trigger's USD value, whichever is smaller. Dust and zero-value
   * transfers from a listed address (address poisoning) then taint nobody. A hop whose USD value
   * is unknown (no price) is followed.
   */
  minTracedUsd: z.number().nonnegative().optional(),
  minTracedShare: ratio.optional(),
}).strict();

const windowOp = z.object({
  op: z.literal('window'),
  of: selector,
  /**
   * Whose events the window holds: the account's, every account's on the trigger's device or IP,
   * every transfer touching the counterparty's addresses, or the account's own transfers of the
   * trigger's kind with the trigger's counterparty address (a sum paid to one address in pieces).
   */
  key: z.enum(['account', 'device', 'ip', 'counterparty', 'account-counterparty']).default('account'),
  within: duration,
  /** `median`: exact, the mean of the two middle values for an even count; read from the history, never kept running. */
  agg: z.enum(['count', 'sum', 'distinct', 'min', 'max', 'mean', 'median', 'cv']),
  field: z.string().default('usd'),
  /** Leave the trigger itself out of the window (the account's usual withdrawal before this one). @defaultValue false */
  excludeTrigger: z.boolean().default(false),
  pass: threshold,
}).strict();

const sequenceOp = z.object({
  op: z.literal('sequence'),
  first: selector,
  then: selector,
  within: duration,
  minRatio: ratio,
  /** The ratio may not exceed this (fees make forwarded value slightly smaller). @defaultValue 1.05 */
  maxRatio: ratio.default(1.05),
  /** `first` events this close before the latest one count as one inflow (split payments). @defaultValue 0 */
  groupWithin: duration.default(0),
  /** The `then` events must differ from the `first` event in at least one of these fields (chain hops). */
  differ: z.array(z.enum(['asset', 'chain'])).default([]),
  /**
   * Which inflow the follow-up events are read against when several in the window would do.
   * `newest`: the latest whose ratio holds. `largest`: of the inflows the follow-ups carry, the one
   * of most USD (the newest of equals); an older inflow is carried only if the follow-ups since it
   * move `minRatio` of it together with every `first` event after it (what came in later is in the
   * account too), and at most `maxGroups` inflows are tried, newest first (sequence.ts).
   * @defaultValue newest
   */
  pick: z.enum(['newest', 'largest']).default('newest'),
  /** With `pick: largest`, how many candidate inflows (newest first) are tried: a hot account's window holds hundreds. @defaultValue 32 */
  maxGroups: z.number().int().min(1).max(256).optional(),
  /**
   * Whether the account's other outflows take an inflow before the follow-ups can: events of the
   * `then` kinds that are neither follow-ups (they fail its `where`: a withdrawal at or above the
   * piece bound) nor `first` events, from the inflow's oldest part up to the trigger. What an
   * inflow left for the follow-ups (`leftUsd`) is its USD less theirs; one they took whole is no
   * inflow, and `pick: largest` picks by what was left. The ratios still read the inflow's own
   * USD, so this only ever reads less as carried (sequence.ts).
   * @defaultValue false
   */
  othersTakeFirst: z.boolean().default(false),
  /**
   * The name of a `cadence` signal of the same rule: a `first` event that continues its sending
   * address's regular run as that signal reads one (its selector, band, periods, count and cv) is
   * someone's regular pay, and joins no inflow (regular-pay.ts). Its USD still counts toward the
   * `maxRatio` ceiling: it may have been forwarded with the inflow.
   */
  exceptRegularPay: z.string().optional(),
  /**
   * How the follow-ups are matched to inflows. `latest`: every follow-up since an inflow is read
   * against it (`pick` says which inflow). `fifo`: first in, first out: each follow-up takes from
   * the oldest inflow still open and at most `within` older than it, the rest from the next; an
   * inflow leaves once `minRatio` of it has left; the trigger is counted against the inflow it
   * took most from. `groupWithin` joins only parts from a sender of the inflow's first part. The ledger reads twice `within` back, at most the newest 256 items
   * (sequence-fifo.ts). Not with `pick: largest`, `differ`, `othersTakeFirst` or `exceptRegularPay`.
   * @defaultValue latest
   */
  match: z.enum(['latest', 'fifo']).optional(),
}).strict();

const cadenceOp = z.object({
  op: z.literal('cadence'),
  of: selector,
  within: duration,
  /** Payments from one payer this close together count as one (split salaries). */
  mergeWithin: duration.default(3 * 86_400_000),
  periods: z.array(z.object({ every: duration, tolerance: duration }).strict()).min(1),
  minCount: z.number().int().min(2),
  maxCv: z.number().min(0).max(5),
  /** Each payment's USD value must fall in this band. */
  usdRange: z.tuple([money, money]).optional(),
  /** Payers whose cluster carries one of these labels are no employer (an exchange's hot wallet: the customer's own money). */
  excludePayerLabels: z.array(z.string()).default([]),
}).strict();

const fanInOp = z.object({
  op: z.literal('fan-in'),
  within: duration,
  kinds: z.array(z.enum(['deposit', 'withdrawal'])).default(['withdrawal']),
  excludeLabels: z.array(z.string()).default([]),
  pass: threshold,
}).strict();

const linkageOp = z.object({
  op: z.literal('linkage'),
  by: z.enum(['device', 'ip']),
  within: duration,
  pass: threshold,
}).strict();

const freshOp = z.object({
  op: z.literal('fresh'),
  /** The counterparty was first seen no earlier than this before the event. */
  within: duration,
  /**
   * The account may have dealt with the counterparty before, but no earlier than this before
   * the event: a payment made in pieces stays a payment to a fresh address. @defaultValue 0 (never before)
   */
  firstPaidWithin: duration.default(0),
}).strict();

/** Risk the payers named by another signal share (src/engine/payer-risk.ts). */
const payerRiskOp = z.object({
  op: z.literal('payer-risk'),
  /** Path to the list of account ids to judge, e.g. `signals.fanIn.accountIds`. */
  accounts: z.string().min(1),
  /** Path to evidence event ids whose USD per account gives `medianUsd` and `totalUsd`, e.g. `signals.fanIn.eventIds`. */
  // A rule that leaves it out must not read Object.prototype.valueOf, which every parsed object inherits.
  valueOf: z.preprocess((v) => (typeof v === 'function' ? undefined : v), z.string().min(1).optional()),
  /** Each account's history read back from the trigger. */
  within: duration,
  factors: z.array(z.enum(['vpn', 'country-mismatch', 'young-account', 'shared-device', 'payroll-inflow'])).min(1).default(['vpn', 'country-mismatch', 'young-account', 'shared-device', 'payroll-inflow']),
  /** An account created this close before the trigger is young. @defaultValue 90d */
  youngWithin: duration.default(90 * 86_400_000),
  /** Two deposits from one sender in this USD band are a payroll-like inflow. */
  salaryUsd: z.tuple([money, money]).default([1500, 25000]),
  /**
   * An account's evidence payments made within this of the first of them count as one payment in
   * `medianPaymentUsd`: a salary split across several wallets that all sweep into one cluster is
   * one salary-sized payment, not several small ones. @defaultValue 0 (each payment on its own)
   */
  paymentGroupWithin: duration.default(0),
  /** Factors an account needs to count as risky: one alone is common among honest customers. @defaultValue 2 */
  minFactors: z.number().int().min(1).default(2),
  /** The risky accounts' share of all the accounts must reach this. @defaultValue 0.5 */
  minShare: ratio.default(0.5),
  /** On the number of risky accounts. */
  pass: threshold,
}).strict();

/** Distinct payer clusters of the account's selected deposits (src/engine/distinct-payers.ts). */
const distinctPayersOp = z.object({
  op: z.literal('distinct-payers'),
  within: duration,
  /** Conditions on each deposit (e.g. a salary band). */
  where: z.array(conditionSchema).default([]),
  /**
   * Deposits up to this long after a withdrawal count for it too (src/engine/later-payers.ts): a
   * selected deposit judges the account's withdrawals within this before it again, their window
   * ending at the deposit. Only for rules `on: [withdrawal]`.
   */
  laterWithin: duration.optional(),
  pass: threshold,
}).strict();

/**
 * Payer clusters of the account's selected deposits that are suspect on their own
 * (src/engine/flagged-payers.ts): a consolidation address other accounts withdrew to, or a
 * cluster within reach upstream of a listed label (typologies.md T8).
 */
const flaggedPayersOp = z.object({
  op: z.literal('flagged-payers'),
  within: duration,
  /** Conditions on each deposit (e.g. stablecoins). */
  where: z.array(conditionSchema).default([]),
  /** A payer cluster other accounts withdrew to within `within` of the trigger, between these counts, and carrying none of `excludeLabels`. */
  consolidation: z.object({
    /** How far back the other accounts' withdrawals are counted: a consolidation address stays one after the workers' pay stops. @defaultValue 90d */
    within: duration.default(90 * 86_400_000),
    minAccounts: z.number().int().min(1),
    maxAccounts: z.number().int().min(1),
    /** The median over those accounts of the USD each sent the cluster must reach this (salary-sized, not a processor's small payments). @defaultValue 0 */
    minMedianUsd: money.default(0),
    excludeLabels: z.array(z.string()).default([]),
  }).strict().refine((c) => c.minAccounts <= c.maxAccounts, { message: 'minAccounts must not exceed maxAccounts' }).optional(),
  /** A payer cluster within `maxHops` upstream of a cluster carrying one of `labels`. */
  exposure: z.object({
    labels: z.array(z.string()).min(1),
    maxHops: z.number().int().min(0).max(4).default(2),
    hopWithin: duration.default(30 * 86_400_000),
    stopAt: z.array(z.string()).default(['exchange']),
    /** A hop is followed only when it moved at least this many USD (dust from a listed address taints no payer). @defaultValue 0 */
    minTracedUsd: z.number().nonnegative().default(0),
  }).strict().optional(),
  /** On the number of flagged payer clusters. */
  pass: threshold,
}).strict().refine((s) => s.consolidation !== undefined || s.exposure !== undefined, { message: 'flagged-payers needs consolidation, exposure or both' });

/**
 * Accounts whose deposits came from addresses one upstream cluster funded on-chain
 * (src/engine/common-funder.ts): gas funding (a little ETH or TRX to fresh addresses) or a
 * fan-out dispersal (value split over many addresses).
 */
const commonFunderOp = z.object({
  op: z.literal('common-funder'),
  /** Deposits across accounts counted within this window back from the trigger. */
  within: duration,
  /** The funding transfer lies at most this before the deposit it made possible. */
  fundedWithin: duration,
  /** Assets of the funding transfers (native coins for gas funding). */
  assets: z.array(z.string().min(1)).min(1),
  /** Each funding transfer's USD value lies in this band (unpriced transfers are not counted). */
  usdRange: z.tuple([money, money]),
  /** When set, a funded address must be first seen no earlier than this before its funding (a fresh address). */
  freshWithin: duration.optional(),
  excludeLabels: z.array(z.string()).default([]),
  /** On the number of distinct accounts. */
  pass: threshold,
}).strict();

/**
 * A young account that replaces a silent one sharing its device, payer or destination
 * (typologies.md T11; src/engine/predecessor.ts).
 */
const predecessorOp = z.object({
  op: z.literal('predecessor'),
  /** The trigger's account was created no longer than this before the trigger. */
  youngWithin: duration,
  /** A predecessor was last active no longer than this before the successor's first activity. */
  lookback: duration,
  /** A predecessor has been silent at least this long at the trigger. */
  silentFor: duration,
  by: z.array(z.enum(['device', 'payer', 'destination', 'subnet'])).min(1).default(['device', 'payer', 'destination']),
  /** A payer or destination cluster other accounts paid in greater number than this is a service, not a link; so is an IP block more other accounts were seen on. */
  maxSharing: z.number().int().min(1).max(63).default(10),
  excludeLabels: z.array(z.string()).default([]),
}).strict();

/**
 * Exposure that counts only within a window after the label took effect (stolen funds: the
 * laundering window), scored by a decay with the age (src/engine/decaying-exposure.ts).
 */
const decayingExposureOp = exposureOp.extend({
  op: z.literal('decaying-exposure'),
  /** The exposure counts only if the transfer is at most this long after the label's time. */
  window: duration.default(45 * 86_400_000),
  /** The decay halves every `halfLife` of age. */
  halfLife: duration.default(15 * 86_400_000),
  /** A transfer up to this long before the label's time still counts (intelligence dated after the theft). */
  lag: duration.default(2 * 86_400_000),
}).strict();

/**
 * Funds reached the counterparty, up to `maxHops` hops upstream, from an address the account
 * dealt with before (reverse-link.ts; typologies.md T9's "reverse link").
 */
const reverseLinkOp = z.object({
  op: z.literal('reverse-link'),
  maxHops: z.number().int().min(1).max(4).default(2),
  hopWithin: duration.default(180 * 86_400_000),
  stopAt: z.array(z.string()).default(['exchange']),
}).strict();

export const signalSchema = z.discriminatedUnion('op', [exposureOp, windowOp, sequenceOp, cadenceOp, fanInOp, linkageOp, freshOp, payerRiskOp, distinctPayersOp, commonFunderOp, predecessorOp, decayingExposureOp, reverseLinkOp, flaggedPayersOp]);
export type SignalSpec = z.infer<typeof signalSchema>;

export const ruleSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { message: 'rule id must be lower-case letters, digits, dots and dashes' }),
  version: z.number().int().positive(),
  typology: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  sources: z.array(z.string()).optional(),
  enabled: z.boolean().default(true),
  on: z.array(z.enum(['deposit', 'withdrawal', 'login'])).min(1),
  where: z.array(conditionSchema).default([]),
  signals: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), signalSchema).default({}),
  require: z.array(conditionOrSignal).default([]),
  score: z.object({
    base: z.number().min(0).max(100),
    modifiers: z.array(z.object({ when: conditionOrSignal, add: z.number().min(-100).max(100), note: z.string() }).strict()).default([]),
  }).strict(),
  severity: z.object({ critical: z.number().optional(), high: z.number().optional(), medium: z.number().optional() }).strict(),
  subject: z.enum(['account', 'account+cluster']).default('account'),
  /** A path to a list of account ids that each get the alert too (every account sharing a device). */
  alsoAlert: z.string().optional(),
  /** Alert only the accounts `alsoAlert` lists, the trigger's own account included only if listed. @defaultValue false */
  alertListedOnly: z.boolean().default(false),
  explain: z.string().min(1),
  /** Evidence fields copied into the alert: name → path in the evaluation context. */
  evidence: z.record(z.string(), z.string()).default({}),
}).strict();

export type RuleSpec = z.infer<typeof ruleSchema>;
