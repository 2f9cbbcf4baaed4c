/**
 * A login's linkage judged again when its account's first KYC record is read after it. KYC comes
 * only on transfers (`customer.kycCountry`, `createdAt`), so accounts that log in before their
 * first deposit were linked with no country declared, and a rule that weighs the countries the
 * linked accounts declare (`shared-ip`: two or more, not one household) could not tell a farm of
 * personas declaring US, CA and GB from a family (two out-of-sample passes, session 61: all low).
 * The record's `createdAt` says since when the account declared it (declared-countries.ts counts
 * it from then), so when it is read the account's newest login within the reach is judged again
 * as of its own time and of the later sightings of other accounts on its device or IP.
 *
 * Bounded: one login per account (the newest of an account with no KYC record by then), for the
 * longest linkage window of the rules that read KYC countries, at most PENDING_MAX accounts; at
 * most LATER_SIGHTINGS later sightings per key. Deduplicated: a login is judged again once, and an
 * alert is raised only at a severity the rule never gave the account (`strongerOnly`). In event
 * time: the login's verdict as of its own sightings, with the KYC record effective from createdAt.
 */
import type { Alert } from '../contract/schemas.js';
import type { LoginEvent, TransferEvent } from '../decode/events.js';
import { hasKycBy, kycCreatedAt } from '../engine/declared-countries.js';
import type { RuleEngine } from '../engine/engine.js';
import type { RuleState } from '../engine/state.js';
import { ExpiringIndex } from '../state/expiring-index.js';
import type { PipelineStats } from './pipeline.js';

/** Accounts whose newest login waits for a first KYC record (a burst of login-only accounts stays bounded). */
const PENDING_MAX = 100_000;
/** Later sightings of other accounts on the login's device or IP, per key, that it is judged as of. */
const LATER_SIGHTINGS = 8;

export class KycRejudgement {
  /** By account: its newest login while it has no KYC record. */
  private pending = new ExpiringIndex<LoginEvent>(0, undefined, PENDING_MAX);

  constructor(
    private readonly state: RuleState,
    private readonly engine: RuleEngine,
    private readonly stats: PipelineStats,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Keeps the login while its account has declared no KYC country by its time (and some rule reads KYC countries). */
  noteLogin(login: LoginEvent): void {
    const reach = this.engine.kycLinkageReach;
    if (this.pending.retention !== reach) this.pending.setRetention(reach);
    if (reach === 0) return;
    const accountId = login.msg.accountId;
    const held = this.pending.get(accountId);
    if (held !== undefined && held.time >= login.time) return;
    if (hasKycBy(this.state, accountId, login.time)) return;
    this.pending.set(accountId, login);
  }

  /** The waiting logins in the order they expire, and the index's newest time, for a checkpoint. */
  checkpointEntries(): { logins: LoginEvent[]; newest: number } {
    return { logins: [...this.pending.entriesInOrder()].map(([, login]) => login), newest: this.pending.newestTime };
  }

  /** The waiting logins become those of a checkpoint, in the order checkpointEntries gave. */
  restore(logins: readonly LoginEvent[], newest: number): void {
    this.pending = new ExpiringIndex<LoginEvent>(this.engine.kycLinkageReach, undefined, PENDING_MAX);
    for (const login of logins) this.pending.restoreEntry(login.msg.accountId, login);
    this.pending.restoreNewest(newest);
  }

  /** A transfer carrying a KYC record: the account's waiting login, when the record was created by then, is judged again. */
  judgeOnKyc(transfer: TransferEvent, alerts: Alert[]): void {
    const customer = transfer.msg.customer;
    if (!customer?.kycCountry || this.pending.size === 0) return;
    const login = this.pending.get(transfer.msg.accountId);
    if (login === undefined || login.time > transfer.time) return;
    if (kycCreatedAt(customer) > login.time) return;
    this.pending.delete(transfer.msg.accountId);
    const reach = this.engine.kycLinkageReach;
    if (reach === 0 || transfer.time - login.time > reach) return;
    for (const linkedAt of this.judgedTimes(login, reach)) {
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item: login, linkedAt, strongerOnly: true })) alerts.push(alert);
    }
  }

  /** The login's own time and the later sightings of other accounts on its device or IP within the reach, ascending and distinct. */
  private judgedTimes(login: LoginEvent, reach: number): number[] {
    const times = new Set<number>([login.time]);
    for (const t of this.state.laterSightingTimes(login, LATER_SIGHTINGS)) times.add(Math.min(t, login.time + reach));
    return [...times].sort((a, b) => a - b);
  }
}
