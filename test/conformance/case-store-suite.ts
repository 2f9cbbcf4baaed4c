/** One suite, run against the in-memory store (unit) and the Redis store (integration). */
import { describe, expect, it } from 'vitest';
import { readEntry } from '../../src/cases/read-entries.js';
import type { Actor, CaseStore } from '../../src/cases/case-model.js';
import { CaseActionError } from '../../src/cases/case-transitions.js';
import type { Alert } from '../../src/contract/schemas.js';

export function alert(id: string, accountId: string, score: number, severity: Alert['severity'] = 'high', typology = 'dprk-it-payroll'): Alert {
  return { alertId: id, ruleId: 'r', ruleVersion: 1, typology, severity, score, subject: { accountId }, eventIds: [`ev-${id}`], triggeredAt: '2025-01-01T00:00:00.000Z', evidence: {}, explanation: 'x' };
}

const ana: Actor = { name: 'ana', role: 'analyst' };
const bob: Actor = { name: 'bob', role: 'analyst' };
const sue: Actor = { name: 'sue', role: 'supervisor' };
const tom: Actor = { name: 'tom', role: 'supervisor' };
const vic: Actor = { name: 'vic', role: 'viewer' };
const as = (name: string): Actor => ({ name, role: 'analyst' });

/** Resolves to the error's code, so a test names the refusal it expects. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CaseActionError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'accepted';
}

export function caseStoreSuite(name: string, make: () => Promise<CaseStore>): void {
  describe(`case store conformance: ${name}`, () => {
    it('gathers alerts for one subject into one open case and keeps the highest score and severity', async () => {
      const store = await make();
      const a = await store.addAlert(alert('a1', 'acct-1', 60, 'medium', 'pass-through'));
      const b = await store.addAlert(alert('a2', 'acct-1', 90, 'high'));
      expect(b.caseId).toBe(a.caseId);
      const c = await store.get(a.caseId);
      expect(c).toMatchObject({ subject: 'acct-1', status: 'open', score: 90, severity: 'high', alertIds: ['a1', 'a2'], typologies: ['dprk-it-payroll', 'pass-through'] });
    });

    it('keeps a hot subject\'s case bounded: the newest alert ids, a count of all, add-alert audited up to the cap', async () => {
      const store = await make();
      const { CASE_ALERT_IDS } = await import('../../src/cases/case-model.js');
      const total = CASE_ALERT_IDS + 25;
      let caseId = '';
      for (let i = 0; i < total; i++) caseId = (await store.addAlert(alert(`hot-${i}`, 'acct-hot', 60))).caseId;
      const c = (await store.get(caseId))!;
      expect(c.alertCount).toBe(total);
      expect(c.alertIds).toHaveLength(CASE_ALERT_IDS);
      expect(c.alertIds[0]).toBe('hot-25');
      expect(c.alertIds[CASE_ALERT_IDS - 1]).toBe(`hot-${total - 1}`);
      const audit = await store.audit(caseId);
      expect(audit.filter((e) => e.action === 'open' || e.action === 'add-alert')).toHaveLength(CASE_ALERT_IDS);
      await store.claim(ana, 60_000, 1_000);
      expect((await store.audit(caseId)).at(-1)).toMatchObject({ action: 'claim', analyst: 'ana' });
    });

    it('keeps an alert as its JSON: an exact amount in its evidence reads back as its decimal text', async () => {
      const store = await make();
      const { Decimal } = await import('../../src/money/decimal.js');
      const hop = { address: '0xabc', via: { ref: '0x1', asset: 'ETH', amount: Decimal.parse('12.5'), usd: Decimal.parse('41250.00') } };
      const { caseId } = await store.addAlert({ ...alert('dec', 'acct-dec', 80), evidence: { path: [{ address: '0xdef' }, hop] } });
      const [kept] = await store.alerts(caseId);
      expect(kept!.evidence.path).toEqual([{ address: '0xdef' }, { address: '0xabc', via: { ref: '0x1', asset: 'ETH', amount: '12.5', usd: '41250' } }]);
    });

    it('adds a redelivered alert only once', async () => {
      const store = await make();
      const first = await store.addAlert(alert('dup', 'acct-2', 70));
      const again = await store.addAlert(alert('dup', 'acct-2', 70));
      expect(again).toEqual({ caseId: first.caseId, added: false });
      expect((await store.get(first.caseId))!.alertIds).toEqual(['dup']);
    });

    it('lists cases highest score first and claims the top one', async () => {
      const store = await make();
      await store.addAlert(alert('l1', 'acct-low', 55));
      await store.addAlert(alert('h1', 'acct-high', 95));
      expect((await store.list({ status: 'open' })).map((c) => c.subject)).toEqual(['acct-high', 'acct-low']);
      const claimed = await store.claim(ana, 60_000, 1_000);
      expect(claimed).toMatchObject({ subject: 'acct-high', status: 'claimed', analyst: 'ana' });
      expect((await store.list({ status: 'open' })).map((c) => c.subject)).toEqual(['acct-low']);
    });

    it('lists and claims the older case first among cases of one severity and score, in every index the queue reads', async () => {
      const store = await make();
      // Opened a day apart, added out of order: before session 48 these went by case id (a hash).
      const days = [3, 0, 5, 1, 4, 2];
      for (const d of days) await store.addAlert({ ...alert(`age-${d}`, `acct-age-${d}`, 90, 'high'), triggeredAt: `2025-01-0${d + 1}T12:00:0${d}.500Z` });
      const oldestFirst = [...days].sort().map((d) => `acct-age-${d}`);
      expect((await store.list({ status: 'open' })).map((c) => c.subject)).toEqual(oldestFirst);
      expect((await store.query({ statuses: ['open'], severities: ['high'] })).cases.map((c) => c.subject)).toEqual(oldestFirst);
      expect((await store.claim(ana, 60_000, 1_000))!.subject).toBe('acct-age-0');
      expect((await store.query({ statuses: ['open', 'claimed'] })).cases.map((c) => c.subject)).toEqual(oldestFirst);
    });

    it('puts score before age for a case opened at any time the contract accepts (year 0000 to 9999), and the older first within a score', async () => {
      const store = await make();
      // Before the fix the age term was 1 or more before 1970 and negative after 2286: a case dated
      // 0001-01-01 (a zero time) outranked a higher score, one dated 9999 fell below a lower one.
      const opened: [string, number, string][] = [
        ['acct-y2025-91', 91, '2025-01-01T00:00:00Z'], ['acct-y0001-90', 90, '0001-01-01T00:00:00Z'], ['acct-y9999-90', 90, '9999-12-31T23:59:59Z'],
        ['acct-y1969-90', 90, '1969-12-31T23:59:59Z'], ['acct-y2300-90', 90, '2300-01-01T00:00:00+00:00'], ['acct-y9999-92', 92, '9999-12-31T23:59:59.999Z'],
        ['acct-y0000-89', 89, '0000-01-01T00:00:00Z'], ['acct-y1970-90', 90, '1970-01-01T00:00:00Z'],
      ];
      for (const [subject, score, at] of opened) await store.addAlert({ ...alert(`when-${subject}`, subject, score, 'high'), triggeredAt: at });
      const expected = ['acct-y9999-92', 'acct-y2025-91', 'acct-y0001-90', 'acct-y1969-90', 'acct-y1970-90', 'acct-y2300-90', 'acct-y9999-90', 'acct-y0000-89'];
      expect((await store.list({ status: 'open' })).map((c) => c.subject)).toEqual(expected);
      expect((await store.query({ statuses: ['open'], severities: ['high'] })).cases.map((c) => c.subject)).toEqual(expected);
      expect((await store.claim(ana, 60_000, 1_000))!.subject).toBe('acct-y9999-92');
      expect((await store.claim(bob, 60_000, 1_000))!.subject).toBe('acct-y2025-91');
      expect((await store.claim(as('cy'), 60_000, 1_000))!.subject).toBe('acct-y0001-90');
    });

    it('lists and claims a critical case before a high one of a higher score, and equal scores by severity', async () => {
      const store = await make();
      await store.addAlert(alert('s1', 'acct-high-100', 100, 'high'));
      await store.addAlert(alert('s2', 'acct-critical-95', 95, 'critical'));
      await store.addAlert(alert('s3', 'acct-high-95', 95, 'high'));
      await store.addAlert(alert('s4', 'acct-critical-95b', 95, 'medium'));
      // The fourth subject's case turns critical by a later alert of a lower score.
      await store.addAlert(alert('s5', 'acct-critical-95b', 60, 'critical'));
      const listed = (await store.list({ status: 'open' })).map((c) => c.subject);
      // The two critical cases (both of score 95, opened at one time) by case id, then the high ones by score.
      expect(listed.slice(0, 2).sort()).toEqual(['acct-critical-95', 'acct-critical-95b']);
      expect(listed.slice(2)).toEqual(['acct-high-100', 'acct-high-95']);
      expect((await store.query({ statuses: ['open'] })).cases.map((c) => c.subject)).toEqual(listed);
      const first = await store.claim(ana, 60_000, 1_000);
      const second = await store.claim(bob, 60_000, 1_000);
      expect([first!.severity, second!.severity]).toEqual(['critical', 'critical']);
      expect((await store.claim(as('cy'), 60_000, 1_000))!.subject).toBe('acct-high-100');
    });

    it('lets exactly one of two analysts claiming at once win', async () => {
      const store = await make();
      await store.addAlert(alert('race', 'acct-race', 80));
      const [x, y] = await Promise.all([store.claim(ana, 60_000, 1_000), store.claim(bob, 60_000, 1_000)]);
      expect([x, y].filter((c) => c !== undefined)).toHaveLength(1);
    });

    it('opens one case for alerts of one subject that arrive at once, and keeps every one of them', async () => {
      const store = await make();
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.addAlert(alert(`burst-${i}`, 'acct-burst', 60 + i))));
      expect(new Set(results.map((r) => r.caseId)).size).toBe(1);
      expect(results.every((r) => r.added)).toBe(true);
      const kept = await store.get(results[0]!.caseId);
      expect(kept).toMatchObject({ score: 65 });
      // Writers that race are applied in the order they commit (a writer that lost a race retries), so
      // the ids are compared as a set: none lost, none doubled.
      expect([...kept!.alertIds].sort()).toEqual(['burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5']);
    });

    it('gives analysts claiming at once different cases, highest score first', async () => {
      const store = await make();
      for (const [i, score] of [70, 90, 80].entries()) await store.addAlert(alert(`q${i}`, `acct-q${i}`, score));
      const claimed = await Promise.all(['ana', 'bob', 'cy', 'dee'].map((analyst) => store.claim(as(analyst), 60_000, 1_000)));
      expect(claimed.filter((c) => c !== undefined).map((c) => c!.score).sort()).toEqual([70, 80, 90]);
      expect(claimed[0]!.score).toBe(90);
    });

    it('returns a case whose lease expired to the queue', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('lease', 'acct-lease', 80));
      expect((await store.claim(ana, 1_000, 10_000))!.caseId).toBe(caseId);
      expect(await store.claim(bob, 1_000, 10_500)).toBeUndefined();
      const again = await store.claim(bob, 1_000, 11_001);
      expect(again).toMatchObject({ caseId, analyst: 'bob' });
      expect((await store.audit(caseId)).map((e) => e.action)).toEqual(['open', 'claim', 'expire', 'claim']);
    });

    it('returns ended leases to the queue without a claim, and leaves a lease still running alone', async () => {
      const store = await make();
      const ended = (await store.addAlert(alert('ended', 'acct-ended', 80))).caseId;
      const running = (await store.addAlert(alert('running', 'acct-running', 70))).caseId;
      await store.claim(ana, 1_000, 10_000);
      await store.claim(bob, 60_000, 10_000);
      await store.expireLeases(10_999);
      expect((await store.get(ended))!.status).toBe('claimed');
      await store.expireLeases(11_001);
      expect(await store.get(ended)).toMatchObject({ status: 'open' });
      expect((await store.get(ended))!.analyst).toBeUndefined();
      expect(await store.get(running)).toMatchObject({ status: 'claimed', analyst: 'bob' });
      const open = await store.query({ statuses: ['open'], limit: 10 });
      expect(open.cases.map((c) => c.caseId)).toEqual([ended]);
      expect((await store.query({ statuses: ['open', 'claimed'], assignee: 'ana', limit: 10 })).total).toBe(0);
      expect((await store.audit(ended)).map((e) => e.action)).toEqual(['open', 'claim', 'expire']);
      await store.expireLeases(11_002); // nothing left to expire: no second audit entry
      expect((await store.audit(ended)).map((e) => e.action)).toEqual(['open', 'claim', 'expire']);
    });

    it('releases only to the claiming analyst and resolves a medium case with a disposition and note', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('res', 'acct-res', 60, 'medium'));
      await store.claim(ana, 60_000, 1_000);
      expect(await refusal(store.release(caseId, bob, 1_100))).toMatch(/^TW_CASE_FORBIDDEN: .*claimed by ana/);
      expect(await refusal(store.resolve(caseId, 'false-positive', 'note', bob, 1_150))).toMatch(/^TW_CASE_FORBIDDEN: .*claimed by ana/);
      expect((await store.release(caseId, ana, 1_200)).status).toBe('open');
      expect(await store.resolve(caseId, 'sar-filed', 'filed SAR 2025-17', ana, 1_300)).toMatchObject({ status: 'resolved', disposition: 'sar-filed', note: 'filed SAR 2025-17' });
      expect(await store.get(caseId)).toMatchObject({ status: 'resolved', disposition: 'sar-filed', note: 'filed SAR 2025-17', analyst: 'ana' });
      expect(await refusal(store.resolve(caseId, 'escalated', 'again', ana, 1_400))).toMatch(/^TW_CASE_STATE: .*is resolved/);
      const next = await store.addAlert(alert('res2', 'acct-res', 70));
      expect(next.caseId).not.toBe(caseId);
      const audit = await store.audit(caseId);
      expect(audit.map((e) => e.action)).toEqual(['open', 'claim', 'release', 'resolve']);
      expect(audit.at(-1)).toMatchObject({ analyst: 'ana', detail: 'sar-filed', note: 'filed SAR 2025-17' });
    });

    it('keeps every alert whole (explanation, evidence with its path, event ids), newest ids bounded', async () => {
      const store = await make();
      const withPath = { ...alert('ev-1', 'acct-ev', 80), explanation: 'deposit reaches a sanctioned address in 1 hop(s).', evidence: { hops: 1, path: [{ address: '0xabc', cluster: 'cl-1' }, { address: '0xdef', cluster: 'cl-2', via: { ref: 'tx-9', amount: 12.5, time: '2025-02-24T21:46:41.279Z' } }] }, eventIds: ['ev-a', 'ev-b'] };
      const { caseId } = await store.addAlert(withPath);
      await store.addAlert(alert('ev-2', 'acct-ev', 60, 'medium'));
      const kept = await store.alerts(caseId);
      expect(kept.map((a) => a.alertId)).toEqual(['ev-1', 'ev-2']);
      expect(kept[0]).toEqual(withPath);
      expect(await store.alerts('case-nope')).toEqual([]);
      expect(await store.caseOfAlert('ev-2')).toBe(caseId);
      expect(await store.caseOfAlert('ev-never')).toBeUndefined();
    });

    it('drops the whole alert with its id once a hot case passes the bound', async () => {
      const store = await make();
      const { CASE_ALERT_IDS } = await import('../../src/cases/case-model.js');
      let caseId = '';
      for (let i = 0; i < CASE_ALERT_IDS + 3; i++) caseId = (await store.addAlert(alert(`whole-${i}`, 'acct-whole', 60))).caseId;
      const kept = await store.alerts(caseId);
      expect(kept).toHaveLength(CASE_ALERT_IDS);
      expect(kept[0]!.alertId).toBe('whole-3');
    });

    it('sends a high or critical closure to a supervisor, who approves it (four-eyes), with the note audited', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('crit', 'acct-crit', 100, 'critical', 'sanctions-exposure'));
      await store.claim(ana, 60_000, 1_000);
      const pending = await store.resolve(caseId, 'false-positive', 'address belongs to the customer\'s own exchange account', ana, 2_000);
      expect(pending).toMatchObject({ status: 'pending-approval', pending: { disposition: 'false-positive', by: 'ana' } });
      expect(pending.disposition).toBeUndefined();
      expect((await store.list({ status: 'pending-approval' })).map((c) => c.caseId)).toEqual([caseId]);
      expect(await store.claim(bob, 60_000, 2_100)).toBeUndefined();
      expect(await refusal(store.approve(caseId, bob, 3_000))).toMatch(/^TW_CASE_FORBIDDEN: bob \(analyst\) may not approve/);
      expect(await store.approve(caseId, sue, 3_000)).toMatchObject({ status: 'resolved', disposition: 'false-positive', analyst: 'ana', approvedBy: 'sue' });
      const audit = await store.audit(caseId);
      expect(audit.map((e) => [e.action, e.analyst])).toEqual([['open', undefined], ['claim', 'ana'], ['request-approval', 'ana'], ['approve', 'sue']]);
      expect(audit[2]!.note).toBe('address belongs to the customer\'s own exchange account');
    });

    it('sets a proposed closure aside when an alert joins the case before approval: the case is open again and approving the old proposal is refused', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('sa-1', 'acct-sa', 70, 'high', 'account-linkage'));
      await store.resolve(caseId, 'false-positive', 'a household tablet', bob, 1_000);
      // A sanctioned deposit of the same account arrives while the closure waits for a supervisor.
      expect(await store.addAlert(alert('sa-2', 'acct-sa', 100, 'critical', 'sanctions-exposure'))).toEqual({ caseId, added: true });
      const after = (await store.get(caseId))!;
      expect(after).toMatchObject({ status: 'open', severity: 'critical', analyst: 'bob' });
      expect(after.pending).toBeUndefined();
      expect(await refusal(store.approve(caseId, tom, 2_000))).toMatch(/^TW_CASE_STATE/);
      expect((await store.list({ status: 'pending-approval' })).map((c) => c.caseId)).toEqual([]);
      expect((await store.list({ status: 'open' })).map((c) => c.caseId)).toEqual([caseId]);
      expect((await store.query({ statuses: ['open'], limit: 10 })).cases.map((c) => c.caseId)).toEqual([caseId]);
      const audit = await store.audit(caseId);
      expect(audit.map((e) => e.action)).toEqual(['open', 'request-approval', 'add-alert', 'set-aside']);
      expect(audit.at(-1)).toMatchObject({ analyst: 'bob', detail: 'sa-2', note: 'alert sa-2 (critical) joined the case after the false-positive closure was proposed: it goes back to the queue for review' });
      // Proposed again, with the new alert reviewed, it is approved as usual.
      await store.resolve(caseId, 'escalated', 'sanctioned counterparty: escalated to the MLRO', bob, 3_000);
      expect(await store.approve(caseId, tom, 4_000)).toMatchObject({ status: 'resolved', disposition: 'escalated', approvedBy: 'tom' });
    });

    it('approves only the proposal the approver read: one proposed since (sent back and proposed again) is refused', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('pa-1', 'acct-pa', 80, 'high'));
      const first = await store.resolve(caseId, 'escalated', 'escalate to the MLRO', ana, 1_000);
      const seen = first.pending!.at;
      await store.reject(caseId, 'attach the KYC file', sue, 2_000);
      await store.resolve(caseId, 'false-positive', 'nothing to see', bob, 3_000);
      expect(await refusal(store.approve(caseId, tom, 4_000, seen))).toMatch(/^TW_CASE_STATE: .*bob's false-positive proposed at 1970-01-01T00:00:03.000Z, not the one proposed at 1970-01-01T00:00:01.000Z/);
      expect((await store.get(caseId))!.status).toBe('pending-approval');
      const current = (await store.get(caseId))!.pending!.at;
      expect(await store.approve(caseId, tom, 5_000, current)).toMatchObject({ status: 'resolved', disposition: 'false-positive', approvedBy: 'tom' });
    });

    it('keeps the dashboard figures as cases change: alerts per day and typology, resolutions per rule (a reopen takes one off), status counts, the unresolved cases', async () => {
      const store = await make();
      const at = (a: Alert, day: string, ruleId = 'r'): Alert => ({ ...a, ruleId, triggeredAt: `${day}T10:00:00.000Z` });
      const one = await store.addAlert(at(alert('d1', 'acct-d1', 60, 'medium'), '2025-03-01'));
      await store.addAlert(at(alert('d2', 'acct-d1', 65, 'medium', 'pass-through'), '2025-03-02', 'pass-through.fast'));
      await store.addAlert(at(alert('d2', 'acct-d1', 65, 'medium', 'pass-through'), '2025-03-02', 'pass-through.fast')); // redelivered: counted once
      const two = await store.addAlert(at(alert('d3', 'acct-d2', 60, 'medium'), '2025-03-02'));
      await store.addAlert(at(alert('d4', 'acct-d3', 90, 'high'), '2025-03-02'));
      await store.resolve(one.caseId, 'false-positive', 'the customer\'s own wallet', ana, 1_000);
      await store.resolve(two.caseId, 'sar-filed', 'SAR 2025-31', ana, 1_100);
      await store.reopen(two.caseId, 'new evidence', sue, 1_200);
      const f = await store.dashboardFigures();
      expect(f.alertsPerDay).toEqual({ '2025-03-01|dprk-it-payroll': 1, '2025-03-02|pass-through': 1, '2025-03-02|dprk-it-payroll': 2 });
      expect(f.resolutions).toEqual({ 'r|false-positive': 1, 'pass-through.fast|false-positive': 1 });
      expect(f.statusCounts).toEqual({ open: 2, resolved: 1 });
      expect(f.unresolved.map((c) => c.caseId).sort()).toEqual([two.caseId, (await store.caseOfAlert('d4'))!].sort());
    });

    it('finds the cases whose alerts name a cluster, in the subject or anywhere in the evidence, newest mention first', async () => {
      const store = await make();
      const at = (a: Alert, time: string, evidence: Record<string, unknown>, cluster?: string): Alert => ({ ...a, triggeredAt: time, evidence, subject: { ...a.subject, ...(cluster ? { cluster } : {}) } });
      const x = await store.addAlert(at(alert('m1', 'acct-m1', 70), '2025-05-01T00:00:00.000Z', { cluster: 'cl-0000000000000001' }));
      const y = await store.addAlert(at(alert('m2', 'acct-m2', 70), '2025-05-02T00:00:00.000Z', { path: [{ address: '0xab', cluster: 'cl-0000000000000002' }, { cluster: 'cl-0000000000000001' }] }));
      const z = await store.addAlert(at(alert('m3', 'acct-m3', 70), '2025-05-03T00:00:00.000Z', {}, 'cl-0000000000000001'));
      await store.addAlert(at(alert('m4', 'acct-m4', 70), '2025-05-04T00:00:00.000Z', { note: 'cl-0000000000000001 in a sentence is not a name' }));
      // A late alert of z's case, older than its mention, does not move the case back.
      await store.addAlert(at(alert('m5', 'acct-m3', 70), '2025-04-01T00:00:00.000Z', { cluster: 'cl-0000000000000001' }));
      expect(await store.casesOfCluster('cl-0000000000000001')).toEqual([z.caseId, y.caseId, x.caseId]);
      expect(await store.casesOfCluster('cl-0000000000000002')).toEqual([y.caseId]);
      expect(await store.casesOfCluster('cl-00000000000000ff')).toEqual([]);
    });

    it('refuses a supervisor approving their own closure, and lets them send one back with a reason', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('own', 'acct-own', 85, 'high'));
      await store.resolve(caseId, 'escalated', 'to the MLRO', sue, 1_000);
      expect(await refusal(store.approve(caseId, sue, 1_100))).toMatch(/^TW_CASE_FORBIDDEN: four-eyes/);
      expect(await refusal(store.reject(caseId, '  ', tom, 1_200))).toMatch(/^TW_CASE_INPUT/);
      expect(await store.reject(caseId, 'attach the travel-rule data first', tom, 1_300)).toMatchObject({ status: 'open' });
      expect((await store.get(caseId))!.pending).toBeUndefined();
      expect((await store.audit(caseId)).at(-1)).toMatchObject({ action: 'reject', analyst: 'tom', note: 'attach the travel-rule data first' });
    });

    it('refuses a supervisor made after the closure was proposed (the proposer\'s own second account), and takes one of longer standing', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('late-sup', 'acct-late-sup', 100, 'critical', 'sanctions-exposure'));
      await store.resolve(caseId, 'false-positive', 'not a hit', sue, 10_000);
      const sam: Actor = { name: 'sam', role: 'supervisor', supervisorSince: new Date(10_001).toISOString() };
      expect(await refusal(store.approve(caseId, sam, 12_000))).toMatch(/^TW_CASE_FORBIDDEN: four-eyes: sam became a supervisor after this closure was proposed/);
      expect((await store.get(caseId))!.status).toBe('pending-approval');
      const veteran: Actor = { ...tom, supervisorSince: new Date(9_999).toISOString() };
      expect(await store.approve(caseId, veteran, 12_100)).toMatchObject({ status: 'resolved', approvedBy: 'tom' });
    });

    it('needs a non-empty note for every disposition and refuses a viewer', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('nn', 'acct-nn', 60, 'medium'));
      for (const d of ['escalated', 'sar-filed', 'false-positive'] as const) expect(await refusal(store.resolve(caseId, d, ' \n ', ana, 1_000))).toMatch(/^TW_CASE_INPUT: .*note must not be empty/);
      // Characters that show nothing are no note either (a zero-width space sent a closure to approval), and NUL is refused.
      for (const invisible of ['\u200b', '\u202e\u200d\ufeff', '\u0000']) expect(await refusal(store.resolve(caseId, 'false-positive', invisible, ana, 1_000))).toMatch(/^TW_CASE_INPUT: .*note must not be empty/);
      expect(await refusal(store.resolve(caseId, 'false-positive', 'ok\u0000', ana, 1_000))).toMatch(/^TW_CASE_INPUT: .*NUL/);
      expect(await refusal(store.resolve(caseId, 'closed' as never, 'x', ana, 1_000))).toMatch(/^TW_CASE_INPUT: disposition/);
      expect(await refusal(store.resolve(caseId, 'escalated', 'looks bad', vic, 1_000))).toMatch(/^TW_CASE_FORBIDDEN: vic \(viewer\)/);
      expect(await refusal(store.claim(vic, 60_000, 1_000))).toMatch(/^TW_CASE_FORBIDDEN/);
      expect(await refusal(store.addNote(caseId, 'hello', vic, 1_000))).toMatch(/^TW_CASE_FORBIDDEN/);
      expect((await store.get(caseId))!.status).toBe('open');
      expect(await refusal(store.resolve('case-missing', 'escalated', 'x', ana, 1_000))).toMatch(/^TW_CASE_MISSING/);
    });

    it('reopens a resolved case with a reason; its subject\'s new alerts then go to it', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('ro', 'acct-ro', 60, 'medium'));
      await store.resolve(caseId, 'false-positive', 'payroll of a known employer', ana, 1_000);
      expect(await refusal(store.reopen(caseId, '', bob, 2_000))).toMatch(/^TW_CASE_INPUT/);
      const reopened = await store.reopen(caseId, 'employer later listed by OFAC', bob, 2_000);
      expect(reopened.status).toBe('open');
      expect(reopened.disposition).toBeUndefined();
      expect((await store.addAlert(alert('ro-2', 'acct-ro', 65, 'medium'))).caseId).toBe(caseId);
      expect((await store.audit(caseId)).at(-2)).toMatchObject({ action: 'reopen', analyst: 'bob', detail: 'false-positive', note: 'employer later listed by OFAC' });
    });

    it('lets a supervisor assign a case to a named analyst, who then holds it', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('as', 'acct-as', 70, 'medium'));
      expect(await refusal(store.assign(caseId, 'bob', ana, 60_000, 1_000))).toMatch(/^TW_CASE_FORBIDDEN: ana \(analyst\) may not assign/);
      expect(await store.assign(caseId, 'bob', sue, 60_000, 1_000)).toMatchObject({ status: 'claimed', analyst: 'bob', leaseUntil: 61_000 });
      expect(await refusal(store.resolve(caseId, 'escalated', 'mine now', ana, 2_000))).toMatch(/claimed by bob/);
      expect((await store.resolve(caseId, 'escalated', 'to the MLRO', bob, 2_000)).status).toBe('resolved');
      expect((await store.audit(caseId)).map((e) => [e.action, e.analyst, e.detail])).toContainEqual(['assign', 'sue', 'bob']);
    });

    it('hands back every case a holder claimed or was assigned, audited with who and why; others\' cases and the holder\'s resolved ones stay', async () => {
      const store = await make();
      const claimed = (await store.addAlert(alert('hb1', 'acct-hb1', 90))).caseId;
      const assigned = (await store.addAlert(alert('hb2', 'acct-hb2', 80))).caseId;
      const bobs = (await store.addAlert(alert('hb3', 'acct-hb3', 70))).caseId;
      const resolved = (await store.addAlert(alert('hb4', 'acct-hb4', 60, 'medium'))).caseId;
      expect((await store.claim(ana, 60_000, 1_000))?.caseId).toBe(claimed);
      await store.assign(assigned, 'ana', sue, 60_000, 1_000);
      expect((await store.claim(bob, 60_000, 1_000))?.caseId).toBe(bobs);
      await store.resolve(resolved, 'false-positive', 'payroll of a known employer', ana, 1_500);
      const reason = 'sue made ana a viewer, who cannot work cases';
      expect((await store.handBackCasesOf('ana', reason, 'sue', 2_000)).sort()).toEqual([claimed, assigned].sort());
      for (const id of [claimed, assigned]) {
        const c = (await store.get(id))!;
        expect(c.status).toBe('open');
        expect(c.analyst).toBeUndefined();
        expect(c.leaseUntil).toBeUndefined();
        expect((await store.audit(id)).at(-1)).toEqual({ caseId: id, action: 'release', at: '1970-01-01T00:00:02.000Z', analyst: 'sue', detail: 'ana', note: reason });
      }
      expect(await store.get(bobs)).toMatchObject({ status: 'claimed', analyst: 'bob' });
      expect(await store.get(resolved)).toMatchObject({ status: 'resolved', analyst: 'ana' });
      // Back in the queue's indexes: open, nobody's, and claimed next.
      expect((await store.query({ statuses: ['open'], limit: 10 })).cases.map((c) => c.caseId)).toEqual([claimed, assigned]);
      expect((await store.query({ statuses: ['open', 'claimed'], assignee: 'ana', limit: 10 })).total).toBe(0);
      expect((await store.query({ assignee: '-', limit: 10 })).cases.map((c) => c.caseId)).toEqual([claimed, assigned]);
      expect(await store.handBackCasesOf('ana', reason, 'sue', 3_000)).toEqual([]);
      expect((await store.claim(as('cy'), 60_000, 3_000))?.caseId).toBe(claimed);
    });

    it('withdraws the closures a holder proposed that await approval, audited with who, why and the proposal; the case is open for anyone; others\' proposals stay', async () => {
      const store = await make();
      const anas = (await store.addAlert(alert('wd1', 'acct-wd1', 90, 'critical', 'sanctions-exposure'))).caseId;
      const bobs = (await store.addAlert(alert('wd2', 'acct-wd2', 80))).caseId;
      await store.claim(ana, 60_000, 1_000);
      await store.claim(bob, 60_000, 1_000);
      expect((await store.resolve(anas, 'false-positive', 'known payroll', ana, 1_500)).status).toBe('pending-approval');
      expect((await store.resolve(bobs, 'escalated', 'to the MLRO', bob, 1_500)).status).toBe('pending-approval');
      const reason = 'sue removed ana\'s account';
      expect(await store.handBackCasesOf('ana', reason, 'sue', 2_000)).toEqual([anas]);
      const c = (await store.get(anas))!;
      expect(c.status).toBe('open');
      expect(c.pending).toBeUndefined();
      expect(c.analyst).toBeUndefined();
      expect((await store.audit(anas)).at(-1)).toEqual({
        caseId: anas, action: 'withdraw', at: '1970-01-01T00:00:02.000Z', analyst: 'sue', detail: 'ana',
        note: "sue removed ana's account: ana's false-positive closure proposed at 1970-01-01T00:00:01.500Z is withdrawn, for an analyst to review again",
      });
      expect(await refusal(store.approve(anas, sue, 2_500))).toMatch(/^TW_CASE_STATE: .* is open; approval needs it pending-approval/);
      expect(await store.get(bobs)).toMatchObject({ status: 'pending-approval', pending: { by: 'bob' } });
      expect((await store.query({ statuses: ['open'], assignee: '-', limit: 10 })).cases.map((x) => x.caseId)).toEqual([anas]);
      expect((await store.query({ assignee: 'ana', limit: 10 })).total).toBe(0);
      expect((await store.claim(as('cy'), 60_000, 3_000))?.caseId).toBe(anas);
    });

    it('records each SAR draft export in the audit (who, when, format), by any role, leaving the case as it was', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('sx', 'acct-sx', 70, 'medium'));
      await store.claim(ana, 60_000, 500);
      const before = await store.get(caseId);
      await store.recordSarExport(caseId, 'json', vic, 1_000);
      await store.recordSarExport(caseId, 'html', sue, 2_000);
      expect((await store.audit(caseId)).filter((e) => e.action === 'export-sar')).toEqual([
        { caseId, action: 'export-sar', at: '1970-01-01T00:00:01.000Z', analyst: 'vic', detail: 'json' },
        { caseId, action: 'export-sar', at: '1970-01-01T00:00:02.000Z', analyst: 'sue', detail: 'html' },
      ]);
      expect(await store.get(caseId)).toEqual(before);
      expect(await refusal(store.recordSarExport('case-none', 'json', vic, 3_000))).toMatch(/^TW_CASE_MISSING/);
      // A resolved case's draft (the usual one to file) is recorded too.
      await store.resolve(caseId, 'escalated', 'to the MLRO', ana, 4_000);
      await store.recordSarExport(caseId, 'json', bob, 5_000);
      expect((await store.audit(caseId)).at(-1)).toMatchObject({ action: 'export-sar', analyst: 'bob', detail: 'json' });
      expect((await store.get(caseId))!.status).toBe('resolved');
    });

    it('keeps notes in the audit with their author', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('no', 'acct-no', 70, 'medium'));
      await store.addNote(caseId, 'called the customer; no answer', ana, 1_000);
      expect((await store.audit(caseId)).filter((e) => e.action === 'note')).toEqual([{ caseId, action: 'note', at: '1970-01-01T00:00:01.000Z', analyst: 'ana', note: 'called the customer; no answer' }]);
      expect((await store.get(caseId))!.status).toBe('open');
    });

    it('answers a filtered page of the queue: status, severity, typology, assignee, age, SLA breach, offset and limit', async () => {
      const store = await make();
      const at = (id: string, acct: string, score: number, severity: Alert['severity'], typology: string, triggeredAt: string): Alert => ({ ...alert(id, acct, score, severity, typology), triggeredAt });
      await store.addAlert(at('f1', 'acct-f1', 90, 'critical', 'sanctions-exposure', '2025-01-01T00:00:00.000Z'));
      await store.addAlert(at('f2', 'acct-f2', 80, 'high', 'dprk-it-payroll', '2025-01-02T00:00:00.000Z'));
      await store.addAlert(at('f3', 'acct-f3', 70, 'medium', 'dprk-it-payroll', '2025-01-03T00:00:00.000Z'));
      await store.addAlert(at('f4', 'acct-f4', 60, 'medium', 'pass-through', '2025-01-04T00:00:00.000Z'));
      await store.addAlert(at('f5', 'acct-f5', 50, 'medium', 'pass-through', '2025-01-05T00:00:00.000Z'));
      const subjects = async (q: Parameters<CaseStore['query']>[0]): Promise<string[]> => (await store.query(q)).cases.map((c) => c.subject);
      expect(await subjects({})).toEqual(['acct-f1', 'acct-f2', 'acct-f3', 'acct-f4', 'acct-f5']);
      await store.claim(ana, 60_000, 1_000); // f1
      const f2 = (await store.query({ typology: 'dprk-it-payroll', limit: 1 })).cases[0]!;
      await store.assign(f2.caseId, 'bob', sue, 60_000, 1_000);
      const f5 = (await store.query({ typology: 'pass-through', offset: 1 })).cases[0]!;
      expect(f5.subject).toBe('acct-f5');
      await store.resolve(f5.caseId, 'false-positive', 'a known payroll provider', ana, 1_000);
      expect(await subjects({})).toEqual(['acct-f1', 'acct-f2', 'acct-f3', 'acct-f4']);
      expect(await subjects({ statuses: ['resolved'] })).toEqual(['acct-f5']);
      expect(await subjects({ statuses: ['open', 'resolved'] })).toEqual(['acct-f3', 'acct-f4', 'acct-f5']);
      expect(await subjects({ severities: ['medium'] })).toEqual(['acct-f3', 'acct-f4']);
      expect(await subjects({ severities: ['critical', 'high'] })).toEqual(['acct-f1', 'acct-f2']);
      expect(await subjects({ typology: 'dprk-it-payroll' })).toEqual(['acct-f2', 'acct-f3']);
      expect(await subjects({ assignee: 'ana' })).toEqual(['acct-f1']);
      expect(await subjects({ assignee: 'bob' })).toEqual(['acct-f2']);
      expect(await subjects({ assignee: '-' })).toEqual(['acct-f3', 'acct-f4']);
      expect(await subjects({ statuses: ['resolved'], assignee: 'ana' })).toEqual(['acct-f5']);
      expect(await subjects({ openedFrom: Date.parse('2025-01-02T00:00:00.000Z'), openedTo: Date.parse('2025-01-03T00:00:00.000Z') })).toEqual(['acct-f2', 'acct-f3']);
      // Breaches: critical opened before Jan 2, medium opened before Jan 4 (strictly).
      expect(await subjects({ breachCutoffs: { critical: Date.parse('2025-01-02T00:00:00.000Z'), medium: Date.parse('2025-01-04T00:00:00.000Z') } })).toEqual(['acct-f1', 'acct-f3']);
      // No severity has an SLA cut-off (none configured): no case is in breach, in either store.
      expect(await store.query({ breachCutoffs: {} })).toMatchObject({ total: 0, cases: [] });
      expect(await store.query({ severities: ['medium'], typology: 'pass-through' })).toMatchObject({ total: 1, cases: [{ subject: 'acct-f4' }] });
      const page = await store.query({ offset: 1, limit: 2 });
      expect(page.total).toBe(4);
      expect(page.cases.map((c) => c.subject)).toEqual(['acct-f2', 'acct-f3']);
      expect(await store.typologies()).toEqual(['dprk-it-payroll', 'pass-through', 'sanctions-exposure']);
      expect(await store.casesOfSubject('acct-f5')).toEqual([f5.caseId]);
    });

    it('filters the queue by subject: exactly that account\'s cases, with the other filters, paged, as they change status', async () => {
      const store = await make();
      const every = ['open', 'claimed', 'pending-approval', 'resolved'] as const;
      const ids = async (q: Parameters<CaseStore['query']>[0]): Promise<string[]> => (await store.query(q)).cases.map((c) => c.caseId);
      const first = (await store.addAlert(alert('sub-1', 'acct-sub', 60, 'medium', 'pass-through'))).caseId;
      await store.resolve(first, 'false-positive', 'salary from a known employer', ana, 1_000);
      const second = (await store.addAlert(alert('sub-2', 'acct-sub', 80, 'high'))).caseId; // the first is resolved: a new case
      const other = (await store.addAlert(alert('sub-3', 'acct-sub-2', 90, 'high'))).caseId;
      // Names that a prefix or a glob would confuse with acct-sub.
      const starred = (await store.addAlert(alert('sub-4', 'acct-sub*', 70, 'high'))).caseId;
      const longer = (await store.addAlert(alert('sub-5', 'acct-subject', 75, 'high'))).caseId;
      expect(second).not.toBe(first);
      expect(await ids({ subject: 'acct-sub' })).toEqual([second]); // unresolved by default, as every filter
      expect(await ids({ subject: 'acct-sub', statuses: [...every] })).toEqual([second, first]);
      expect(await ids({ subject: 'acct-sub-2' })).toEqual([other]);
      expect(await ids({ subject: 'acct-sub*' })).toEqual([starred]);
      expect(await ids({ subject: 'acct-subject', statuses: [...every] })).toEqual([longer]);
      expect(await store.query({ subject: 'acct-nobody', statuses: [...every] })).toEqual({ total: 0, cases: [] });
      expect(await ids({})).toEqual([other, second, longer, starred]); // no subject: every subject
      // With the other filters.
      expect(await ids({ subject: 'acct-sub', statuses: [...every], typology: 'pass-through' })).toEqual([first]);
      expect(await ids({ subject: 'acct-sub', statuses: [...every], severities: ['high', 'critical'] })).toEqual([second]);
      expect(await ids({ subject: 'acct-sub', statuses: ['resolved'] })).toEqual([first]);
      expect(await ids({ subject: 'acct-sub', statuses: [...every], openedFrom: 0, openedTo: Date.parse('2025-01-02T00:00:00.000Z') })).toEqual([second, first]);
      expect(await ids({ subject: 'acct-sub', openedFrom: Date.parse('2025-01-02T00:00:00.000Z') })).toEqual([]);
      expect(await ids({ subject: 'acct-sub', breachCutoffs: { high: Date.parse('2025-01-02T00:00:00.000Z') } })).toEqual([second]);
      expect(await ids({ subject: 'acct-sub', breachCutoffs: { medium: Date.parse('2025-01-02T00:00:00.000Z') } })).toEqual([]);
      await store.assign(other, 'bob', sue, 60_000, 2_000);
      await store.assign(second, 'ana', sue, 60_000, 2_000);
      expect(await ids({ subject: 'acct-sub-2', assignee: 'bob' })).toEqual([other]);
      expect(await ids({ subject: 'acct-sub', assignee: 'bob' })).toEqual([]);
      expect(await ids({ subject: 'acct-sub', assignee: '-', statuses: [...every] })).toEqual([]); // the resolved one is held by ana, who closed it
      expect(await ids({ subject: 'acct-sub', assignee: 'ana', statuses: [...every] })).toEqual([second, first]);
      const page = await store.query({ subject: 'acct-sub', statuses: [...every], offset: 1, limit: 1 });
      expect(page).toMatchObject({ total: 2, cases: [{ caseId: first }] });
      // A new alert moves the subject's open case between severities; a reopened case comes back to the default view.
      await store.addAlert(alert('sub-6', 'acct-sub', 95, 'critical', 'sanctions-exposure'));
      expect(await ids({ subject: 'acct-sub', severities: ['critical'] })).toEqual([second]);
      expect(await ids({ subject: 'acct-sub', severities: ['high'] })).toEqual([]);
      await store.reopen(first, 'the employer was listed since', bob, 3_000);
      expect(await ids({ subject: 'acct-sub' })).toEqual([second, first]);
      expect(await ids({ subject: 'acct-sub-2' })).toEqual([other]);
    });

    it('moves a case in the filtered queue when a new alert raises its score, severity or typologies, or a lease expires', async () => {
      const store = await make();
      await store.addAlert(alert('m1', 'acct-m1', 60, 'medium', 'pass-through'));
      await store.addAlert(alert('m2', 'acct-m2', 70, 'medium', 'pass-through'));
      await store.addAlert(alert('m3', 'acct-m1', 95, 'critical', 'sanctions-exposure'));
      expect((await store.query({ severities: ['medium'] })).cases.map((c) => c.subject)).toEqual(['acct-m2']);
      expect((await store.query({ severities: ['critical'], typology: 'pass-through' })).cases.map((c) => [c.subject, c.score])).toEqual([['acct-m1', 95]]);
      expect((await store.query({})).cases.map((c) => c.subject)).toEqual(['acct-m1', 'acct-m2']);
      await store.claim(ana, 1_000, 10_000);
      expect((await store.query({ assignee: '-' })).cases.map((c) => c.subject)).toEqual(['acct-m2']);
      await store.claim(bob, 1_000, 20_000); // ana's lease expired: m1 returns to the queue and bob takes it (top score)
      expect((await store.query({ assignee: 'ana' })).total).toBe(0);
      expect((await store.query({ assignee: 'bob' })).cases.map((c) => c.subject)).toEqual(['acct-m1']);
    });

    it('keeps reads in the access log, newest first, found by case, account or user, with at most 50 ids of each kind an entry', async () => {
      const store = await make();
      await store.recordRead(readEntry('ana', 'http', { what: 'case', caseIds: ['c1'], accountIds: ['acct-1'] }, 1_000));
      await store.recordRead(readEntry('vic', 'cli', { what: 'queue', detail: 'filter {}' }, 2_000));
      const many = Array.from({ length: 60 }, (_, i) => `acct-${i}`);
      await store.recordRead(readEntry('ana', 'http', { what: 'cluster', caseIds: ['c1', 'c2'], accountIds: many }, 3_000));
      expect((await store.reads({})).map((e) => e.what)).toEqual(['cluster', 'queue', 'case']);
      expect((await store.reads({ caseId: 'c1' })).map((e) => e.at)).toEqual([new Date(3_000).toISOString(), new Date(1_000).toISOString()]);
      expect((await store.reads({ user: 'vic' }))[0]).toEqual({ at: new Date(2_000).toISOString(), user: 'vic', via: 'cli', what: 'queue', caseIds: [], accountIds: [], detail: 'filter {}' });
      const cluster = (await store.reads({ accountId: 'acct-1', limit: 1 }))[0]!;
      expect(cluster.accountIds).toHaveLength(50);
      expect(cluster.detail).toBe('showed 60 accounts; the first 50 of each listed');
      expect(await store.reads({ accountId: 'acct-59' })).toEqual([]);
    });
  });
}
