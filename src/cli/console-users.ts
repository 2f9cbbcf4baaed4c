/**
 * `tidewatch console users add|remove|list|audit|password`: local console and CLI users in Redis,
 * changed by a signed-in supervisor (or, before any exists, by the first set-up) and audited; each
 * user sets their own password with `password`.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import { RedisUserBackend } from '../cases/redis-user-backend.js';
import { redisNow } from '../cases/redis-clock.js';
import { repairAllHeldCases, repairLines, repairTriggers } from '../cases/held-case-repair.js';
import { Users, type UserAuditEntry, type UserChangeActor } from '../cases/users.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { redisTls } from '../config/tls.js';
import { connectRedis } from './redis-connection.js';

/**
 * The first line of standard input: `echo "$PW" | tidewatch console users add …`, or typed at the
 * prompt, where it is not echoed (it was, in the clear, on the terminal and in its scrollback).
 */
async function readPassword(prompt = 'password'): Promise<string> {
  const typed = process.stdin.isTTY === true;
  if (typed) process.stderr.write(`${prompt} (at least 12 characters, not shown): `);
  const lines = createInterface({ input: process.stdin, ...(typed ? { output: silent(), terminal: true } : {}) });
  for await (const line of lines) {
    lines.close();
    if (typed) process.stderr.write('\n');
    return line;
  }
  throw new Error('no password on standard input');
}

/** An output that swallows what readline would echo of the typed password. */
function silent(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * Runs `f` with the users in Redis and Redis's clock, read once: what a change records (its time,
 * a supervisor's since), whatever this machine's clock says. The users hand a viewer's or a
 * removed user's cases back to the queue in the case store beside them.
 */
async function withUsers<T>(f: (users: Users, config: Config, now: number, cases: RedisCaseStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = await connectRedis(config.REDIS_URL, false, redisTls(config));
  try {
    const cases = new RedisCaseStore(redis, config.REDIS_KEY_PREFIX, config.DEDUPE_WINDOW_DAYS * 86_400, config.CASE_RETENTION_DAYS * 86_400);
    return await f(new Users(new RedisUserBackend(redis, config.REDIS_KEY_PREFIX), cases), config, await redisNow(redis), cases);
  } finally {
    redis.disconnect();
  }
}

/** The operating-system account and host a change runs on, for the audit (not a proof of who). */
function runningOn(): string {
  let account = 'unknown';
  try {
    account = userInfo().username;
  } catch {
    // No passwd entry for this uid (a container): the host alone.
  }
  return `${account}@${hostname()}`;
}

/**
 * Who changes users: a supervisor signed in with TIDEWATCH_USER and TIDEWATCH_PASSWORD, as the
 * `cases` commands sign in. Only while no supervisor exists (the first set-up) may users be
 * added without, recorded as `(bootstrap)`. Before, anyone with REDIS_URL could make a second
 * supervisor, approve their own closure as it and remove it, leaving no trace (security QA).
 */
async function changer(users: Users, config: Config): Promise<UserChangeActor> {
  const host = runningOn();
  if (!(await users.hasSupervisor())) return { name: '(bootstrap)', via: 'bootstrap', host };
  if (!config.TIDEWATCH_USER || !config.TIDEWATCH_PASSWORD) throw new ConfigError('TIDEWATCH_USER and TIDEWATCH_PASSWORD must name a supervisor: users are changed by a signed-in supervisor once one exists');
  const actor = await users.authenticate(config.TIDEWATCH_USER, config.TIDEWATCH_PASSWORD);
  if (!actor) throw new ConfigError(`TIDEWATCH_USER ${config.TIDEWATCH_USER}: unknown user or wrong TIDEWATCH_PASSWORD`);
  if (actor.role !== 'supervisor') throw new ConfigError(`TIDEWATCH_USER ${actor.name} is ${actor.role === 'analyst' ? 'an' : 'a'} ${actor.role}: only a supervisor changes users`);
  return { name: actor.name, via: 'cli', host };
}

const handedBackLine = (caseIds: string[]): string => `${caseIds.length} case(s) they held (claimed, assigned, or with a closure they proposed) went back to the queue: ${caseIds.join(', ')}`;

const auditLine = (e: UserAuditEntry): string =>
  [e.at, e.action.padEnd(6), e.user.padEnd(24), e.role ?? '', e.previousRole ? `(was ${e.previousRole})` : '', e.passwordChanged ? 'new password' : '', `by ${e.by} via ${e.via}${e.host ? ` on ${e.host}` : ''}`].filter((x) => x !== '').join('  ');

export function registerConsoleUsers(consoleCommand: Command): void {
  const users = consoleCommand.command('users').description('console and CLI users in Redis (REDIS_URL)');
  users.command('add').argument('<name>').requiredOption('--role <role>', 'analyst | supervisor | viewer')
    .description('add or update a user; the password is read from standard input and stored as a scrypt hash')
    .action(async (name: string, opts: { role: string }) => {
      const [saved, repaired] = await withUsers(async (u, config, now, cases) => {
        const by = await changer(u, config); // before the password is asked for
        const user = await u.add(name, opts.role, await readPassword(), now, by);
        return [user, await repairAllHeldCases(u, cases, now, repairTriggers.usersCommand('add', name, by.name))] as const;
      });
      console.log(`user ${saved.name} (${saved.role}) saved`);
      if (saved.casesHandedBack) console.log(handedBackLine(saved.casesHandedBack));
      for (const line of repairLines(repaired)) console.log(line);
    });
  users.command('remove').argument('<name>').description('remove a user; their signed-in sessions end at once, and the name is never given again')
    .action(async (name: string) => {
      const [handed, repaired] = await withUsers(async (u, config, now, cases) => {
        const by = await changer(u, config);
        return [await u.remove(name, now, by), await repairAllHeldCases(u, cases, now, repairTriggers.usersCommand('remove', name, by.name))] as const;
      });
      console.log(`user ${name} removed`);
      if (handed.length > 0) console.log(handedBackLine(handed));
      for (const line of repairLines(repaired)) console.log(line);
    });
  users.command('password').description('set your own password (TIDEWATCH_USER, signed in with TIDEWATCH_PASSWORD): the new one is read from standard input; your other sessions end, and so does the four-eyes tie of whoever set the old one')
    .action(async () => {
      const saved = await withUsers(async (u, config, now) => {
        if (!config.TIDEWATCH_USER || !config.TIDEWATCH_PASSWORD) throw new ConfigError('TIDEWATCH_USER and TIDEWATCH_PASSWORD must name you and your current password: you set your own password');
        return u.changeOwnPassword(config.TIDEWATCH_PASSWORD, await readPassword('new password'), now, { name: config.TIDEWATCH_USER, via: 'cli', host: runningOn() });
      });
      console.log(`password of ${saved.name} changed`);
    });
  users.command('list').action(async () => {
    for (const u of await withUsers((x) => x.list())) console.log(`${u.name.padEnd(24)} ${u.role}`);
  });
  users.command('audit').description('who added, changed or removed which user, and when (the newest --limit, oldest first)')
    .option('--limit <n>', 'entries', '1000')
    .action(async (opts: { limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: a whole number of entries, not ${JSON.stringify(opts.limit)}`);
      for (const e of await withUsers((x) => x.audit(limit))) console.log(auditLine(e));
    });
}
