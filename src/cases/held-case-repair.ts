/**
 * Cases held by someone who can no longer work cases (a viewer, or a removed user): claimed or
 * assigned to them, or awaiting approval of a closure they proposed. Changing the account and
 * handing its cases back are two writes in two Redis slots (`{users}` and `{cases}`), so no one
 * script can do both: a command cut short between them (session 45 security QA) left a viewer
 * holding cases, and their proposals approvable. So the hand-back is also a repair that finds
 * such cases and finishes it, audited under the user whose change ended the holder's work, its
 * note naming what ran the repair: the console at start, `console users add|remove` after each
 * change, the queue for the holders on the page it reads, and an approval for the proposer. Each case is changed by the
 * store's own compare-and-set (every key in KEYS), so running it twice, or beside the change
 * itself, hands nothing back twice.
 */
import type { Actor, Case, CaseStore } from './case-model.js';
import { MAX_PAGE } from './case-query.js';
import { CaseActionError } from './case-transitions.js';
import type { Users } from './users.js';

/** What the repair took from one holder. */
export interface HolderRepair {
  holder: string;
  caseIds: string[];
}

type RepairUsers = Pick<Users, 'cannotWorkCases' | 'caseWorkEnded'>;
type RepairCases = Pick<CaseStore, 'handBackCasesOf' | 'query'>;

/** Whom a case needs to be someone who works cases: its claimant or assignee, or the proposer of its pending closure. */
export function holderOf(c: Pick<Case, 'status' | 'analyst' | 'pending'>): string | undefined {
  if (c.status === 'claimed') return c.analyst;
  if (c.status === 'pending-approval') return c.pending?.by;
  return undefined;
}

/** What ran a repair, for the cases' audit: `at console start`, `on a queue read by tom`, … (see repairTriggers). */
export type RepairTrigger = string;

/** The triggers the console and the CLI give. */
export const repairTriggers = {
  consoleStart: 'at console start',
  queueRead: (reader: string): RepairTrigger => `on a queue read by ${reader}`,
  approval: (approver: string, caseId: string): RepairTrigger => `on ${approver}'s approval of ${caseId}, refused for it`,
  usersCommand: (command: 'add' | 'remove', user: string, by: string): RepairTrigger => `after \`console users ${command} ${user}\` by ${by}`,
} as const;

/**
 * Hands back the cases of each of `holders` who can no longer work cases; the others are left
 * alone. The audit names the change that ended the holder's work and `trigger`, what ran this.
 */
export async function repairHolders(users: RepairUsers, cases: RepairCases, holders: Iterable<string>, now: number, trigger: RepairTrigger): Promise<HolderRepair[]> {
  const repaired: HolderRepair[] = [];
  for (const holder of new Set(holders)) {
    if ((await users.cannotWorkCases(holder)) === undefined) continue;
    const { by, reason } = await users.caseWorkEnded(holder);
    const caseIds = await cases.handBackCasesOf(holder, `${reason} (handed back by the repair of held cases, run ${trigger}: the change's own hand-back had not run)`, by, now);
    if (caseIds.length > 0) repaired.push({ holder, caseIds });
  }
  return repaired;
}

/** Reads every claimed and pending case and repairs the holders among them who can no longer work cases. */
export async function repairAllHeldCases(users: RepairUsers, cases: RepairCases, now: number, trigger: RepairTrigger): Promise<HolderRepair[]> {
  const holders = new Set<string>();
  for (let offset = 0; ; offset += MAX_PAGE) {
    const page = await cases.query({ statuses: ['claimed', 'pending-approval'], offset, limit: MAX_PAGE });
    for (const c of page.cases) {
      const h = holderOf(c);
      if (h !== undefined) holders.add(h);
    }
    if (page.cases.length < MAX_PAGE) break;
  }
  return repairHolders(users, cases, holders, now, trigger);
}

/** One line per holder, for a log or a terminal. */
export function repairLines(repaired: readonly HolderRepair[]): string[] {
  return repaired.map((r) => `${r.caseIds.length} case(s) ${r.holder} held, who can no longer work cases, went back to the queue: ${r.caseIds.join(', ')}`);
}

/**
 * Approves a pending closure, unless its proposer can no longer work cases: then the proposal is
 * withdrawn (the repair above) and the approval refused (TW_CASE_STATE), so no closure is approved
 * on the word of someone who no longer holds the role, even before a repair has run. Without
 * `proposedAt`, the proposal read here is the one approved (a proposal replaced in between, its
 * proposer unchecked, was approved).
 */
export async function approveClosure(users: RepairUsers, cases: RepairCases & Pick<CaseStore, 'get' | 'approve'>, caseId: string, actor: Actor, now: number, proposedAt?: string): Promise<Case> {
  const c = await cases.get(caseId);
  const proposer = c?.status === 'pending-approval' ? c.pending?.by : undefined;
  const cannot = proposer !== undefined ? await users.cannotWorkCases(proposer) : undefined;
  if (proposer !== undefined && cannot !== undefined) {
    await repairHolders(users, cases, [proposer], now, repairTriggers.approval(actor.name, caseId));
    throw new CaseActionError('TW_CASE_STATE', `${caseId}: the closure awaiting approval was proposed by ${proposer}, who can no longer work cases (${cannot.replace(/^analyst: /, '')}): it is withdrawn and the case is back in the queue for an analyst to review`);
  }
  // The proposal whose proposer was checked, when the approver named none: one made since is refused by the store.
  return cases.approve(caseId, actor, now, proposedAt ?? c?.pending?.at);
}
