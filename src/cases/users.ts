/**
 * Console and CLI users (analyst, supervisor, viewer) and their sign-in sessions, kept in the
 * case store's backend. Passwords are stored only as slow hashes (passwords.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type Actor, type Role } from './case-model.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

export interface UserRecord {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
}

export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Where users and sessions are kept; one implementation per backend. */
export interface UserBackend {
  put(user: UserRecord): Promise<void>;
  /** Deletes the user; false when there was none. */
  remove(name: string): Promise<boolean>;
  find(name: string): Promise<UserRecord | undefined>;
  names(): Promise<string[]>;
  putSession(id: string, name: string, ttlSeconds: number): Promise<void>;
  sessionUser(id: string): Promise<string | undefined>;
  dropSession(id: string): Promise<void>;
}

export class UserInputError extends Error {}

/**
 * What a session holds besides the user's name: a digest of the password hash it was signed in
 * with, so that setting a new password ends every session signed in with the old one.
 */
function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}

export class Users {
  constructor(private readonly backend: UserBackend) {}

  async add(name: string, role: string, password: string, now: number): Promise<Actor> {
    if (!USER_NAME.test(name)) throw new UserInputError(`user name ${JSON.stringify(name)}: lower-case letters, digits, . _ - (at most 64)`);
    if (!ROLES.includes(role as Role)) throw new UserInputError(`role: one of ${ROLES.join(', ')}, not ${role}`);
    // The same password again (a change of role) keeps its hash, and with it the user's sessions;
    // a new password ends them (see passwordStamp).
    const existing = await this.backend.find(name);
    const kept = existing && (await verifyPassword(password, existing.passwordHash)) ? existing.passwordHash : undefined;
    await this.backend.put({ name, role: role as Role, passwordHash: kept ?? (await hashPassword(password)), createdAt: existing?.createdAt ?? new Date(now).toISOString() });
    return { name, role: role as Role };
  }

  /** The user, if the password is theirs; as slow for an unknown name as for a wrong password. */
  async authenticate(name: string, password: string): Promise<Actor | undefined> {
    const user = USER_NAME.test(name) ? await this.backend.find(name) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return user && ok ? { name: user.name, role: user.role } : undefined;
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

  /** Removes the user: their sessions end with them (a session resolves to no user). */
  async remove(name: string): Promise<void> {
    if (!(await this.backend.remove(name))) throw new UserInputError(`no user ${JSON.stringify(name)}`);
  }

  /** Why `name` cannot be given cases (not a user, or a viewer), or undefined when they can. */
  async cannotWorkCases(name: string): Promise<string | undefined> {
    const user = USER_NAME.test(name) ? await this.backend.find(name) : undefined;
    if (!user) return `analyst: ${JSON.stringify(name)} is not a user`;
    if (user.role === 'viewer') return `analyst: ${name} is a viewer, who cannot work cases`;
    return undefined;
  }

  /** A new session id (256 random bits) for a signed-in user. */
  async startSession(actor: Actor, ttlSeconds: number): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const user = await this.backend.find(actor.name);
    if (!user) throw new UserInputError(`no user ${JSON.stringify(actor.name)}`);
    await this.backend.putSession(id, `${user.name}\t${passwordStamp(user.passwordHash)}`, ttlSeconds);
    return id;
  }

  /**
   * The session's user, with the role they have now (a changed role applies at once); none once
   * the user is removed or has a new password.
   */
  async session(id: string): Promise<Actor | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const held = await this.backend.sessionUser(id);
    const tab = held?.indexOf('\t') ?? -1;
    if (held === undefined || tab < 0) return undefined;
    const user = await this.backend.find(held.slice(0, tab));
    return user && passwordStamp(user.passwordHash) === held.slice(tab + 1) ? { name: user.name, role: user.role } : undefined;
  }

  async endSession(id: string): Promise<void> {
    await this.backend.dropSession(id);
  }
}

export class MemoryUserBackend implements UserBackend {
  private readonly users = new Map<string, UserRecord>();
  private readonly sessions = new Map<string, { name: string; until: number }>();

  constructor(private readonly wallClock: () => number = Date.now) {}

  async put(user: UserRecord): Promise<void> {
    this.users.set(user.name, { ...user });
  }

  async remove(name: string): Promise<boolean> {
    return this.users.delete(name);
  }

  async find(name: string): Promise<UserRecord | undefined> {
    const u = this.users.get(name);
    return u ? { ...u } : undefined;
  }

  async names(): Promise<string[]> {
    return [...this.users.keys()];
  }

  async putSession(id: string, name: string, ttlSeconds: number): Promise<void> {
    this.sessions.set(id, { name, until: this.wallClock() + ttlSeconds * 1000 });
  }

  async sessionUser(id: string): Promise<string | undefined> {
    const s = this.sessions.get(id);
    if (s && s.until <= this.wallClock()) this.sessions.delete(id);
    return s && s.until > this.wallClock() ? s.name : undefined;
  }

  async dropSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }
}
