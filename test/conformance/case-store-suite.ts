/** One suite, run against the in-memory store (unit) and the Redis store (integration). */
import { describe, expect, it } from 'vitest';
import type { CaseStore } from '../../src/cases/case-model.js';
import type { Alert } from '../../src/contract/schemas.js';

export function alert(id: string, accountId: string, score: number, severity: Alert['severity'] = 'high', typology = 'dprk-it-payroll'): Alert {
  return { alertId: id, ruleId: 'r', ruleVersion: 1, typology, severity, score, subject: { accountId }, eventIds: [`ev-${id}`], triggeredAt: '2025-01-01T00:00:00.000Z', evidence: {}, explanation: 'x' };
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
      await store.claim('ana', 60_000, 1_000);
      expect((await store.audit(caseId)).at(-1)).toMatchObject({ action: 'claim', analyst: 'ana' });
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
      const claimed = await store.claim('ana', 60_000, 1_000);
      expect(claimed).toMatchObject({ subject: 'acct-high', status: 'claimed', analyst: 'ana' });
      expect((await store.list({ status: 'open' })).map((c) => c.subject)).toEqual(['acct-low']);
    });

    it('lets exactly one of two analysts claiming at once win', async () => {
      const store = await make();
      await store.addAlert(alert('race', 'acct-race', 80));
      const [x, y] = await Promise.all([store.claim('ana', 60_000, 1_000), store.claim('bob', 60_000, 1_000)]);
      expect([x, y].filter((c) => c !== undefined)).toHaveLength(1);
    });

    it('opens one case for alerts of one subject that arrive at once, and keeps every one of them', async () => {
      const store = await make();
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.addAlert(alert(`burst-${i}`, 'acct-burst', 60 + i))));
      expect(new Set(results.map((r) => r.caseId)).size).toBe(1);
      expect(results.every((r) => r.added)).toBe(true);
      expect((await store.get(results[0]!.caseId))).toMatchObject({ score: 65, alertIds: ['burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5'] });
    });

    it('gives analysts claiming at once different cases, highest score first', async () => {
      const store = await make();
      for (const [i, score] of [70, 90, 80].entries()) await store.addAlert(alert(`q${i}`, `acct-q${i}`, score));
      const claimed = await Promise.all(['ana', 'bob', 'cy', 'dee'].map((analyst) => store.claim(analyst, 60_000, 1_000)));
      expect(claimed.filter((c) => c !== undefined).map((c) => c!.score).sort()).toEqual([70, 80, 90]);
      expect(claimed[0]!.score).toBe(90);
    });

    it('returns a case whose lease expired to the queue', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('lease', 'acct-lease', 80));
      expect((await store.claim('ana', 1_000, 10_000))!.caseId).toBe(caseId);
      expect(await store.claim('bob', 1_000, 10_500)).toBeUndefined();
      const again = await store.claim('bob', 1_000, 11_001);
      expect(again).toMatchObject({ caseId, analyst: 'bob' });
      expect((await store.audit(caseId)).map((e) => e.action)).toEqual(['open', 'claim', 'expire', 'claim']);
    });

    it('releases only to the claiming analyst and resolves with a disposition and note', async () => {
      const store = await make();
      const { caseId } = await store.addAlert(alert('res', 'acct-res', 80));
      await store.claim('ana', 60_000, 1_000);
      expect(await store.release(caseId, 'bob', 1_100)).toBe(false);
      expect(await store.resolve(caseId, 'false-positive', 'note', 'bob', 1_150)).toBe(false);
      expect(await store.release(caseId, 'ana', 1_200)).toBe(true);
      expect(await store.resolve(caseId, 'sar-filed', 'filed SAR 2025-17', 'ana', 1_300)).toBe(true);
      expect(await store.get(caseId)).toMatchObject({ status: 'resolved', disposition: 'sar-filed', note: 'filed SAR 2025-17' });
      expect(await store.resolve(caseId, 'escalated', 'again', 'ana', 1_400)).toBe(false);
      const next = await store.addAlert(alert('res2', 'acct-res', 70));
      expect(next.caseId).not.toBe(caseId);
      expect((await store.audit(caseId)).map((e) => e.action)).toEqual(['open', 'claim', 'release', 'resolve']);
    });
  });
}
