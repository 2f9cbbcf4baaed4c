/** What the console's routes share: the stores, the account events, the SLA and the clock. */
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import type {} from '@fastify/rate-limit';
import type { Actor, CaseStore } from '../cases/case-model.js';
import type { Suppressions } from '../cases/suppressions.js';
import type { Users } from '../cases/users.js';
import type { AccountTimelineStore } from '../timeline/account-timeline.js';
import type { AccountEvents } from './account-events.js';
import type { RuleBook } from './rule-parameters.js';
import type { SlaHours } from './queue-view.js';
import type { Redis } from 'ioredis';

export interface ConsoleOptions {
  cases: CaseStore;
  users: Users;
  /** Suppressions (the allow-list): listed, added and revoked under /api/suppressions. */
  suppressions?: Suppressions;
  /** Account timelines the monitor (or the demo's replay) kept for accounts with a case. */
  timelines?: AccountTimelineStore;
  /** Account events from JSONL files (--events): timelines where none was kept, and linked accounts by device, IP or destination. */
  events?: AccountEvents;
  /** The rules folder's thresholds and settings (`console serve --rules`), shown beside each alert's figures; none shows none. */
  rules?: RuleBook;
  sla: SlaHours;
  /** The console's clock (ms): Redis's (redis-clock.ts), or the demo's clock that starts at the sample's last event. */
  clock: () => number;
  /**
   * Reads the clock's source again, before each API request: the times a request records (audit
   * entries, leases, suppressions) are then Redis's, not this machine's. None for the demo.
   */
  clockSync?: () => Promise<void>;
  /** A session's whole life (CONSOLE_SESSION_HOURS). */
  sessionHours: number;
  /**
   * Minutes without a request of the user's own after which a session ends (CONSOLE_IDLE_MINUTES):
   * background reloads (BACKGROUND_HEADER) and the queue's event stream do not count as use.
   */
  idleMinutes: number;
  /**
   * The console is reached over TLS (a TLS-terminating proxy in front of it, CONSOLE_BEHIND_TLS):
   * every response carries Strict-Transport-Security. Without it, only responses to requests that
   * came over https (a trusted proxy's X-Forwarded-Proto, see trustProxy) carry it.
   */
  behindTls?: boolean;
  loginPerMinute: number;
  /**
   * Where the sign-in limits are counted: in Redis, shared by every console on it (a restart
   * keeps them), or in this process's memory when absent (the demo, tests). Session 41 QA: two
   * consoles allowed twice the guesses per account, and a restart reset them.
   */
  signInLimits?: { redis: Redis; nameSpace: string };
  /**
   * Whose X-Forwarded-For gives the client address (CONSOLE_TRUST_PROXY), and with it the sign-in
   * limit per address: false (the default) ignores the header, true trusts every peer's, a list
   * trusts only those proxies' (IP, IP/prefix-length, or loopback, linklocal, uniquelocal).
   */
  trustProxy?: boolean | string[];
  /** Secure cookies (HTTPS, or http://localhost, which browsers treat as secure). */
  secureCookie: boolean;
  /** The built front end (dist/web); none serves the API only. */
  staticDir?: string;
  /** A claim's lease. */
  leaseMs: number;
  /** The key CSRF tokens are signed with (TIDEWATCH_CONSOLE_SECRET; shared by every instance); random per process when absent (the demo, tests). */
  csrfKey?: string;
  /**
   * The security log: sign-ins, refused sign-ins, throttling, sign-outs, refused requests (401,
   * 403, 429) and faults with their cause. Analyst names and routes only: no customer data, no
   * client addresses, no secrets. None logs nothing.
   */
  logger?: ConsoleLogger;
}

/** The part of a pino logger the console writes to. */
export interface ConsoleLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const SESSION_COOKIE = 'tw_session';

/** Sent (value `1`) by the front end on reloads nobody asked for: they do not renew the session's idle time. */
export const BACKGROUND_HEADER = 'x-tidewatch-background';
