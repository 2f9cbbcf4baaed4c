/** `tidewatch console`: the analyst console on Redis (or `--demo` in memory), and its users. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import { queueFormatWarning } from '../cases/queue-format.js';
import { RedisSuppressionBackend } from '../cases/redis-suppression-backend.js';
import { Suppressions } from '../cases/suppressions.js';
import { RedisAccountTimeline } from '../timeline/redis-account-timeline.js';
import { RedisUserBackend } from '../cases/redis-user-backend.js';
import { RedisClock } from '../cases/redis-clock.js';
import { userKeys } from '../cases/redis-keys.js';
import { Users } from '../cases/users.js';
import { repairAllHeldCases, repairLines, repairTriggers } from '../cases/held-case-repair.js';
import { createLogger } from '../observability/logger.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { AccountEvents } from '../console/account-events.js';
import type { ConsoleOptions } from '../console/context.js';
import { parseSla } from '../console/queue-view.js';
import { buildConsole } from '../console/server.js';
import { RuleBook } from '../console/rule-parameters.js';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { buildDemo, DEMO_PASSWORD, DEMO_USERS } from './console-demo.js';
import { consoleSecret } from './console-secret.js';
import { registerConsoleUsers } from './console-users.js';
import { redisTls } from '../config/tls.js';
import { connectRedis } from './redis-connection.js';
import { logRedisOutages, type OutageLogger } from './redis-outage-log.js';
import { SharedIpRanges } from '../engine/shared-ip-ranges.js';

export const WEB_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../examples/stream.jsonl', import.meta.url));

interface ServeOptions {
  demo?: boolean;
  port?: string;
  host?: string;
  events?: string[];
  insecureCookie?: boolean;
  rules: string;
}

type ConsoleStores = Pick<ConsoleOptions, 'cases' | 'users' | 'suppressions' | 'timelines' | 'events' | 'rules' | 'clock' | 'clockSync' | 'signInLimits'>;

async function stores(opts: ServeOptions, logger: OutageLogger): Promise<ConsoleStores> {
  const config = loadConfig();
  if (opts.demo) {
    const demo = await buildDemo(SAMPLE, opts.rules);
    console.log(`demo: ${(await demo.cases.list()).length} cases from ${SAMPLE}; users ${DEMO_USERS.map(([n, r]) => `${n} (${r})`).join(', ')}, password ${DEMO_PASSWORD}`);
    return demo;
  }
  for (const f of opts.events ?? []) if (!existsSync(f)) throw new Error(`--events: file not found: ${f}`);
  const redis = await connectRedis(config.REDIS_URL, true, redisTls(config));
  logRedisOutages(redis, config.REDIS_URL, 'requests that need it fail until it returns', logger);
  return { ...(await redisStores(config, redis)), rules: ruleBook(opts.rules), ...(opts.events?.length ? { events: await AccountEvents.fromFiles(opts.events, SharedIpRanges.parse(config.SHARED_IP_RANGES)) } : {}) };
}

/**
 * The rules folder's thresholds, which the case page shows beside each alert's figures. A folder
 * that cannot be read leaves them out, with a warning: the console serves the cases without them.
 */
function ruleBook(dir: string): RuleBook {
  try {
    const book = RuleBook.read(dir);
    for (const warning of book.warnings()) console.warn(warning);
    return book;
  } catch (err) {
    console.warn(`--rules: ${(err as Error).message}; the case page shows no rule thresholds`);
    return RuleBook.empty();
  }
}

/** The console's stores in Redis, and Redis's clock (redis-clock.ts): the times a request records are Redis's, not this machine's. */
export async function redisStores(config: Config, redis: Redis): Promise<ConsoleStores> {
  const cases = new RedisCaseStore(redis, config.REDIS_KEY_PREFIX, config.DEDUPE_WINDOW_DAYS * 86_400, config.CASE_RETENTION_DAYS * 86_400);
  const unindexed = await cases.unindexedCount();
  if (unindexed > 0) console.warn(`${unindexed} cases are not in the queue's index sets (written before this version): run \`tidewatch cases reindex\` once`);
  const format = queueFormatWarning(await cases.queueFormat());
  if (format) console.warn(format);
  await cases.setRetention(); // the operator's, which every user's command then writes with
  const clock = await RedisClock.start(redis);
  const users = new Users(new RedisUserBackend(redis, config.REDIS_KEY_PREFIX), cases);
  // A viewer's or removed user's cases a cut-short change left them holding (held-case-repair.ts).
  for (const line of repairLines(await repairAllHeldCases(users, cases, clock.now(), repairTriggers.consoleStart))) console.warn(line);
  return {
    cases,
    users,
    suppressions: new Suppressions(new RedisSuppressionBackend(redis, config.REDIS_KEY_PREFIX)),
    timelines: new RedisAccountTimeline(redis, config.REDIS_KEY_PREFIX, config.CASE_RETENTION_DAYS * 86_400),
    signInLimits: { redis, nameSpace: userKeys(config.REDIS_KEY_PREFIX).signInLimits },
    clock: clock.now,
    clockSync: clock.sync,
  };
}

async function serve(opts: ServeOptions): Promise<void> {
  const config = loadConfig({ ...process.env, ...(opts.port ? { CONSOLE_PORT: opts.port } : {}), ...(opts.host ? { CONSOLE_HOST: opts.host } : {}) });
  if (!existsSync(`${WEB_DIR}/index.html`)) throw new Error(`the front end is not built (${WEB_DIR}): run npm run build`);
  const csrfKey = consoleSecret(config, opts.demo === true);
  const logger = createLogger(config.LOG_LEVEL);
  const app = await buildConsole({
    csrfKey,
    ...(await stores(opts, logger)),
    sla: parseSla(config.CONSOLE_SLA_HOURS), sessionHours: config.CONSOLE_SESSION_HOURS, idleMinutes: config.CONSOLE_IDLE_MINUTES, behindTls: config.CONSOLE_BEHIND_TLS, loginPerMinute: config.CONSOLE_LOGIN_PER_MINUTE, trustProxy: config.CONSOLE_TRUST_PROXY,
    secureCookie: !opts.insecureCookie, staticDir: WEB_DIR, leaseMs: 30 * 60_000,
    logger,
  });
  const address = await app.listen({ port: config.CONSOLE_PORT, host: config.CONSOLE_HOST }).catch((err: Error) => {
    throw new ConfigError(`invalid configuration: CONSOLE_HOST, CONSOLE_PORT: cannot serve the console on ${config.CONSOLE_HOST}:${config.CONSOLE_PORT}: ${err.message}`);
  });
  console.log(`tidewatch console on ${address.replace('127.0.0.1', 'localhost')}`);
  const note = plainHttpNote(config.CONSOLE_HOST, opts.insecureCookie === true);
  if (note) console.log(note);
  const stop = (): void => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * What to tell an operator who serves the console over plain http on an interface other than
 * loopback: browsers keep a Secure cookie only over https (and on localhost), so every sign-in
 * would seem to end at once. Undefined when there is nothing to say.
 */
export function plainHttpNote(host: string, insecureCookie: boolean): string | undefined {
  if (insecureCookie || /^(127\.|localhost$|::1$|\[::1\]$)/.test(host)) return undefined;
  return `note: the console speaks plain http on ${host}; browsers keep its Secure session cookie only over https, so serve it behind a TLS-terminating proxy (CONSOLE_TRUST_PROXY, and CONSOLE_BEHIND_TLS=true for HSTS), or pass --insecure-cookie for a test on a private network; otherwise every sign-in ends at once`;
}

export function registerConsole(program: Command): void {
  const consoleCommand = program.command('console').description('the analyst console (a web app over the case store) and its users');
  consoleCommand.command('serve', { isDefault: true }).description('serve the console (REDIS_URL, CONSOLE_PORT, CONSOLE_HOST, CONSOLE_SLA_HOURS)')
    .option('--demo', 'in memory: replay the bundled sample, with demo users; no services needed')
    .option('--port <n>', 'port (CONSOLE_PORT)').option('--host <h>', 'interface (CONSOLE_HOST)')
    .option('--events <files...>', 'JSONL files whose deposits, withdrawals and logins make the account timelines')
    .option('--rules <dir>', 'the rules folder the monitor runs (the case page shows its thresholds beside each alert\'s figures)', DEFAULT_RULES_DIR)
    .option('--insecure-cookie', 'session cookie without Secure, for plain http on a host other than localhost (testing only)')
    .action((opts: ServeOptions) => serve(opts));
  registerConsoleUsers(consoleCommand);
}
