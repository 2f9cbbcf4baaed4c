/**
 * dprk-it-payroll.aggregator (typologies.md T8) and its `flagged-payers` signal on hand-built
 * streams: an account paid in stablecoins by many payers, some of them suspect on their own (a
 * consolidation address other accounts withdrew to, or a cluster funded by a DPRK-linked
 * address), that moves the money on fast. Each test changes one thing the rule depends on.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, USDC_ETH, evmAddress, label, prng, tokenLog, transfer} from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';
import { signalSchema } from '../../src/engine/rule-schema.js';

const T0 = Date.UTC(2025, 1, 1);
const old = { type: 'individual' as const, kycCountry: 'US', createdAt: '2023-01-01T00:00:00Z' };
const young = { type: 'individual' as const, kycCountry: 'US', createdAt: '2025-01-20T00:00:00Z' };
/** A home session of the account's own: no IP or device shared with another account. */
const clean = (account: string): { ip: string; ipCountry: string; vpn: boolean; deviceId: string } => ({ ip: `198.51.${account.length}.${[...account].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 250, 7)}`, ipCountry: 'US', vpn: false, deviceId: `dev-${account}` });

interface Shape {
  /** Accounts that withdraw to each of the consolidation payers (3 by default). */
  workersPerConsolidation?: number;
  /** Payers that are consolidation addresses. */
  consolidations?: number;
  /** Payers funded on-chain by a DPRK-linked address, and the USD of each funding. */
  exposed?: number;
  fundingUsd?: number;
  /** Payers in all. */
  payers?: number;
  /** Share of what came in that the account sends on. */
  share?: number;
  customer?: typeof old;
  /** Hours between the aggregator's deposits (20), and from the last to its withdrawal (6). */
  spacingHours?: number;
  sendAfterHours?: number;
  /** The aggregator itself paid each consolidation address before (it is not one of the other accounts). */
  selfPays?: boolean;
  /** USD each worker sends a consolidation address (4,950: a salary). */
  workerSends?: number;
  /** The workers' messages delivered after every other one, though dated before (read late). */
  workersLate?: boolean;
}

/** One aggregator `agg` and the accounts and chain data around it, in event-time order. */
function stream(s: Shape, seed = 7): string[] {
  const rand = prng(seed);
  const lines: { time: number; line: string; late?: boolean }[] = [];
  const add = (time: number, line: string, late = false): void => { lines.push({ time, line, late }); };
  const dprk = evmAddress(rand);
  add(T0 - 20 * DAY, label('ethereum', dprk, 'dprk-linked', 'DPRK launderer', T0 - 20 * DAY));
  const consolidations = Array.from({ length: s.consolidations ?? 3 }, () => evmAddress(rand));
  consolidations.forEach((cons, c) => {
    for (let w = 0; w < (s.workersPerConsolidation ?? 3); w++) {
      const worker = `worker-${c}-${w}`;
      const t = T0 + (c * 5 + w) * HOUR;
      const late = s.workersLate === true;
      add(t, transfer({ eventId: `${worker}-pay`, kind: 'deposit', time: t, accountId: worker, chain: 'ethereum', asset: 'USDC', amount: 5000, from: [evmAddress(rand)], to: evmAddress(rand), customer: old }, rand), late);
      add(t + 20 * HOUR, transfer({ eventId: `${worker}-fwd`, kind: 'withdrawal', time: t + 20 * HOUR, accountId: worker, chain: 'ethereum', asset: 'USDC', amount: s.workerSends ?? 4950, to: cons, session: clean(worker), customer: old }, rand), late);
    }
    if (s.selfPays) add(T0 + c * HOUR, transfer({ eventId: `agg-pays-${c}`, kind: 'withdrawal', time: T0 + c * HOUR, accountId: 'agg', chain: 'ethereum', asset: 'USDC', amount: 20, to: cons, session: clean('agg'), customer: s.customer ?? young }, rand));
  });
  const exposed = Array.from({ length: s.exposed ?? 0 }, () => evmAddress(rand));
  exposed.forEach((payer, i) => add(T0 + (2 + i) * DAY, tokenLog('ethereum', USDC_ETH, dprk, payer, s.fundingUsd ?? 20_000, T0 + (2 + i) * DAY, rand)));
  const total = s.payers ?? 14;
  // the unrelated payers first, the suspect ones last
  const payers: string[] = [];
  while (payers.length < total - consolidations.length - exposed.length) payers.push(evmAddress(rand));
  payers.push(...consolidations, ...exposed);
  const customer = s.customer ?? young;
  let received = 0;
  payers.forEach((payer, i) => {
    const t = T0 + 3 * DAY + i * (s.spacingHours ?? 20) * HOUR;
    const usd = 3000 + ((i * 977) % 5000);
    received += usd;
    add(t, transfer({ eventId: `agg-in-${i}`, kind: 'deposit', time: t, accountId: 'agg', chain: 'ethereum', asset: 'USDT', amount: usd, from: [payer], to: evmAddress(rand), customer }, rand));
  });
  const out = T0 + 3 * DAY + (payers.length - 1) * (s.spacingHours ?? 20) * HOUR + (s.sendAfterHours ?? 6) * HOUR;
  add(out, transfer({ eventId: 'agg-out', kind: 'withdrawal', time: out, accountId: 'agg', chain: 'ethereum', asset: 'USDT', amount: Math.round(received * (s.share ?? 0.95)), to: evmAddress(rand), session: clean('agg'), customer }, rand));
  return lines.sort((a, b) => Number(a.late ?? false) - Number(b.late ?? false) || a.time - b.time).map((l) => l.line);
}

function aggregatorAlerts(lines: string[]): Alert[] {
  const p = new Pipeline({ rules: rules() });
  return lines.flatMap((l, i) => p.process(l, { file: 't', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.aggregator');
}

describe('dprk-it-payroll.aggregator: many payers, some suspect, the money moved on (T8)', () => {
  it('alerts a young account paid by 14 payers, 3 of them consolidation addresses, naming the accounts that paid each', () => {
    const [alert, ...more] = aggregatorAlerts(stream({}));
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ subject: { accountId: 'agg' }, severity: 'high', evidence: { payers: 14, suspectPayers: 3 } });
    const why = alert!.evidence.whySuspect as { consolidation?: { accountIds: string[] } }[];
    expect(why.map((w) => w.consolidation?.accountIds)).toEqual(expect.arrayContaining([['worker-0-0', 'worker-0-1', 'worker-0-2'], ['worker-1-0', 'worker-1-1', 'worker-1-2'], ['worker-2-0', 'worker-2-1', 'worker-2-2']]));
  });

  it('is medium for an old account with two consolidation payers and nothing more', () => {
    expect(aggregatorAlerts(stream({ consolidations: 2, customer: old })).map((a) => a.severity)).toEqual(['medium']);
  });

  it('stays quiet with 9 payers (T8 asks for 10)', () => {
    expect(aggregatorAlerts(stream({ payers: 9 }))).toEqual([]);
    expect(aggregatorAlerts(stream({ payers: 10 }))).toHaveLength(1);
  });

  it('stays quiet when only one payer is suspect', () => {
    expect(aggregatorAlerts(stream({ consolidations: 1 }))).toEqual([]);
  });

  it('counts a consolidation address only when 3 other accounts paid it', () => {
    expect(aggregatorAlerts(stream({ workersPerConsolidation: 2 }))).toEqual([]);
    // the aggregator's own payments to them do not make up the third account
    expect(aggregatorAlerts(stream({ workersPerConsolidation: 2, selfPays: true }))).toEqual([]);
  });

  it('does not count a payment processor\'s hot wallet as a consolidation address: its customers send small sums, not salaries', () => {
    expect(aggregatorAlerts(stream({ workerSends: 300 }))).toEqual([]);
    expect(aggregatorAlerts(stream({ workerSends: 2500 }))).toHaveLength(1);
  });

  it('reaches the in-order alert when the workers\' withdrawals to the consolidation addresses are read after the aggregator\'s events', () => {
    const [inOrder, ...none] = aggregatorAlerts(stream({}));
    expect(none).toEqual([]);
    const late = aggregatorAlerts(stream({ workersLate: true }));
    // judged again as each consolidation address gains its third payer: medium at two suspect
    // payers, then the in-order alert itself once the third is known (its evidence names them all)
    expect(late.map((a) => [a.severity, a.evidence.suspectPayers])).toEqual([['medium', 2], ['high', 3]]);
    expect(JSON.stringify(late[1])).toBe(JSON.stringify(inOrder));
  });

  it('stays quiet when the account keeps the money (70% sent on)', () => {
    expect(aggregatorAlerts(stream({ share: 0.7 }))).toEqual([]);
  });

  it('alerts an aggregator that sends a month of deposits in one batch days after the last (a week\'s inflow alone is a tenth of it)', () => {
    // a deposit every 60 h, the batch 5 days after the last: only the last deposit lies within 7 days
    expect(aggregatorAlerts(stream({ payers: 13, spacingHours: 60, sendAfterHours: 120 })).map((a) => a.evidence.payers)).toEqual([11]);
    // ... but not 8 days after it: the money sat
    expect(aggregatorAlerts(stream({ payers: 13, spacingHours: 60, sendAfterHours: 200 }))).toEqual([]);
  });

  it('alerts high an old account whose two payers were funded by a DPRK-linked address (T2), with the path', () => {
    const alerts = aggregatorAlerts(stream({ consolidations: 0, exposed: 2, customer: old }));
    expect(alerts.map((a) => a.severity)).toEqual(['high']);
    const why = alerts[0]!.evidence.whySuspect as { exposure?: { label: string; hops: number } }[];
    expect(why.map((w) => w.exposure)).toEqual([expect.objectContaining({ label: 'dprk-linked', hops: 1 }), expect.objectContaining({ label: 'dprk-linked', hops: 1 })]);
  });

  it('counts each kind of suspect source after its name, so a count of one reads right (v3, session 48 QA: "1 consolidation addresses")', () => {
    const [alert] = aggregatorAlerts(stream({ consolidations: 1, exposed: 1, customer: old }));
    expect(alert?.explanation).toContain('2 of them suspect on their own (consolidation addresses that other accounts paid salary-sized sums: 1; within 2 hops of a DPRK-linked or sanctioned address: 1)');
  });

  it('does not count a payer that a DPRK-linked address sent dust to (address poisoning)', () => {
    expect(aggregatorAlerts(stream({ consolidations: 0, exposed: 2, fundingUsd: 100, customer: old }))).toEqual([]);
  });

  it('refuses a flagged-payers signal with neither consolidation nor exposure, at its line', () => {
    const spec = { op: 'flagged-payers', within: '30d', pass: { gte: 2 } };
    const parsed = signalSchema.safeParse(spec);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual(['flagged-payers needs consolidation, exposure or both']);
    expect(signalSchema.safeParse({ ...spec, consolidation: { minAccounts: 5, maxAccounts: 3 } }).error?.issues.map((i) => i.message)).toEqual(['minAccounts must not exceed maxAccounts']);
  });
});
