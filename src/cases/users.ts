/**
 * Console and CLI users (analyst, supervisor, viewer) and their sign-in sessions, kept in the
 * case store's backend. Passwords are stored only as slow hashes (passwords.ts).
 */
import { randomBytes } from 'node:crypto';
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
  find(name: string): Promise<UserRecord | undefined>;
  names(): Promise<string[]>;
  putSession(id: string, name: string, ttlSeconds: number): Promise<void>;
  sessionUser(id: string): Promise<string | undefined>;
  dropSession(id: string): Promise<void>;
}

export class UserInputError extends Error {}

export class Users {
  constructor(private readonly backend: UserBackend) {}

  async add(name: string, role: string, password: string, now: number): Promise<Actor> {
    if (!USER_NAME.test(name)) throw new UserInputError(`user name ${JSON.stringify(name)}: lower-case letters, digits, . _ - (at most 64)`);
    if (!ROLES.includes(role as Role)) throw new UserInputError(`role: one of ${ROLES.join(', ')}, not ${role}`);
    await this.backend.put({ name, role: role as Role, passwordHash: await hashPassword(password), createdAt: new Date(now).toISOString() });
    return { name, role: role as Role };
  }

  /** The user, if the password is theirs; as slow for an unknown name as for a wrong password. */
  async authenticate(name: string, password: string): Promise<Actor | undefined> {
    const user = USER_NAME.test(name) ? await this.backend.find(name) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return user && ok ? { name: user.name, role: user.role } : undefined;
  }

  async list(): Promise<Actor[]> {
    const names = (await this.backend.names()).sort();
    const users = await Promise.all(names.map((n) => this.backend.find(n)));
    return users.filter((u): u is UserRecord => u !== undefined).map((u) => ({ name: u.name, role: u.role }));
  }

  /** A new session id (256 random bits) for a signed-in user. */
  async startSession(actor: Actor, ttlSeconds: number): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.backend.putSession(id, actor.name, ttlSeconds);
    return id;
  }

  /** The session's user, with the role they have now (a changed role applies at once). */
  async session(id: string): Promise<Actor | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const name = await this.backend.sessionUser(id);
    const user = name ? await this.backend.find(name) : undefined;
    return user ? { name: user.name, role: user.role } : undefined;
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
