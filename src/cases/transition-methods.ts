/**
 * The analyst actions every case store offers, each a pure transition (case-transitions.ts)
 * handed to the store's own `apply`, which reads the case, checks and writes it atomically in
 * its own way (a Map in memory, a compare-and-set script in Redis).
 */
import type { Actor, Case, Disposition, SarFormat } from './case-model.js';
import { MAX_PAGE, type CasePage, type CaseQuery } from './case-query.js';
import { approveCase, assignCase, CaseActionError, exportSarCase, handBackCase, noteCase, rejectCase, releaseCase, reopenCase, resolveCase, withdrawProposal, type Transition } from './case-transitions.js';

export abstract class CaseTransitionMethods {
  /** Applies `change` to the current case atomically and returns the case after it. */
  protected abstract apply(caseId: string, change: (c: Case) => Transition): Case | Promise<Case>;

  abstract query(q: CaseQuery): Promise<CasePage>;

  /**
   * Hands every case `holder` has claimed (or was assigned) back to the queue, each audited as a
   * `release` by `by` with the reason, and withdraws every closure they proposed that awaits
   * approval (`withdraw`, the case open again): what a change of the holder's account that leaves
   * them unable to work cases does (users.ts, held-case-repair.ts). Returns the ids handed back or
   * withdrawn. A case released, resolved or taken by someone else meanwhile is left as it is.
   */
  async handBackCasesOf(holder: string, reason: string, by: string, now: number): Promise<string[]> {
    const handed: string[] = [];
    const passed = new Set<string>();
    for (;;) {
      // A proposed closure keeps its proposer as the case's analyst, so one assignee look-up finds both.
      const page = await this.query({ statuses: ['claimed', 'pending-approval'], assignee: holder, limit: MAX_PAGE });
      const cases = page.cases.filter((c) => !passed.has(c.caseId));
      if (cases.length === 0) return handed;
      for (const { caseId, status } of cases) {
        passed.add(caseId);
        const change = status === 'pending-approval' ? (c: Case) => withdrawProposal(c, holder, reason, by, now) : (c: Case) => handBackCase(c, holder, reason, by, now);
        try {
          await this.apply(caseId, change);
          handed.push(caseId);
        } catch (err) {
          if (!(err instanceof CaseActionError && (err.code === 'TW_CASE_STATE' || err.code === 'TW_CASE_MISSING'))) throw err;
        }
      }
    }
  }

  async release(caseId: string, actor: Actor, now: number): Promise<Case> {
    return this.apply(caseId, (c) => releaseCase(c, actor, now));
  }

  async assign(caseId: string, analyst: string, actor: Actor, leaseMs: number, now: number): Promise<Case> {
    return this.apply(caseId, (c) => assignCase(c, analyst, actor, leaseMs, now));
  }

  async resolve(caseId: string, disposition: Disposition, note: string, actor: Actor, now: number): Promise<Case> {
    return this.apply(caseId, (c) => resolveCase(c, disposition, note, actor, now));
  }

  /** @param proposedAt when the closure the approver read was proposed: another proposal is refused (TW_CASE_STATE). */
  async approve(caseId: string, actor: Actor, now: number, proposedAt?: string): Promise<Case> {
    return this.apply(caseId, (c) => approveCase(c, actor, now, proposedAt));
  }

  async reject(caseId: string, reason: string, actor: Actor, now: number): Promise<Case> {
    return this.apply(caseId, (c) => rejectCase(c, reason, actor, now));
  }

  async reopen(caseId: string, reason: string, actor: Actor, now: number): Promise<Case> {
    return this.apply(caseId, (c) => reopenCase(c, reason, actor, now));
  }

  async addNote(caseId: string, text: string, actor: Actor, now: number): Promise<void> {
    await this.apply(caseId, (c) => noteCase(c, text, actor, now));
  }

  async recordSarExport(caseId: string, format: SarFormat, actor: Actor, now: number): Promise<void> {
    await this.apply(caseId, (c) => exportSarCase(c, format, actor, now));
  }
}
