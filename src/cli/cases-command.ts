/** `tidewatch cases …`: the case queue in Redis, acting as the signed-in user TIDEWATCH_USER. */
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { DISPOSITIONS, CASE_STATUSES, type Actor, type Case, type CaseStatus, type Disposition } from '../cases/case-model.js';
import { archiveResolved } from '../cases/case-archive.js';
import { MAX_PAGE, type CaseQuery, type Severity } from '../cases/case-query.js';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import { RedisUserBackend } from '../cases/redis-user-backend.js';
import { Users } from '../cases/users.js';
import { approveClosure } from '../cases/held-case-repair.js';
import { redisNow } from '../cases/redis-clock.js';
import { loadConfig, ConfigError, type Config } from '../config/config.js';
import { redisTls } from '../config/tls.js';
import { connectRedis } from './redis-connection.js';
import { inertText } from '../observability/terminal-text.js';
import { readEntry } from '../cases/read-entries.js';
import type { ReadEntry } from '../cases/case-model.js';

interface Session {
  cases: RedisCaseStore;
  users: Users;
  actor: Actor;
  /** Redis's clock when the command started: the time it records (audit entries, leases), whatever this machine's clock says. */
  now: number;
}

export async function signIn(config: Config, redis: Redis): Promise<Actor> {
  if (!config.TIDEWATCH_USER || !config.TIDEWATCH_PASSWORD) throw new ConfigError('TIDEWATCH_USER and TIDEWATCH_PASSWORD must name a user made with `tidewatch console users add`: the CLI acts as that user');
  const actor = await new Users(new RedisUserBackend(redis, config.REDIS_KEY_PREFIX)).authenticate(config.TIDEWATCH_USER, config.TIDEWATCH_PASSWORD);
  if (!actor) throw new ConfigError(`TIDEWATCH_USER ${config.TIDEWATCH_USER}: unknown user or wrong TIDEWATCH_PASSWORD`);
  return actor;
}

/** Runs `f` with Redis and its clock, read once (redis-clock.ts), before anyone signs in. */
async function withRedis<T>(f: (redis: Redis, config: Config, now: number) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = await connectRedis(config.REDIS_URL, false, redisTls(config));
  try {
    return await f(redis, config, await redisNow(redis));
  } finally {
    redis.disconnect();
  }
}

async function signedIn(redis: Redis, config: Config, now: number): Promise<Session> {
  const actor = await signIn(config, redis);
  return { cases: new RedisCaseStore(redis, config.REDIS_KEY_PREFIX, config.DEDUPE_WINDOW_DAYS * 86_400, config.CASE_RETENTION_DAYS * 86_400), users: new Users(new RedisUserBackend(redis, config.REDIS_KEY_PREFIX)), actor, now };
}

async function asUser<T>(f: (s: Session) => Promise<T>): Promise<T> {
  return withRedis(async (redis, config, now) => f(await signedIn(redis, config, now)));
}

/**
 * The archive's cut-off: cases closed before it leave the store. CASE_ARCHIVE_AFTER_DAYS ago by
 * default; an earlier `--before` is allowed, a later one refused, so a case (and its audit) cannot
 * leave the console and Redis moments after its closure was approved (QA D10: `--before 2099-01-01`
 * archived a case closed seconds before).
 */
export function archiveCutoff(before: string | undefined, archiveAfterDays: number, now: number): number {
  const latest = now - archiveAfterDays * 86_400_000;
  if (before === undefined) return latest;
  const at = Date.parse(before);
  if (!Number.isFinite(at)) throw new Error(`--before: an ISO date such as 2025-01-31, not ${JSON.stringify(before)}`);
  if (at > latest) throw new Error(`--before ${before} is later than CASE_ARCHIVE_AFTER_DAYS (${archiveAfterDays}) days ago (${new Date(latest).toISOString()}): cases stay in the store at least that long after closing; give an earlier --before, or set CASE_ARCHIVE_AFTER_DAYS lower`);
  return at;
}

/** Minutes as a whole number from 1 to 10,080 (a week), or an error naming the flag. */
export function leaseMinutes(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_080) throw new Error(`--lease: whole minutes from 1 to 10080, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** One case as a line of the table; every field printed inert (a subject is input text). */
/** One line of `cases list`: the day the case opened (its first alert's event time, UTC) shows its age in the queue. */
export const caseLine = (c: Case): string => inertText(`${c.caseId.padEnd(26)} ${c.subject.padEnd(18)} ${c.status.padEnd(16)} ${c.severity.padEnd(8)} ${String(c.score).padStart(5)}  ${String(c.alertCount).padStart(3)} alerts  opened ${c.openedAt.slice(0, 10)}  ${c.typologies.join(', ')}${c.analyst ? `  (${c.analyst})` : ''}`);

/**
 * A case as `cases show` and `cases list --json` print it: the lease's end (`leaseUntil`, kept as
 * epoch milliseconds in the store) as an ISO time in UTC, as every other time in the document is.
 * Before session 49 it printed as 1765000000000 beside `openedAt: "2025-…Z"`.
 */
export function printableCase<T extends Pick<Case, 'leaseUntil'>>(c: T): Omit<T, 'leaseUntil'> & { leaseUntil?: string } {
  const { leaseUntil, ...rest } = c;
  return leaseUntil === undefined ? rest : { ...rest, leaseUntil: isoOrRaw(leaseUntil) };
}

const isoOrRaw = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms));

const CASE_SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/**
 * A filter flag's comma list (`--status open,claimed`), each value one of those allowed. Before
 * session 48 `--status` took one value (the API takes a list) and `--severity urgent` listed no
 * case and exited 0, as if the queue were empty.
 */
function flagList<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((v) => v.trim());
  for (const v of values) if (!allowed.includes(v as T)) throw new Error(`${flag}: one or more of ${allowed.join(', ')} (comma-separated), not ${JSON.stringify(v)}`);
  return values as T[];
}

function registerReads(cases: Command): void {
  cases.command('list').description('cases, most severe first, then by score, then the oldest').option('--status <list>', `comma-separated: ${CASE_STATUSES.join(', ')}`).option('--severity <list>', 'comma-separated: critical, high, medium').option('--typology <t>').option('--assignee <user>').option('--subject <account>', 'one account\'s cases').option('--json', 'print a JSON array')
    .action(async (opts: { status?: string; severity?: string; typology?: string; assignee?: string; subject?: string; json?: boolean }) => {
      const statuses = flagList<CaseStatus>('--status', opts.status, CASE_STATUSES);
      const severities = flagList('--severity', opts.severity, CASE_SEVERITIES);
      const query: CaseQuery = {
        statuses: statuses ?? [...CASE_STATUSES], ...(severities ? { severities } : {}),
        ...(opts.typology ? { typology: opts.typology } : {}), ...(opts.assignee ? { assignee: opts.assignee } : {}), ...(opts.subject ? { subject: opts.subject } : {}), limit: MAX_PAGE,
      };
      const { cases: list, total } = await asUser(async ({ cases: s, actor, now }) => {
        await s.expireLeases(now); // an ended lease shows as open, not as held by its last analyst
        const page = await s.query(query);
        // One access-log entry for the listing, with its filter, not one per case listed.
        await s.recordRead(readEntry(actor.name, 'cli', { what: 'queue', accountIds: opts.subject ? [opts.subject] : [], detail: `filter ${JSON.stringify(query)}; ${page.cases.length} of ${page.total} cases` }, now));
        return page;
      });
      if (total > list.length) console.error(`the first ${list.length} of ${total} cases`);
      if (opts.json) console.log(JSON.stringify(list.map(printableCase)));
      else for (const c of list) console.log(caseLine(c));
    });
  cases.command('reindex').description('supervisors: put every kept case in the queue\'s index sets (once after upgrading) and take out members that do not belong')
    .option('--derived', 'also rebuild what is derived from the kept alerts: the dashboard\'s counters and the cluster look-up\'s case sets (once after upgrading from a version without them); refused once cases have been archived')
    .option('--drop-archived-counts', 'with --derived after an archive: rebuild anyway, so archived cases\' alerts and dispositions leave the counters')
    .action(async (opts: { derived?: boolean; dropArchivedCounts?: boolean }) => {
      const result = await asUser(async ({ cases: s, actor }) => {
        if (actor.role !== 'supervisor') throw new Error(`${actor.name} (${actor.role}) may not rebuild the indexes; it needs supervisor`);
        return { ...(await s.rebuildIndexes()), counted: opts.derived ? (await s.rebuildDerived({ dropArchived: opts.dropArchivedCounts === true })).cases : undefined };
      });
      console.log(`indexed ${result.cases} cases; removed ${result.removed} members that did not belong${result.counted === undefined ? '' : `; dashboard counters and cluster sets rebuilt from ${result.counted} cases`}`);
    });
  cases.command('archive').description('supervisors: export resolved cases closed before a date (with alerts and audit) to a new JSONL file with a checksum line, verify it, then remove them from Redis')
    .requiredOption('--out <file>', 'the archive file to create (never overwritten)').option('--before <date>', 'closed before this ISO date (default: CASE_ARCHIVE_AFTER_DAYS ago)')
    .action(async (opts: { out: string; before?: string }) => {
      const r = await withRedis(async (redis, config, now) => {
        const before = archiveCutoff(opts.before, config.CASE_ARCHIVE_AFTER_DAYS, now); // refused before signing in or writing a file
        const { cases: s, actor } = await signedIn(redis, config, now);
        return archiveResolved(s, actor, before, opts.out, now);
      });
      console.log(`archived ${r.archived} cases to ${r.file} (sha256 ${r.sha256}); removed ${r.removed} from Redis${r.keptChanged.length ? `; kept ${r.keptChanged.join(', ')} (changed since export)` : ''}`);
    });
  cases.command('show').argument('<id>').description('the case with its alerts (explanation, evidence, path, event ids) and audit, as JSON').action(async (id: string) => {
    const shown = await asUser(async ({ cases: s, actor, now }) => {
      const c = await s.get(id);
      // Recorded in the access log before anything is printed: a read that cannot be recorded fails.
      const recordRead = (subject: string[]): Promise<void> => s.recordRead(readEntry(actor.name, 'cli', { what: 'case', caseIds: [id], accountIds: subject }, now));
      if (c) {
        await recordRead([c.subject]);
        return { ...printableCase(c), alerts: await s.alerts(id), audit: await s.audit(id) };
      }
      // An archived case keeps its audit in the store until its retention ends; the rest is in the archive file.
      const audit = await s.audit(id);
      if (!audit.some((e) => e.action === 'archive')) return undefined;
      await recordRead([]);
      return { caseId: id, archived: true, audit };
    });
    if (!shown) throw new Error(`no case ${id}`);
    console.log(JSON.stringify(shown, null, 2));
  });
}

/** One access-log entry as a line of `cases reads`; ids and detail printed inert (an id is input text). */
export const readLine = (e: ReadEntry): string => inertText(`${e.at}  ${e.user.padEnd(12)} ${e.via.padEnd(4)} ${e.what.padEnd(7)} cases ${e.caseIds.join(',') || '-'}  accounts ${e.accountIds.join(',') || '-'}${e.detail ? `  ${e.detail}` : ''}`);

function registerAccessLog(cases: Command): void {
  cases.command('reads').description('supervisors: the access log, newest first: who read which case or account (console and CLI), when and how')
    .option('--case <id>', "reads that showed this case").option('--account <id>', "reads that showed this account").option('--user <name>', "this user's reads")
    .option('--limit <n>', 'at most this many entries', '100').option('--json', 'print a JSON array')
    .action(async (opts: { case?: string; account?: string; user?: string; limit: string; json?: boolean }) => {
      if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1 || Number(opts.limit) > 10_000) throw new Error(`--limit: a whole number from 1 to 10000, not ${JSON.stringify(opts.limit)}`);
      const entries = await asUser(async ({ cases: s, actor }) => {
        if (actor.role !== 'supervisor') throw new Error(`${actor.name} (${actor.role}) may not read the access log; it needs supervisor`);
        return s.reads({ ...(opts.case ? { caseId: opts.case } : {}), ...(opts.account ? { accountId: opts.account } : {}), ...(opts.user ? { user: opts.user } : {}), limit: Number(opts.limit) });
      });
      if (opts.json) console.log(JSON.stringify(entries));
      else for (const e of entries) console.log(readLine(e));
    });
}

function registerActions(cases: Command): void {
  cases.command('claim').description('claim the top open case').option('--lease <minutes>', 'lease length', '30').action(async (opts: { lease: string }) => {
    const minutes = leaseMinutes(opts.lease);
    const c = await asUser(({ cases: s, actor, now }) => s.claim(actor, minutes * 60_000, now));
    console.log(c ? caseLine(c) : 'no open case');
  });
  cases.command('release').argument('<id>').action(async (id: string) => {
    await asUser(({ cases: s, actor, now }) => s.release(id, actor, now));
    console.log(`released ${id}`);
  });
  cases.command('assign').argument('<id>').argument('<analyst>').description('supervisors: give a case to an analyst').option('--lease <minutes>', 'lease length', '480').action(async (id: string, analyst: string, opts: { lease: string }) => {
    const minutes = leaseMinutes(opts.lease);
    const c = await asUser(async ({ cases: s, users, actor, now }) => {
      const refused = await users.cannotWorkCases(analyst);
      if (refused) throw new Error(refused);
      return s.assign(id, analyst, actor, minutes * 60_000, now);
    });
    console.log(caseLine(c));
  });
  cases.command('resolve').argument('<id>').requiredOption('--disposition <d>', DISPOSITIONS.join(' | ')).requiredOption('--note <n>', 'why (required, kept in the audit)')
    .action(async (id: string, opts: { disposition: string; note: string }) => {
      if (!DISPOSITIONS.includes(opts.disposition as Disposition)) throw new Error(`--disposition: one of ${DISPOSITIONS.join(', ')}, not ${opts.disposition}`);
      if (!opts.note.trim()) throw new Error('--note must not be empty');
      const c = await asUser(({ cases: s, actor, now }) => s.resolve(id, opts.disposition as Disposition, opts.note, actor, now));
      console.log(c.status === 'pending-approval' ? `${id}: ${opts.disposition} awaits a supervisor's approval` : `resolved ${id}: ${opts.disposition}`);
    });
  cases.command('approve').argument('<id>').description("supervisors: approve another user's closure")
    .option('--proposed-at <time>', "the proposal read (`cases show` prints it): one proposed since is refused, not approved in its place")
    .action(async (id: string, opts: { proposedAt?: string }) => {
      const c = await asUser(({ cases: s, users, actor, now }) => approveClosure(users, s, id, actor, now, opts.proposedAt));
      console.log(`resolved ${id}: ${c.disposition} (proposed by ${c.analyst ?? '?'})`);
    });
  cases.command('reject').argument('<id>').requiredOption('--reason <r>', 'why the closure is sent back').action(async (id: string, opts: { reason: string }) => {
    await asUser(({ cases: s, actor, now }) => s.reject(id, opts.reason, actor, now));
    console.log(`${id}: closure rejected, back in the queue`);
  });
  cases.command('reopen').argument('<id>').requiredOption('--reason <r>', 'why it is reopened').action(async (id: string, opts: { reason: string }) => {
    await asUser(({ cases: s, actor, now }) => s.reopen(id, opts.reason, actor, now));
    console.log(`reopened ${id}`);
  });
  cases.command('note').argument('<id>').argument('<text>').action(async (id: string, text: string) => {
    await asUser(({ cases: s, actor, now }) => s.addNote(id, text, actor, now));
    console.log(`noted on ${id}`);
  });
}

export function registerCases(program: Command): void {
  const cases = program.command('cases').description("the analysts' case queue in Redis (REDIS_URL), as the user TIDEWATCH_USER (password TIDEWATCH_PASSWORD)");
  registerReads(cases);
  registerAccessLog(cases);
  registerActions(cases);
}
