/**
 * A SAR/STR draft assembled from a case: the fields a FinCEN SAR (subject, activity dates,
 * amounts, categories, narrative answering who, what, when, where, why and how) or an FIU STR
 * asks for, filled from the alerts, their evidence and the account's events. A draft for a
 * human to complete and file, never filed by Tidewatch.
 */
import type { AuditEntry, Case } from '../cases/case-model.js';
import type { Alert } from '../contract/schemas.js';
import type { AccountEvents, TimelineEvent } from './account-events.js';

/** Suggested FinCEN SAR suspicious-activity categories per typology (the filer confirms). */
const CATEGORIES: Record<string, string[]> = {
  'sanctions-exposure': ['Other suspicious activities: transaction with a sanctioned (OFAC SDN) party or its funds'],
  'dprk-it-payroll': ['Other suspicious activities: suspected DPRK IT-worker revenue', 'Money laundering: transaction out of pattern for customer(s)'],
  'dprk-consolidation': ['Money laundering: suspicious use of multiple accounts', 'Other suspicious activities: suspected DPRK IT-worker revenue'],
  'extortion-payment': ['Cyber event: suspected extortion or ransomware payment'],
  'account-linkage': ['Money laundering: suspicious use of multiple accounts'],
  'chain-hop': ['Money laundering: suspicious exchange of currencies'],
  'pass-through': ['Money laundering: transaction out of pattern for customer(s)'],
  structuring: ['Structuring'],
};

export interface SarAddress {
  address: string;
  role: string;
  party?: string;
}

export interface SarDraft {
  form: 'SAR/STR draft';
  caseId: string;
  generatedAt: string;
  generatedBy: string;
  status: string;
  filingInstitution: { name: string; contact: string; note: string };
  subject: { accountId: string; customerType?: string; kycCountry?: string; customerSince?: string; clusters: string[]; ipCountries: string[] };
  /** totalUsd: the larger of inboundUsd (deposits) and outboundUsd (withdrawals), so funds passed through count once. */
  activity: { from: string; to: string; totalUsd: number; inboundUsd: number; outboundUsd: number; amountsByAsset: Record<string, string>; typologies: string[]; suggestedCategories: string[] };
  transactions: Pick<TimelineEvent, 'eventId' | 'kind' | 'at' | 'chain' | 'asset' | 'amount' | 'usdValue' | 'txHash' | 'to' | 'from'>[];
  onChainReferences: string[];
  addresses: SarAddress[];
  alerts: { alertId: string; ruleId: string; severity: string; score: number; triggeredAt: string; explanation: string }[];
  review: { disposition?: string; analyst?: string; approvedBy?: string; notes: { at: string; by?: string; text: string }[] };
  narrative: { who: string; what: string; when: string; where: string; why: string; how: string; actionTaken: string; text: string };
}

function sumDecimal(a: string, b: string): string {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const total = BigInt(ai + af.padEnd(scale, '0')) + BigInt(bi + bf.padEnd(scale, '0'));
  const digits = total.toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

function addressesOf(alerts: readonly Alert[]): SarAddress[] {
  const out = new Map<string, SarAddress>();
  const put = (address: unknown, role: string, party?: unknown): void => {
    if (typeof address !== 'string' || out.has(address)) return;
    out.set(address, { address, role, ...(typeof party === 'string' ? { party } : {}) });
  };
  for (const a of alerts) {
    const ev = a.evidence;
    put(ev.address, 'sanctioned counterparty', ev.party);
    put(ev.labelledAddress, 'sanctioned address on the path', ev.party);
    for (const hop of (Array.isArray(ev.path) ? ev.path : []) as { address?: unknown }[]) put(hop.address, 'hop on the path to the labelled address');
    for (const d of (Array.isArray(ev.destination) ? ev.destination : []) as unknown[]) put(d, 'destination of the customer\'s funds');
    if (typeof ev.payer === 'string') put(ev.payer, 'regular payer');
  }
  return [...out.values()];
}

function onChainReferences(alerts: readonly Alert[], transactions: readonly TimelineEvent[]): string[] {
  const refs = new Set<string>(transactions.map((t) => t.txHash).filter((h): h is string => !!h));
  for (const a of alerts) {
    for (const hop of (Array.isArray(a.evidence.path) ? a.evidence.path : []) as { via?: { ref?: unknown } }[]) if (typeof hop.via?.ref === 'string') refs.add(hop.via.ref);
    const cause = (a.evidence.graphChange as { cause?: { ref?: unknown } } | undefined)?.cause;
    if (typeof cause?.ref === 'string') refs.add(cause.ref);
  }
  return [...refs].sort();
}

/** "a" or "an" before a word of the narrative (a customer type: "an individual", "a business"). */
const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

export function buildSarDraft(c: Case, alerts: readonly Alert[], audit: readonly AuditEntry[], events: AccountEvents | undefined, by: string, now: number): SarDraft {
  const evidenceIds = new Set(alerts.flatMap((a) => a.eventIds));
  const timeline = events?.timeline(c.subject) ?? [];
  const transactions = timeline.filter((e) => e.kind !== 'login' && evidenceIds.has(e.eventId));
  const customer = timeline.find((e) => e.customer)?.customer;
  const times = [...transactions.map((t) => t.at), ...alerts.map((a) => a.triggeredAt)].sort();
  const amountsByAsset: Record<string, string> = {};
  for (const t of transactions) if (t.asset && t.amount) amountsByAsset[t.asset] = sumDecimal(amountsByAsset[t.asset] ?? '0', t.amount);
  // In and out apart: a deposit and the withdrawal forwarding it are the same funds (workflow QA:
  // their sum overstated the amount about twice). The total is the larger of the two.
  const usdOf = (kind: string): number => Math.round(transactions.filter((t) => t.kind === kind).reduce((s, t) => s + (t.usdValue ?? (/^(USDT|USDC|DAI)$/.test(t.asset ?? '') ? Number(t.amount) : 0)), 0) * 100) / 100;
  const inboundUsd = usdOf('deposit');
  const outboundUsd = usdOf('withdrawal');
  const totalUsd = Math.max(inboundUsd, outboundUsd);
  const clusters = [...new Set(alerts.flatMap((a) => [a.subject.cluster, a.evidence.cluster, a.evidence.consolidationCluster].filter((x): x is string => typeof x === 'string')))].sort();
  const ipCountries = [...new Set(timeline.map((e) => e.country).filter((x): x is string => !!x))].sort();
  const addresses = addressesOf(alerts);
  const typologies = c.typologies;
  const from = times[0] ?? c.openedAt;
  const to = times.at(-1) ?? c.updatedAt;
  const notes = audit.filter((e) => e.note).map((e) => ({ at: e.at, ...(e.analyst ? { by: e.analyst } : {}), text: e.note! }));
  const narrative = {
    who: `Customer account ${c.subject}${customer ? `, ${article(customer.type)} ${customer.type} customer with KYC country ${customer.kycCountry}, onboarded ${customer.createdAt.slice(0, 10)}` : ''}.${ipCountries.length ? ` Sessions seen from ${ipCountries.join(', ')}.` : ''}`,
    what: `${transactions.length} transaction(s): about ${inboundUsd.toLocaleString('en-US')} USD in and ${outboundUsd.toLocaleString('en-US')} USD out (in and out together, by asset: ${Object.entries(amountsByAsset).map(([a, v]) => `${v} ${a}`).join(', ') || 'amounts in the alerts'}), matching ${typologies.join(', ')}.`,
    when: `Between ${from.slice(0, 10)} and ${to.slice(0, 10)}.`,
    where: `On ${[...new Set(transactions.map((t) => t.chain).filter(Boolean))].join(', ') || 'the chains in the alerts'}, involving ${addresses.length} address(es)${clusters.length ? ` and cluster(s) ${clusters.join(', ')}` : ''}.`,
    why: alerts.map((a) => `${a.triggeredAt.slice(0, 10)} ${a.ruleId} (${a.severity}, score ${a.score}): ${a.explanation}${raisedBy(a)}`).join(' '),
    how: addresses.filter((a) => a.party).map((a) => `${a.address} is listed (${a.party}).`).join(' ') || 'See the addresses and on-chain references below.',
    actionTaken: c.disposition ? `Case ${c.caseId} closed as ${c.disposition} by ${c.analyst}${c.approvedBy ? `, approved by ${c.approvedBy}` : ''}.` : `Case ${c.caseId} is ${c.status}; no disposition yet.`,
  };
  return {
    form: 'SAR/STR draft', caseId: c.caseId, generatedAt: new Date(now).toISOString(), generatedBy: by, status: c.status,
    filingInstitution: { name: '', contact: '', note: 'to be completed by the filer' },
    subject: { accountId: c.subject, ...(customer ? { customerType: customer.type, kycCountry: customer.kycCountry, customerSince: customer.createdAt } : {}), clusters, ipCountries },
    activity: { from, to, totalUsd, inboundUsd, outboundUsd, amountsByAsset, typologies, suggestedCategories: [...new Set(typologies.flatMap((t) => CATEGORIES[t] ?? []))] },
    transactions: transactions.map(({ eventId, kind, at, chain, asset, amount, usdValue, txHash, to: dest, from: src }) => ({ eventId, kind, at, chain, asset, amount, usdValue, txHash, to: dest, from: src })),
    onChainReferences: onChainReferences(alerts, transactions),
    addresses,
    alerts: alerts.map((a) => ({ alertId: a.alertId, ruleId: a.ruleId, severity: a.severity, score: a.score, triggeredAt: a.triggeredAt, explanation: a.explanation })),
    review: { ...(c.disposition ? { disposition: c.disposition } : {}), ...(c.analyst ? { analyst: c.analyst } : {}), ...(c.approvedBy ? { approvedBy: c.approvedBy } : {}), notes },
    narrative: { ...narrative, text: [narrative.who, narrative.what, narrative.when, narrative.where, narrative.why, narrative.how, narrative.actionTaken].join('\n\n') },
  };
}

/** What raised an alert's score (its modifiers' notes), for the narrative: the explanation alone reads the same at every severity. */
function raisedBy(a: Alert): string {
  const notes = a.evidence.modifiers;
  return Array.isArray(notes) && notes.length > 0 ? ` Raised by: ${notes.join('; ')}.` : '';
}
