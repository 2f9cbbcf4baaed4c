/**
 * A request counts as pending at an event's time as event order had it then: the completions up
 * to the event, paired in event order, leave it unsettled (session 53 review F4). Event order
 * judges each event with the pairing of the completions dated before it; an event judged again
 * after a withdrawal read late used to see the final pairing, in which a request a later
 * completion settles, or one a later completion moved an earlier one onto, had left the
 * history, so `structuring.just-under` depended on the order the stages arrived in. Each stream
 * here is read in every order: the verdict (each rule's highest severity per account) is event
 * order's in all of them, and the alert bytes are event order's wherever no event was judged for
 * the first time before a withdrawal dated before it arrived (an alert is never taken back).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 5, 2);
const account = 'acct-pending-as-of';
const to = derivedEvm(83, 1);
const RANK = ['low', 'medium', 'high', 'critical'];

interface Stage { id: string; status: 'requested' | 'completed'; time: number; amount: number }

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** The stages as lines (Ethereum USDT to one address: fees up to 50 settle). */
function linesOf(stages: readonly Stage[]): string[] {
  const rand = prng(55);
  return stages.map((s) => transfer({ eventId: s.id, kind: 'withdrawal', status: s.status, time: s.time, accountId: account, chain: 'ethereum', asset: 'USDT', amount: s.amount, to }, rand));
}

interface Outcome { alerts: string[]; verdicts: Record<string, string> }

/** The alerts (their bytes, sorted) and each rule's highest severity, reading `lines` in the given order. */
function read(lines: readonly string[], order: readonly number[]): Outcome {
  const pipeline = new Pipeline({ rules });
  const alerts: string[] = [];
  const verdicts: Record<string, string> = {};
  order.forEach((k, i) => {
    for (const a of pipeline.process(lines[k]!, { file: 't', line: i + 1 }).alerts) {
      alerts.push(JSON.stringify(a));
      if (verdicts[a.ruleId] === undefined || RANK.indexOf(a.severity) > RANK.indexOf(verdicts[a.ruleId]!)) verdicts[a.ruleId] = a.severity;
    }
  });
  return { alerts: alerts.sort(), verdicts };
}

/**
 * Reads the stages (in event order) in every order: the verdicts are event order's in all, and
 * the alert bytes in every order `bytesHold` accepts (it is given the positions read of each
 * stage's id). Returns event order's outcome.
 */
function expectEventOrderInEveryOrder(stages: readonly Stage[], bytesHold: (readAt: (id: string) => number) => boolean): Outcome {
  const lines = linesOf(stages);
  const expected = read(lines, stages.map((_, i) => i));
  const failures: string[] = [];
  let bytesChecked = 0;
  for (const order of permutations(stages.map((_, i) => i))) {
    const got = read(lines, order);
    const readAt = (id: string): number => order.indexOf(stages.findIndex((s) => s.id === id));
    const ids = order.map((k) => stages[k]!.id).join(' ');
    if (JSON.stringify(got.verdicts) !== JSON.stringify(expected.verdicts)) failures.push(`${ids}: verdicts ${JSON.stringify(got.verdicts)}`);
    else if (bytesHold(readAt)) {
      bytesChecked++;
      if (got.alerts.join('\n') !== expected.alerts.join('\n')) failures.push(`${ids}: alert bytes differ`);
    }
  }
  expect(failures.slice(0, 5)).toEqual([]);
  expect(bytesChecked).toBeGreaterThan(0);
  return expected;
}

const ruleOf = (alert: string): string => (JSON.parse(alert) as { ruleId: string; severity: string; eventIds: string[] }).ruleId;
const eventIdsOf = (alert: string): string[] => (JSON.parse(alert) as { eventIds: string[] }).eventIds;

// Review 53's F2/F4 stream: rB 9,455 and rC 9,470 requested on day 0, c_old 9,430 at 12 h (takes
// rB, the smaller fee), rA 9,420 on day 6, c_mid 9,410 at day 6.5, c_new 9,400 on day 8 (fits only
// rA): in the end c_old<-rC, c_mid<-rB, c_new<-rA. At rA's time in event order rC is pending.
const F4: Stage[] = [
  { id: 'rB', status: 'requested', time: T0, amount: 9_455 }, { id: 'rC', status: 'requested', time: T0 + HOUR, amount: 9_470 },
  { id: 'c_old', status: 'completed', time: T0 + 12 * HOUR, amount: 9_430 },
  { id: 'rA', status: 'requested', time: T0 + 6 * DAY, amount: 9_420 }, { id: 'c_mid', status: 'completed', time: T0 + 6 * DAY + 12 * HOUR, amount: 9_410 },
  { id: 'c_new', status: 'completed', time: T0 + 8 * DAY, amount: 9_400 },
];

describe('a request pending at an event\'s time is judged pending, whatever the order (session 53 review F4)', () => {
  it('review 53 F4 in all 720 orders: just-under medium in each; event order\'s alert (c_old, rA, rC, when rA is read) byte for byte wherever rA is read after c_old and before c_mid (before the fix 432 orders raised nothing)', () => {
    const expected = expectEventOrderInEveryOrder(F4, (at) => at('c_old') < at('rA') && at('rA') < at('c_mid'));
    expect(expected.verdicts).toEqual({ 'structuring.just-under': 'medium' });
    expect(expected.alerts.map(eventIdsOf)).toEqual([['c_old', 'rA', 'rC']]);
  }, 120_000);

  it('without c_new (no move: c_old keeps rB, rC stays held): the same alert in all 120 orders where rA is read after c_old and before c_mid, the verdict in all', () => {
    const expected = expectEventOrderInEveryOrder(F4.slice(0, 5), (at) => at('c_old') < at('rA') && at('rA') < at('c_mid'));
    expect(expected.alerts.map(eventIdsOf)).toEqual([['c_old', 'rA', 'rC']]);
  }, 60_000);

  // c_new read before rA, rB or rC finds no request it can take (rA unread, or c_old unable to
  // give its request up for the unread one): c_old, rC or c_mid and c_new are three
  // near-threshold withdrawals within its week, and that alert, given before the request
  // arrived, stands beside event order's (alerts are not taken back).
  it('c_new within the week of c_old (day 6 + 18 h): the verdict in all 720 orders, event order\'s bytes wherever rA is read after c_old and before c_mid and c_new, and rB and rC before c_new', () => {
    const stages = F4.map((s) => (s.id === 'c_new' ? { ...s, time: T0 + 6 * DAY + 18 * HOUR } : s));
    const expected = expectEventOrderInEveryOrder(stages, (at) => at('c_old') < at('rA') && at('rA') < Math.min(at('c_mid'), at('c_new')) && Math.max(at('rB'), at('rC')) < at('c_new'));
    expect(expected.alerts.map(eventIdsOf)).toEqual([['c_old', 'rA', 'rC']]);
  }, 120_000);

  it('three real withdrawals just under the threshold requested within 5 days and completed after the third request: medium in all 720 orders, the same bytes wherever the third request is read after the other two and before any completion', () => {
    const stages: Stage[] = [
      { id: 'r1', status: 'requested', time: T0, amount: 9_600 }, { id: 'r2', status: 'requested', time: T0 + 2 * DAY, amount: 9_610 },
      { id: 'r3', status: 'requested', time: T0 + 5 * DAY, amount: 9_620 },
      { id: 'c1', status: 'completed', time: T0 + 5 * DAY + HOUR, amount: 9_590 }, { id: 'c2', status: 'completed', time: T0 + 5 * DAY + 2 * HOUR, amount: 9_600 },
      { id: 'c3', status: 'completed', time: T0 + 5 * DAY + 3 * HOUR, amount: 9_610 },
    ];
    const firstCompletion = (at: (id: string) => number): number => Math.min(at('c1'), at('c2'), at('c3'));
    const expected = expectEventOrderInEveryOrder(stages, (at) => at('r1') < at('r3') && at('r2') < at('r3') && at('r3') < firstCompletion(at));
    expect(expected.verdicts).toEqual({ 'structuring.just-under': 'medium' });
    expect(expected.alerts.map(eventIdsOf)).toEqual([['r1', 'r2', 'r3']]);
  }, 120_000);

  it('two withdrawals whose completions both follow both requests: never three near the threshold, in any of the 24 orders (a request back in the history is not counted beside its own completion)', () => {
    const stages: Stage[] = [
      { id: 'r1', status: 'requested', time: T0, amount: 9_500 }, { id: 'r2', status: 'requested', time: T0 + DAY, amount: 9_475 },
      { id: 'c1', status: 'completed', time: T0 + 2 * DAY, amount: 9_470 }, { id: 'c2', status: 'completed', time: T0 + 3 * DAY, amount: 9_445 },
    ];
    const expected = expectEventOrderInEveryOrder(stages, () => true);
    expect(expected.alerts.map(ruleOf)).toEqual([]);
  });
});
