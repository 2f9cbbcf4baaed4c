/**
 * facilitator-hub v11 (session 63): payers whose salary arrives within 7 days after a forward
 * count for it (`distinct-payers` `laterWithin`, src/engine/later-payers.ts). A hub paid by two
 * employers that forwarded the first salary before the third paid was judged with two payers and
 * never again. The deposit judges the forward again, whatever order the events arrive in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { anyEarlierWithdrawal, bringsNewPayer, earlierWithdrawals, FORWARDS_JUDGED, laterPayersOf } from '../../src/engine/later-payers.js';
import type { Alert } from '../../src/contract/schemas.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const HUB_RULE = 'dprk-it-payroll.facilitator-hub';
const caseLines = readFileSync(join(DEFAULT_RULES_DIR, 'dprk-it-payroll/cases/facilitator-hub-third-employer-after-forward.jsonl'), 'utf8').split('\n').filter(Boolean);
const labelLines = caseLines.filter((l) => l.includes('"intel.label.v1"'));
const transferLines = caseLines.filter((l) => !l.includes('"intel.label.v1"'));

function hubAlerts(lines: readonly string[]): Alert[] {
  const pipeline = new Pipeline({ rules });
  const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 'case', line: i + 1 }).alerts);
  alerts.push(...pipeline.releaseHeld());
  return alerts.filter((a) => a.ruleId === HUB_RULE);
}

/** A seeded shuffle (a small LCG), so each arrival order is the same on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const hubLine = (id: string): string => transferLines.find((l) => l.includes(`"eventId": "${id}"`))!;

describe('facilitator-hub counts a payer who pays after the forward', () => {
  it('alerts the hub when the third employer pays, naming the forward, its inflow and the late salary', () => {
    const alerts = hubAlerts(caseLines);
    expect(alerts.map((a) => a.subject.accountId)).toEqual(['acct-late-third-hub']);
    const [alert] = alerts;
    const evidence = alert!.evidence as Record<string, unknown>;
    expect(alert!.eventIds).toEqual(['acct-late-third-hub-dep-1', 'acct-late-third-hub-dep-2', 'acct-late-third-hub-dep-4', 'acct-late-third-hub-wit-3']);
    expect(alert!.triggeredAt).toBe('2025-03-09T15:00:00.000Z');
    expect(evidence.payers).toBe(3);
    expect(evidence.paymentsAfterForward).toEqual(['acct-late-third-hub-dep-4']);
    expect(evidence.forwardedInflow).toBe('acct-late-third-hub-dep-1');
    expect((evidence.graphChange as { eventId: string }).eventId).toBe('acct-late-third-hub-dep-4');
  });

  it('gives the same alert in any arrival order', () => {
    const inOrder = hubAlerts(caseLines).map((a) => a.alertId);
    expect(inOrder).toHaveLength(1);
    // The hub's own events in other orders (the lookalikes' months-old history read last is another
    // matter: a destination paid before the salaries, read after them, is new until it arrives).
    const hub = transferLines.filter((l) => l.includes('acct-late-third-hub'));
    const others = transferLines.filter((l) => !l.includes('acct-late-third-hub'));
    const orders = [[...hub].reverse(), ...[1, 2, 3, 4, 5, 6].map((seed) => shuffled(hub, seed))];
    for (const order of orders) expect(hubAlerts([...labelLines, ...others, ...order]).map((a) => a.alertId)).toEqual(inOrder);
  });

  it('judges the forward again though smaller withdrawals the rule never judges came between it and the third salary', () => {
    // Review of session 63: four $40 withdrawals after the forward took the four places judged again, and the hub went unalerted.
    const small = (i: number): string => JSON.stringify({
      schema: 'exchange.transfer.v1', eventId: `acct-late-third-hub-small-${i}`, kind: 'withdrawal', status: 'completed', occurredAt: `2025-03-08T1${i}:00:00Z`,
      accountId: 'acct-late-third-hub', chain: 'ethereum', asset: 'USDC', amount: '40.00', usdValue: 40, from: [], to: '0x' + `${i}`.repeat(40),
    });
    const third = hubLine('acct-late-third-hub-dep-4');
    const lines = [...caseLines.filter((l) => l !== third), ...[0, 1, 2, 3, 4].map(small), third];
    expect(hubAlerts(lines).map((a) => [a.subject.accountId, a.triggeredAt, (a.evidence as Record<string, unknown>).paymentsAfterForward])).toEqual([['acct-late-third-hub', '2025-03-09T15:00:00.000Z', ['acct-late-third-hub-dep-4']]]);
  });

  it('does not count a payer who pays more than 7 days after the forward', () => {
    const late = hubLine('acct-late-third-hub-dep-4').replace('2025-03-09T15:00:00Z', '2025-03-14T10:00:00Z');
    const lines = [...labelLines, ...transferLines.filter((l) => !l.includes('acct-late-third-hub-dep-4')), late];
    expect(hubAlerts(lines)).toEqual([]);
  });

  it('does not alert an already alerted hub again for each later salary', () => {
    // The third salary before the forward: the forward alerts as it arrives; a fourth payer two days later adds no alert.
    const early = hubLine('acct-late-third-hub-dep-4').replace('2025-03-09T15:00:00Z', '2025-03-06T18:00:00Z');
    const fourth = early.replace('acct-late-third-hub-dep-4', 'acct-late-third-hub-dep-5').replace('0xe1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e103', '0xe1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e104').replace('2025-03-06T18:00:00Z', '2025-03-09T15:00:00Z');
    const lines = [...labelLines, ...transferLines.filter((l) => !l.includes('acct-late-third-hub-dep-4')), early, fourth];
    const alerts = hubAlerts(lines);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.triggeredAt).toBe('2025-03-07T09:00:00.000Z');
  });
});

describe('earlierWithdrawals', () => {
  it('reads the newest withdrawals within the reach before the deposit, at most FORWARDS_JUDGED, in event order', () => {
    const pipeline = new Pipeline({ rules });
    const base = Date.parse('2025-03-01T00:00:00Z');
    const line = (id: string, kind: string, hours: number, from: string[]): string => JSON.stringify({
      schema: 'exchange.transfer.v1', eventId: id, kind, status: 'completed', occurredAt: new Date(base + hours * 3_600_000).toISOString(),
      accountId: 'acct-w', chain: 'ethereum', asset: 'USDC', amount: '2000.00', usdValue: 2000, from, to: '0x' + '5'.repeat(40),
      customer: { type: 'individual', kycCountry: 'US', createdAt: '2024-06-01T00:00:00Z' },
    });
    for (let i = 0; i < 10; i++) pipeline.process(line(`w-${i}`, 'withdrawal', i * 20, []), { line: i });
    pipeline.process(line('d', 'deposit', 9 * 20, ['0x' + '1'.repeat(40)]), { line: 10 });
    const deposit = pipeline.state.transfer('d')!;
    const ids = earlierWithdrawals(pipeline.state, deposit, 7 * 86_400_000).map((w) => w.eventId);
    // w-9 is at the deposit's instant: judged after it in event order, it counted it already.
    expect(ids).toEqual(['w-5', 'w-6', 'w-7', 'w-8']);
    expect(ids).toHaveLength(FORWARDS_JUDGED);
    expect(earlierWithdrawals(pipeline.state, deposit, 50 * 3_600_000).map((w) => w.eventId)).toEqual(['w-7', 'w-8']);
  });

  it('anyEarlierWithdrawal finds one exactly when earlierWithdrawals finds some: strictly before the deposit, within the reach', () => {
    const pipeline = new Pipeline({ rules });
    const base = Date.parse('2025-03-01T00:00:00Z');
    const line = (id: string, kind: string, hours: number, from: string[]): string => JSON.stringify({
      schema: 'exchange.transfer.v1', eventId: id, kind, status: 'completed', occurredAt: new Date(base + hours * 3_600_000).toISOString(),
      accountId: 'acct-any', chain: 'ethereum', asset: 'USDC', amount: '2000.00', usdValue: 2000, from, to: '0x' + '5'.repeat(40),
      customer: { type: 'individual', kycCountry: 'US', createdAt: '2024-06-01T00:00:00Z' },
    });
    pipeline.process(line('w-0', 'withdrawal', 0, []), { line: 0 });
    pipeline.process(line('d-1', 'deposit', 10, ['0x' + '1'.repeat(40)]), { line: 1 });
    pipeline.process(line('w-2', 'withdrawal', 30, []), { line: 2 });
    pipeline.process(line('d-2', 'deposit', 30, ['0x' + '2'.repeat(40)]), { line: 3 });
    const d1 = pipeline.state.transfer('d-1')!;
    const d2 = pipeline.state.transfer('d-2')!;
    const cases: [typeof d1, number][] = [[d1, 20 * 3_600_000], [d1, 5 * 3_600_000], [d2, 10 * 3_600_000], [d2, 40 * 3_600_000]];
    const seen = cases.map(([deposit, within]) => anyEarlierWithdrawal(pipeline.state, deposit, within));
    expect(seen).toEqual(cases.map(([deposit, within]) => earlierWithdrawals(pipeline.state, deposit, within).length > 0));
    // w-0 is in d-1's 20 h reach, not its 5 h one; w-2 is at d-2's instant (not before it), w-0 outside its 10 h reach.
    expect(seen).toEqual([true, false, false, true]);
  });

  it('judges again only on a deposit from a payer new to the window', () => {
    const pipeline = new Pipeline({ rules });
    const again = hubLine('acct-late-third-hub-dep-1').replace('acct-late-third-hub-dep-1', 'acct-late-third-hub-dep-9').replace('2025-03-03T15:00:00Z', '2025-03-09T18:00:00Z');
    [...caseLines, again].forEach((line, i) => pipeline.process(line, { line: i }));
    const reach = laterPayersOf(rules.find((r) => r.spec.id === HUB_RULE)!.spec)!;
    expect(reach.within).toBe(7 * 86_400_000);
    expect(bringsNewPayer(pipeline.state, pipeline.graph, pipeline.state.transfer('acct-late-third-hub-dep-4')!, reach)).toBe(true);
    // The first employer paying again brings no payer the window lacks.
    expect(bringsNewPayer(pipeline.state, pipeline.graph, pipeline.state.transfer('acct-late-third-hub-dep-9')!, reach)).toBe(false);
  });
});
