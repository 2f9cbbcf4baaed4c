/**
 * Console and CLI users (analyst, supervisor, viewer) and their sign-in sessions, kept in the
 * case store's backend. Passwords are stored only as slow hashes (passwords.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type AccountTie, type Actor, type CaseStore, type Role } from './case-model.js';
import { decoyHash, hashPassword, verifyPassword, weakPassword } from './passwords.js';

export interface UserRecord {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  /** When the user last became a supervisor (absent for other roles; a record from before it existed: createdAt). */
  supervisorSince?: string;
}

export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Who changed a user: a signed-in supervisor, or the first set-up when there was none. */
export interface UserChangeActor {
  name: string;
  /** How: `cli`, `bootstrap` (no supervisor existed yet) or `setup` (code seeding a store). */
  via: string;
  /** The operating-system account and host the change ran on, where known. */
  host?: string;
}

/** One entry of the append-only user audit: who added, changed or removed whom, and when. */
export interface UserAuditEntry {
  at: string;
  action: 'add' | 'change' | 'remove';
  user: string;
  role?: Role;
  previousRole?: Role;
  passwordChanged?: boolean;
  by: string;
  via: string;
  host?: string;
}

/** How long changing a user's role ties the two users for four-eyes (accountTies). */
export const ROLE_TIE_DAYS = 30;

/** Ties are read from the whole user audit: user changes are few, and the stream is never trimmed. */
const EVERY_USER_CHANGE = Number.MAX_SAFE_INTEGER;

/** Seeding by code (tests, the demo): no person to name. */
export const SETUP_ACTOR: UserChangeActor = Object.freeze({ name: '(setup)', via: 'setup' });

/** Where users and sessions are kept; one implementation per backend. */
export interface UserBackend {
  /** Stores the user and appends the audit entry, together. */
  put(user: UserRecord, audit: UserAuditEntry): Promise<void>;
  /** Deletes the user, retires the name and appends the audit entry, together; false when there was none. */
  remove(name: string, audit: UserAuditEntry): Promise<boolean>;
  find(name: string): Promise<UserRecord | undefined>;
  names(): Promise<string[]>;
  /** Whether the name belonged to a user who was removed (names are never reused). */
  retired(name: string): Promise<boolean>;
  /** The newest `limit` audit entries, oldest first. */
  audit(limit: number): Promise<UserAuditEntry[]>;
  /** Keeps the session for `ttlSeconds` at most, and ends it after `idleSeconds` without renewal. */
  putSession(id: string, name: string, ttlSeconds: number, idleSeconds: number): Promise<void>;
  /** What the session holds while it lives and has not been idle too long; `renewIdleSeconds` starts its idle time again, for that long. */
  sessionUser(id: string, renewIdleSeconds?: number): Promise<string | undefined>;
  dropSession(id: string): Promise<void>;
}

export class UserInputError extends Error {}

/** A user saved by `Users.add`, with the cases they held that went back to the queue (a viewer cannot work them). */
export type SavedUser = Actor & { casesHandedBack?: string[] };

/** What users need of the case store: taking back the cases of a holder who can no longer work them. */
export type HeldCases = Pick<CaseStore, 'handBackCasesOf'>;

/** Roles that claim, resolve and are assigned cases. */
const CASE_WORKING_ROLES: readonly Role[] = ['analyst', 'supervisor'];

/** The current password given to change one's own was not theirs. */
export class WrongPasswordError extends UserInputError {}

/**
 * What a session holds besides the user's name: a digest of the password hash it was signed in
 * with, so that setting a new password ends every session signed in with the old one.
 */
function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}

export class Users {
  /**
   * @param heldCases the case store: a user made a viewer or removed hands back the cases they
   *   claimed or were assigned (session 44 security QA: a demoted user kept a claimed case). The
   *   CLI, the console and the demo wire it; without it (tests) no case is touched.
   */
  constructor(private readonly backend: UserBackend, private readonly heldCases?: HeldCases) {}

  /**
   * Adds the user, or changes an existing one's role or password, recording who did it. A name
   * once removed is not given again: the audit trail and the cases' audits name one person each.
   */
  async add(name: string, role: string, password: string, now: number, by: UserChangeActor = SETUP_ACTOR): Promise<SavedUser> {
    if (!USER_NAME.test(name)) throw new UserInputError(`user name ${JSON.stringify(name)}: lower-case letters, digits, . _ - (at most 64)`);
    if (!ROLES.includes(role as Role)) throw new UserInputError(`role: one of ${ROLES.join(', ')}, not ${role}`);
    const existing = await this.backend.find(name);
    if (!existing && (await this.backend.retired(name))) throw new UserInputError(`user name ${name} belonged to a user who was removed; names are not reused, so that the audit names one person (choose another)`);
    // The same password again (a change of role) keeps its hash, and with it the user's sessions;
    // a new password ends them (see passwordStamp).
    const kept = existing && (await verifyPassword(password, existing.passwordHash)) ? existing.passwordHash : undefined;
    const weak = kept === undefined ? weakPassword(name, password) : undefined;
    if (weak !== undefined) throw new UserInputError(weak);
    if (existing?.role === 'supervisor' && role !== 'supervisor') await this.refuseLastSupervisor(name, 'given another role');
    const audit: UserAuditEntry = {
      at: new Date(now).toISOString(), action: existing ? 'change' : 'add', user: name, role: role as Role,
      ...(existing ? { previousRole: existing.role, passwordChanged: kept === undefined } : {}),
      ...auditBy(by),
    };
    const record: UserRecord = { name, role: role as Role, passwordHash: kept ?? (await hashPassword(password)), createdAt: existing?.createdAt ?? new Date(now).toISOString() };
    if (role === 'supervisor') record.supervisorSince = existing?.role === 'supervisor' ? supervisorSince(existing) : new Date(now).toISOString();
    await this.backend.put(record, audit);
    // After the change, so a claim racing it is refused by the new role or handed back here; run
    // whenever the role cannot work cases, so saving the user again finishes a hand-back cut short.
    if (CASE_WORKING_ROLES.includes(record.role)) return actorOf(record);
    const handed = endedCaseWork(audit) ? await this.handBack(name, cannotWorkReason(audit), by.name, now) : await this.finishHandBack(name, by, now);
    return handed.length > 0 ? { ...actorOf(record), casesHandedBack: handed } : actorOf(record);
  }

  /** Hands the cases `name` holds back to the queue (see the constructor), audited under `by`. */
  private async handBack(name: string, reason: string, by: string, now: number): Promise<string[]> {
    return this.heldCases ? this.heldCases.handBackCasesOf(name, reason, by, now) : [];
  }

  /**
   * A viewer saved again without a change of role (a new password): what they still hold is
   * handed back under the change that made them a viewer, the note naming this save.
   */
  private async finishHandBack(name: string, saver: UserChangeActor, now: number): Promise<string[]> {
    if (!this.heldCases) return [];
    const ended = await this.caseWorkEnded(name);
    return this.handBack(name, `${ended.reason} (handed back when ${saver.name} saved ${name} again, a viewer still: the change's own hand-back had not run)`, ended.by, now);
  }

  /**
   * Refuses to take the last supervisor away: with none left, users are set up without signing in
   * (the bootstrap path), so anyone who can reach the store could make themselves one.
   */
  private async refuseLastSupervisor(name: string, what: string): Promise<void> {
    const others = (await this.list()).filter((u) => u.role === 'supervisor' && u.name !== name);
    if (others.length === 0) throw new UserInputError(`${name} is the last supervisor and cannot be ${what}: add another supervisor first (with none, users could be set up without signing in)`);
  }

  /** The user, if the password is theirs; as slow for an unknown name as for a wrong password. */
  async authenticate(name: string, password: string): Promise<Actor | undefined> {
    const user = USER_NAME.test(name) ? await this.backend.find(name) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return user && ok ? this.withTies(user) : undefined;
  }

  /**
   * A signed-in user sets their own password, proving it with the current one: the supervisor who
   * set the last one no longer knows it. The tie that reset made stays (accountTies): the one who
   * set it could have made this change too. Their other sessions end, as with any new password.
   */
  async changeOwnPassword(current: string, next: string, now: number, by: UserChangeActor): Promise<Actor> {
    const user = USER_NAME.test(by.name) ? await this.backend.find(by.name) : undefined;
    if (!user || !(await verifyPassword(current, user.passwordHash))) throw new WrongPasswordError(`${by.name}: unknown user or wrong current password`);
    if (await verifyPassword(next, user.passwordHash)) throw new UserInputError('the new password is the current one: choose another');
    const weak = weakPassword(user.name, next);
    if (weak !== undefined) throw new UserInputError(weak);
    const changed: UserRecord = { ...user, passwordHash: await hashPassword(next) };
    await this.backend.put(changed, { at: new Date(now).toISOString(), action: 'change', user: user.name, role: user.role, previousRole: user.role, passwordChanged: true, ...auditBy(by) });
    return this.withTies(changed);
  }

  /** The user as an actor, a supervisor with the ties four-eyes reads (only supervisors approve and confirm). */
  private async withTies(user: UserRecord): Promise<Actor> {
    const actor = actorOf(user);
    if (actor.role !== 'supervisor') return actor;
    const ties = accountTies(user.name, await this.backend.audit(EVERY_USER_CHANGE));
    return ties.length > 0 ? { ...actor, ties } : actor;
  }

  /** Whether `name` is a well-formed user name and such a user exists. */
  async isUser(name: string): Promise<boolean> {
    return USER_NAME.test(name) && (await this.backend.find(name)) !== undefined;
  }

  async list(): Promise<Actor[]> {
    const names = (await this.backend.names()).sort();
    const users = await Promise.all(names.map((n) => this.backend.find(n)));
    return users.filter((u): u is UserRecord => u !== undefined).map((u) => ({ name: u.name, role: u.role }));
  }

  /**
   * Removes the user: their sessions end with them (a session resolves to no user), the name is
   * retired, and the cases they held go back to the queue (their ids are returned).
   */
  async remove(name: string, now: number, by: UserChangeActor = SETUP_ACTOR): Promise<string[]> {
    const existing = USER_NAME.test(name) ? await this.backend.find(name) : undefined;
    if (!existing) throw new UserInputError(`no user ${JSON.stringify(name)}`);
    if (existing.role === 'supervisor') await this.refuseLastSupervisor(name, 'removed');
    const audit: UserAuditEntry = { at: new Date(now).toISOString(), action: 'remove', user: name, previousRole: existing.role, ...auditBy(by) };
    await this.backend.remove(name, audit);
    return this.handBack(name, cannotWorkReason(audit), by.name, now);
  }

  /** Whether any user is a supervisor: until one is, users are set up without signing in. */
  async hasSupervisor(): Promise<boolean> {
    return (await this.list()).some((u) => u.role === 'supervisor');
  }

  /** The newest `limit` user changes, oldest first. */
  async audit(limit = 1000): Promise<UserAuditEntry[]> {
    return this.backend.audit(limit);
  }

  /** Why `name` cannot be given cases (not a user, or a viewer), or undefined when they can. */
  async cannotWorkCases(name: string): Promise<string | undefined> {
    const user = USER_NAME.test(name) ? await this.backend.find(name) : undefined;
    if (!user) return `analyst: ${JSON.stringify(name)} is not a user`;
    if (user.role === 'viewer') return `analyst: ${name} is a viewer, who cannot work cases`;
    return undefined;
  }

  /**
   * Who ended `name`'s work on cases and why, from the newest change of their account on record
   * that did (made a viewer, or removed): what a hand-back that change left unfinished is audited
   * with (held-case-repair.ts). A change that kept the role (a viewer setting their own password)
   * did not; it was taken for the demotion, which the audit then gave to the viewer. Without
   * such a change on record (changed before the user audit existed), `(repair)` and what is true now.
   */
  async caseWorkEnded(name: string): Promise<{ by: string; reason: string }> {
    const entries = await this.backend.audit(EVERY_USER_CHANGE);
    const ended = [...entries].reverse().find((e) => e.user === name && endedCaseWork(e));
    if (ended) return { by: ended.by, reason: `${cannotWorkReason(ended)} at ${ended.at}` };
    return { by: '(repair)', reason: (await this.cannotWorkCases(name)) ?? `${name} cannot work cases` };
  }

  /**
   * A new session id (256 random bits) for a signed-in user: it lasts `ttlSeconds` at most, and
   * ends sooner after `idleSeconds` without a request of the user's own (see `session`).
   */
  async startSession(actor: Actor, ttlSeconds: number, idleSeconds: number): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const user = await this.backend.find(actor.name);
    if (!user) throw new UserInputError(`no user ${JSON.stringify(actor.name)}`);
    await this.backend.putSession(id, `${user.name}\t${passwordStamp(user.passwordHash)}`, ttlSeconds, Math.min(idleSeconds, ttlSeconds));
    return id;
  }

  /**
   * The session's user, with the role they have now (a changed role applies at once); none once
   * the user is removed or has a new password, or the session was idle past its idle timeout.
   * @param renewIdleSeconds given for a request of the user's own: their idle time starts again,
   *   for this long. Without it (a background reload, an open event stream's check) the look-up
   *   does not count as use, so an open page alone does not keep a session alive.
   */
  async session(id: string, renewIdleSeconds?: number): Promise<Actor | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const held = await this.backend.sessionUser(id, renewIdleSeconds);
    const tab = held?.indexOf('\t') ?? -1;
    if (held === undefined || tab < 0) return undefined;
    const user = await this.backend.find(held.slice(0, tab));
    return user && passwordStamp(user.passwordHash) === held.slice(tab + 1) ? this.withTies(user) : undefined;
  }

  async endSession(id: string): Promise<void> {
    await this.backend.dropSession(id);
  }
}

/** Whether the change took case work from a user who had it: removed, or made a viewer from another role (or added as one). */
function endedCaseWork(e: UserAuditEntry): boolean {
  if (e.action === 'remove') return true;
  return e.role === 'viewer' && (e.action === 'add' || e.previousRole !== 'viewer');
}

/** Why a change of an account takes the cases its holder held: they were made a viewer, or removed. */
function cannotWorkReason(change: UserAuditEntry): string {
  return change.action === 'remove' ? `${change.by} removed ${change.user}'s account` : `${change.by} made ${change.user} a ${change.role ?? 'viewer'}, who cannot work cases`;
}

function supervisorSince(user: UserRecord): string {
  return user.supervisorSince ?? user.createdAt;
}

/** The user as an actor: a supervisor carries when they became one (four-eyes reads it). */
function actorOf(user: UserRecord): Actor {
  return user.role === 'supervisor' ? { name: user.name, role: user.role, supervisorSince: supervisorSince(user) } : { name: user.name, role: user.role };
}

/** What the user audit says was done to one account. */
interface AccountHistory {
  created?: UserAuditEntry;
  /**
   * The newest entry in which someone other than the holder set its password: its creation or a
   * reset. The holder's own changes after it do not end the tie: whoever set the password could
   * have made them (session 44 review: the resetter changed the password as the holder, and the
   * tie was gone). Only another person's reset moves it.
   */
  password?: UserAuditEntry;
  /** Every change of its role (each ties its changer for ROLE_TIE_DAYS). */
  roles: UserAuditEntry[];
}

function accountHistories(entries: readonly UserAuditEntry[]): Map<string, AccountHistory> {
  const histories = new Map<string, AccountHistory>();
  for (const e of entries) {
    const h = histories.get(e.user) ?? { roles: [] };
    if (e.action === 'add') Object.assign(h, { created: e, password: e, roles: [] });
    if (e.action === 'change' && e.passwordChanged && e.by !== e.user) h.password = e;
    if (e.action === 'change' && e.previousRole !== e.role) h.roles.push(e);
    histories.set(e.user, h);
  }
  return histories;
}

/** Something done to an account that may tie whoever did it to the account's holder: what, and until when it ties. */
interface AccountAct {
  entry: UserAuditEntry;
  what: string;
  until?: string;
}

function actsOn(account: string, h: AccountHistory): AccountAct[] {
  const acts: AccountAct[] = [];
  if (h.created) acts.push({ entry: h.created, what: `made ${account}'s account at ${h.created.at}: whoever makes an account may be the one who uses it` });
  if (h.password && h.password !== h.created) acts.push({ entry: h.password, what: `set ${account}'s password at ${h.password.at}: whoever set it may know it, and may have made any change since, until another person sets a new one` });
  for (const role of h.roles) {
    const until = new Date(Date.parse(role.at) + ROLE_TIE_DAYS * 86_400_000).toISOString();
    acts.push({ entry: role, what: `made ${account} ${role.role === 'analyst' ? 'an' : 'a'} ${role.role} at ${role.at} (a tie for ${ROLE_TIE_DAYS} days)`, until });
  }
  return acts;
}

/**
 * The users whose accounts are tied to `name`'s for four-eyes, read from the user audit: one made
 * the other's account (for ever: no later change shows its maker no longer uses it), set the
 * other's current password (until someone, the owner best, sets another), or changed the other's
 * role in the last ROLE_TIE_DAYS days. One's own changes tie no one; the set-up and bootstrap
 * entries name no user.
 */
export function accountTies(name: string, entries: readonly UserAuditEntry[]): AccountTie[] {
  const ties: AccountTie[] = [];
  for (const [account, h] of accountHistories(entries)) {
    for (const act of actsOn(account, h)) {
      const by = act.entry.by;
      const other = by === name ? account : account === name ? by : undefined;
      if (other === undefined || by === account || !USER_NAME.test(other)) continue;
      ties.push({ user: other, reason: `${by} ${act.what}`, ...(act.until !== undefined ? { until: act.until } : {}) });
    }
  }
  return ties;
}

function auditBy(by: UserChangeActor): Pick<UserAuditEntry, 'by' | 'via' | 'host'> {
  return { by: by.name, via: by.via, ...(by.host !== undefined ? { host: by.host } : {}) };
}

export class MemoryUserBackend implements UserBackend {
  private readonly users = new Map<string, UserRecord>();
  private readonly sessions = new Map<string, { name: string; until: number; idleUntil: number }>();
  private readonly retiredNames = new Set<string>();
  private readonly entries: UserAuditEntry[] = [];

  constructor(private readonly wallClock: () => number = Date.now) {}

  async put(user: UserRecord, audit: UserAuditEntry): Promise<void> {
    this.users.set(user.name, { ...user });
    this.entries.push({ ...audit });
  }

  async remove(name: string, audit: UserAuditEntry): Promise<boolean> {
    if (!this.users.delete(name)) return false;
    this.retiredNames.add(name);
    this.entries.push({ ...audit });
    return true;
  }

  async retired(name: string): Promise<boolean> {
    return this.retiredNames.has(name);
  }

  async audit(limit: number): Promise<UserAuditEntry[]> {
    return this.entries.slice(-limit).map((e) => ({ ...e }));
  }

  async find(name: string): Promise<UserRecord | undefined> {
    const u = this.users.get(name);
    return u ? { ...u } : undefined;
  }

  async names(): Promise<string[]> {
    return [...this.users.keys()];
  }

  async putSession(id: string, name: string, ttlSeconds: number, idleSeconds: number): Promise<void> {
    const now = this.wallClock();
    this.sessions.set(id, { name, until: now + ttlSeconds * 1000, idleUntil: now + idleSeconds * 1000 });
  }

  async sessionUser(id: string, renewIdleSeconds?: number): Promise<string | undefined> {
    const s = this.sessions.get(id);
    const now = this.wallClock();
    if (!s || s.until <= now || s.idleUntil <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    if (renewIdleSeconds !== undefined) s.idleUntil = now + renewIdleSeconds * 1000;
    return s.name;
  }

  async dropSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }
}
