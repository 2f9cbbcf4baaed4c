/** Suppressions, run on memory (unit) and on Redis (integration): silenced alerts are recorded but open no case. */
import { describe, expect, it } from 'vitest';
import type { CaseStore } from '../../src/cases/case-model.js';
import { SuppressingCaseStore } from '../../src/cases/suppressing-case-store.js';
import { Suppressions, type SuppressionBackend } from '../../src/cases/suppressions.js';
import { alert } from './case-store-suite.js';

/** A medium alert: what one supervisor's suppression silences (high needs a second's confirmation). */
const medium = (id: string, accountId: string, score: number) => alert(id, accountId, score, 'medium');
const tom = { name: 'tom', role: 'supervisor' as const };

const sue = { name: 'sue', role: 'supervisor' as const };
const ana = { name: 'ana', role: 'analyst' as const };
const DAY = 86_400_000;

export function suppressionSuite(name: string, make: () => Promise<{ cases: CaseStore; backend: SuppressionBackend }>): void {
  describe(`suppressions: ${name}`, () => {
    it('records a silenced alert without a case, lets other rules and subjects through, and opens cases again once revoked', async () => {
      const { cases, backend } = await make();
      const now = Date.UTC(2025, 5, 1);
      const suppressions = new Suppressions(backend);
      const store = new SuppressingCaseStore(cases, suppressions, () => now);
      await expect(suppressions.add({ kind: 'account', subject: 'acct-s', reason: 'our own treasury', days: 30 }, ana, now)).rejects.toThrow(/ana \(analyst\) may not suppress/);
      await expect(suppressions.add({ kind: 'account', subject: 'acct-s', reason: '  ', days: 30 }, sue, now)).rejects.toThrow(/reason must not be empty/);
      const s = await suppressions.add({ kind: 'account', subject: 'acct-s', ruleId: 'r', reason: 'our own treasury', days: 30 }, sue, now);
      expect(await store.addAlert(medium('s-1', 'acct-s', 80))).toEqual({ caseId: '', added: false });
      expect(await store.addAlert({ ...medium('s-2', 'acct-s', 80), ruleId: 'other-rule' })).toMatchObject({ added: true });
      expect(await store.addAlert(medium('s-3', 'acct-t', 80))).toMatchObject({ added: true });
      // A critical alert is never silenced: it opens a case, whose closure needs two supervisors.
      expect(await store.addAlert(alert('s-crit', 'acct-s', 100, 'critical'))).toMatchObject({ added: true });
      expect(await cases.caseOfAlert('s-1')).toBeUndefined();
      expect((await suppressions.suppressedAlerts()).map((a) => [a.alertId, a.suppressionId])).toEqual([['s-1', s.id]]);
      await expect(suppressions.revoke(s.id, 'treasury account closed', ana, now)).rejects.toThrow(/may not revoke/);
      await suppressions.revoke(s.id, 'treasury account closed', sue, now + 1);
      expect((await store.addAlert(medium('s-4', 'acct-s', 80))).added).toBe(true);
      expect((await suppressions.log()).map((e) => [e.action, e.id, e.by])).toEqual([['suppress', s.id, 'sue'], ['revoke', s.id, 'sue']]);
      expect((await suppressions.list(now))[0]).toMatchObject({ id: s.id, active: false, revokedBy: 'sue', revokeReason: 'treasury account closed' });
    });

    it('silences high alerts only once a second supervisor confirmed it, and critical ones never', async () => {
      const { cases, backend } = await make();
      const now = Date.UTC(2025, 5, 1);
      const suppressions = new Suppressions(backend);
      const store = new SuppressingCaseStore(cases, suppressions, () => now);
      const s = await suppressions.add({ kind: 'account', subject: 'acct-h', reason: 'our own treasury', days: 30 }, sue, now);
      expect((await store.addAlert(alert('h-1', 'acct-h', 80, 'high'))).added).toBe(true);
      expect((await store.addAlert(alert('h-2', 'acct-h', 50, 'medium'))).added).toBe(false);
      await expect(suppressions.confirm(s.id, sue, now)).rejects.toThrow(/sue added .*a second supervisor must confirm it/);
      await expect(suppressions.confirm(s.id, ana, now)).rejects.toThrow(/may not confirm/);
      const confirmed = await suppressions.confirm(s.id, tom, now + 1);
      expect(confirmed).toMatchObject({ confirmedBy: 'tom', createdBy: 'sue' });
      await expect(suppressions.confirm(s.id, tom, now + 2)).rejects.toThrow(/was confirmed by tom/);
      expect((await store.addAlert(alert('h-3', 'acct-h', 80, 'high'))).added).toBe(false);
      expect((await store.addAlert(alert('h-4', 'acct-h', 100, 'critical'))).added).toBe(true);
      expect((await suppressions.log()).map((e) => [e.action, e.by])).toEqual([['suppress', 'sue'], ['confirm', 'tom']]);
      await suppressions.revoke(s.id, 'done', tom, now + 3);
      await expect(suppressions.confirm(s.id, tom, now + 4)).rejects.toThrow(/was revoked by tom/);
    });

    it('refuses a confirmation by a supervisor made after the suppression was added (its author\'s own second account), and takes one of longer standing', async () => {
      const { backend } = await make();
      const now = Date.UTC(2025, 5, 1);
      const suppressions = new Suppressions(backend);
      const s = await suppressions.add({ kind: 'account', subject: 'acct-alt', reason: 'our own treasury', days: 30 }, sue, now);
      const alt = { name: 'alt', role: 'supervisor' as const, supervisorSince: new Date(now + 1).toISOString() };
      await expect(suppressions.confirm(s.id, alt, now + 2)).rejects.toThrow(/four-eyes: alt became a supervisor after .* was added/);
      const veteran = { ...tom, supervisorSince: new Date(now - DAY).toISOString() };
      expect(await suppressions.confirm(s.id, veteran, now + 3)).toMatchObject({ confirmedBy: 'tom' });
    });

    it('refuses a subject, a reason or a revoke reason made only of characters that show nothing, as a case\'s note', async () => {
      const { backend } = await make();
      const now = Date.UTC(2025, 5, 1);
      const suppressions = new Suppressions(backend);
      for (const invisible of ['\u200b', '\u2060', '\u200b\u2060 \ufeff']) {
        await expect(suppressions.add({ kind: 'account', subject: invisible, reason: 'our own treasury', days: 30 }, sue, now)).rejects.toThrow('the subject must not be empty (or only characters that show nothing)');
        await expect(suppressions.add({ kind: 'account', subject: 'acct-z', reason: invisible, days: 30 }, sue, now)).rejects.toThrow('the reason must not be empty (or only characters that show nothing)');
      }
      const s = await suppressions.add({ kind: 'account', subject: 'acct-z', reason: 'our own treasury', days: 30 }, sue, now);
      await expect(suppressions.revoke(s.id, '\u2060\u200b', sue, now + 1)).rejects.toThrow('the reason for revoking must not be empty (or only characters that show nothing)');
      expect(await suppressions.list(now + 1)).toEqual([expect.objectContaining({ id: s.id, active: true })]);
    });

    it('takes a suppression added or revoked by another process at its next check', async () => {
      const { cases, backend } = await make();
      const now = Date.UTC(2025, 5, 1);
      const monitor = new Suppressions(backend);
      const console = new Suppressions(backend);
      const store = new SuppressingCaseStore(cases, monitor, () => now);
      expect((await store.addAlert(medium('v-1', 'acct-v', 80))).added).toBe(true);
      const s = await console.add({ kind: 'account', subject: 'acct-v', reason: 'a vetted market maker', days: 30 }, sue, now);
      expect((await store.addAlert(medium('v-2', 'acct-v', 80))).added).toBe(false);
      await console.revoke(s.id, 'no longer vetted', sue, now + 1);
      expect((await store.addAlert(medium('v-3', 'acct-v', 80))).added).toBe(true);
    });

    it('lists a suppressed alert once when it is delivered again (a restarted monitor re-applies its input)', async () => {
      const { cases, backend } = await make();
      const now = Date.UTC(2025, 5, 1);
      const suppressions = new Suppressions(backend);
      const store = new SuppressingCaseStore(cases, suppressions, () => now);
      await suppressions.add({ kind: 'account', subject: 'acct-r', reason: 'a market maker we onboarded', days: 30 }, sue, now);
      for (const id of ['r-1', 'r-2', 'r-1', 'r-2', 'r-1']) expect((await store.addAlert(medium(id, 'acct-r', 80))).added).toBe(false);
      expect((await suppressions.suppressedAlerts()).map((a) => a.alertId)).toEqual(['r-2', 'r-1']);
    });

    it('silences every rule for a cluster or an address until it expires', async () => {
      const { cases, backend } = await make();
      let now = Date.UTC(2025, 5, 1);
      const suppressions = new Suppressions(backend);
      const store = new SuppressingCaseStore(cases, suppressions, () => now);
      await suppressions.add({ kind: 'cluster', subject: 'cl-payroll', reason: 'a vetted payroll provider', days: 7 }, sue, now);
      // Typed in lower case, as a timeline shows it; alerts show the EIP-55 form (QA: such a suppression never matched).
      const added = await suppressions.add({ kind: 'address', subject: '0x52908400098527886e0f7030069857d2e4169ee7', reason: 'the exchange\'s hot wallet', days: 7 }, sue, now);
      expect(added.subject).toBe('0x52908400098527886E0F7030069857D2E4169EE7');
      expect((await store.addAlert({ ...medium('c-1', 'acct-c1', 70), evidence: { cluster: 'cl-payroll' } })).added).toBe(false);
      expect((await store.addAlert({ ...medium('c-2', 'acct-c2', 70), evidence: { path: [{ address: '0x52908400098527886E0F7030069857D2E4169EE7' }] } })).added).toBe(false);
      expect((await store.addAlert({ ...medium('c-2b', 'acct-c2b', 70), evidence: { from: ['0x52908400098527886e0f7030069857d2e4169ee7'] } })).added).toBe(false);
      expect((await store.addAlert({ ...medium('c-3', 'acct-c3', 70), evidence: { cluster: 'cl-other', path: [{ address: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae' }] } })).added).toBe(true);
      await expect(suppressions.add({ kind: 'address', subject: '0xnotanaddress', reason: 'typo', days: 7 }, sue, now)).rejects.toThrow(/is not a Bitcoin, EVM or Tron address/);
      await expect(suppressions.add({ kind: 'account', subject: 'acct-1', ruleId: 'Pass Through', reason: 'typo', days: 7 }, sue, now)).rejects.toThrow(/is no rule id/);
      now += 8 * DAY;
      expect((await store.addAlert({ ...medium('c-4', 'acct-c1', 70), evidence: { cluster: 'cl-payroll' } })).added).toBe(true);
      expect((await suppressions.list(now)).every((s) => !s.active)).toBe(true);
    });
  });
}
