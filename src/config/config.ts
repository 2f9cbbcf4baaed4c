/**
 * Configuration from flags and the environment, validated once at start-up with zod and frozen.
 * Nothing else reads process.env. A bad value stops start-up with a message that names it.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_TOPICS, INPUT_TOPICS } from '../contract/schemas.js';
import { kafkaTlsFiles, readable, redisTlsFiles, tlsMaterialErrors } from './tls.js';
import { editDistance, nearestName } from '../engine/did-you-mean.js';
import { SharedIpRanges } from '../engine/shared-ip-ranges.js';

const DAY_MS = 86_400_000;
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const RETENTION_RULE = 'topic retentions are -1 (infinite) or at least 3600000 (one hour)';
const retentionAllowed = (ms: number): boolean => ms === -1 || ms >= 3_600_000;

/**
 * The topic variables (KAFKA_INPUT_TOPICS, KAFKA_ALERT_TOPIC, KAFKA_OWNERSHIP_TOPIC; since session
 * 61: before, topics were flags only, and a deployment configured by its environment (monitor.env,
 * compose, a harness) silently read and wrote the default topics of whoever shared the brokers).
 * Names are judged by the brokers when the monitor creates or reads the topics, as a flag's are.
 */
const topicName = z.string().trim().min(1, { message: 'expected a topic name' });
const topicList = z.string().optional().transform((text, ctx): string[] | undefined => {
  if (text === undefined) return undefined;
  // Set to nothing (a compose file's unset `${TOPICS}`) is a mistake, as an empty alert topic is:
  // read as unset it sent the monitor to the contract's topics of whoever shared the brokers (session 62).
  if (text.trim() === '') {
    ctx.addIssue({ code: 'custom', message: `set to nothing; name the input topics, or leave it unset for the contract's (${INPUT_TOPICS.join(',')})` });
    return undefined;
  }
  const topics = text.split(',').map((t) => t.trim());
  if (topics.includes('')) ctx.addIssue({ code: 'custom', message: `expected comma-separated topic names, not ${JSON.stringify(text)}` });
  return topics;
});

/** Names @fastify/proxy-addr gives to address ranges, usable in CONSOLE_TRUST_PROXY. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Why one CONSOLE_TRUST_PROXY item is no proxy address (an IP, IP/prefix-length or a range name), or undefined. */
function proxyAddressProblem(item: string): string | undefined {
  if (PROXY_RANGE_NAMES.includes(item)) return undefined;
  const [address = '', prefix, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return `${JSON.stringify(item)} is no IP address or IP/prefix-length`;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))) return `${JSON.stringify(item)}: the prefix length is 0 to ${version === 4 ? 32 : 128}`;
  return undefined;
}

/**
 * CONSOLE_TRUST_PROXY, as Fastify's `trustProxy` takes it: off (the default: the client address is
 * the connection's peer and X-Forwarded-For is ignored), `true` (trust every peer's
 * X-Forwarded-For), or the TLS proxies' addresses. A hop count is refused: Fastify 5 no longer
 * trusts one (it cannot check the proxy's own address), so it would silently change nothing.
 */
const trustProxy = z.string().optional().transform((text, ctx): boolean | string[] => {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'off' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'a hop count is not trusted by Fastify 5 (it cannot check the address of the proxy itself, so any client could forge X-Forwarded-For): give the proxies\' addresses, e.g. 10.0.0.5,10.0.0.6 or 10.0.0.0/24' });
    return false;
  }
  const items = value.split(',').map((i) => i.trim());
  const problems = items.map(proxyAddressProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    ctx.addIssue({ code: 'custom', message: `expected off, true, or the proxies' addresses (IP or IP/prefix-length, or loopback, linklocal, uniquelocal) separated by commas: ${problems.join('; ')}` });
    return false;
  }
  return items;
});

/**
 * SHARED_IP_RANGES, checked (src/engine/shared-ip-ranges.ts; a bad entry is named) and kept as
 * its text: the configuration crosses to the checkpoint fold worker by structured clone, which
 * would strip a parsed list of its class. Pipelines parse it (`sharedIpRangesOf`).
 */
const sharedIpRanges = z.string().default('').superRefine((text, ctx) => {
  try {
    SharedIpRanges.parse(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${(err as Error).message}; expected comma-separated CIDR blocks or addresses, e.g. 203.0.113.0/24,2001:db8:10::/48` });
  }
});

/** A PEM file's path: it must be readable when named. */
const pemFile = z.string().min(1).refine(readable, { message: 'cannot read this file (a PEM certificate or key)' }).optional();

export const envSchema = z.object({
  KAFKA_BROKERS: z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'expected host:port[,host:port…]' })
    .refine((list) => list.split(',').every((b) => { const port = Number(b.slice(b.lastIndexOf(':') + 1)); return port >= 1 && port <= 65535; }), { message: 'a port is 1 to 65535' })
    .default('127.0.0.1:9092'),
  KAFKA_GROUP_ID: z.string().min(1).default('tidewatch'),
  /** The input topics, comma-separated (`--topics` overrides it); unset: the contract's topics. */
  KAFKA_INPUT_TOPICS: topicList,
  /** The alert topic (`--alert-topic` overrides it). */
  KAFKA_ALERT_TOPIC: topicName.default(DEFAULT_TOPICS.alerts),
  /** The topic whose partitions are the publishing slots (`--ownership-topic` overrides it); unset: the first input topic. */
  KAFKA_OWNERSHIP_TOPIC: topicName.optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('tidewatch'),
  KAFKA_SSL: bool.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SSL_CA_FILE: pemFile,
  KAFKA_SSL_CERT_FILE: pemFile,
  KAFKA_SSL_KEY_FILE: pemFile,
  KAFKA_SSL_KEY_PASSWORD: z.string().optional(),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(10).max(30_000).default(500),
  /** Bytes one fetch asks of each input partition (Kafka's max.partition.fetch.bytes; kafkajs' default). */
  KAFKA_FETCH_PARTITION_BYTES: z.coerce.number().int().min(1024).max(1 << 30).default(1 << 20),
  /** Bytes one fetch asks of the brokers in all (Kafka's fetch.max.bytes; kafkajs' default). */
  KAFKA_FETCH_MAX_BYTES: z.coerce.number().int().min(1024).max(1 << 30).default(10 << 20),
  /** Bytes a compressed input batch may inflate to; past it the batch is refused and the reader stops. */
  KAFKA_MAX_INFLATED_BATCH_BYTES: z.coerce.number().int().min(1 << 20).max(2 ** 31 - 1).default(256 * 1024 * 1024),
  KAFKA_TOPIC_REPLICATION: z.coerce.number().int().min(1).max(16).default(1),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(4),
  MONITOR_UNOWNED_LOG_CAP: z.coerce.number().int().min(0).max(100_000_000).default(100_000),
  MONITOR_HOLD_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
  /** Event time (ms) a message the reorder buffer released waits for earlier-dated messages of its partition (lateness-stage.ts); 0: none, applied at once. */
  MONITOR_LATENESS_MS: z.coerce.number().int().min(0).max(604_800_000).default(0),
  /** The event-time grid of the lateness stage's cut points (ms; lateness-stage.ts); 0: ten times MONITOR_LATENESS_MS, at least 10 minutes (latenessCutEveryMs). */
  MONITOR_LATENESS_CUT_MS: z.coerce.number().int().min(0).max(2_592_000_000).default(0),
  /** Started on empty input topics, the monitor holds the first feed in event order at most this long after its first record (first-feed.ts); 0: off. */
  MONITOR_FIRST_FEED_HOLD_MS: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
  /** The first-feed window closes once no input partition has had a new record for this long. */
  MONITOR_FIRST_FEED_QUIET_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** Messages waiting in the reorder buffer past which an input partition is no longer fetched, until a quarter are left (read-balance.ts). */
  MONITOR_PARTITION_BUFFER: z.coerce.number().int().min(32).max(10_000_000).default(1024),
  /** Messages in the whole reorder buffer past which every partition holding more than a quarter of MONITOR_PARTITION_BUFFER is paused, until half are left. */
  MONITOR_BUFFER_MAX: z.coerce.number().int().min(1000).max(100_000_000).default(131_072),
  MONITOR_PUBLISH_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  DEDUPE_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  DEDUPE_MAX_IDS: z.coerce.number().int().min(1000).max(1_000_000_000).default(32_000_000),
  /** Transfers of each kind the rule state keeps at most; past it the oldest goes (see README "State and its bounds"). */
  STATE_MAX_TRANSFERS: z.coerce.number().int().min(1000).max(100_000_000).default(1_000_000),
  /** Addresses the graph holds at most; past it those holding only flows are forgotten oldest first (see README "State and its bounds"). */
  STATE_MAX_ADDRESSES: z.coerce.number().int().min(1000).max(1_000_000_000).default(8_000_000),
  ADDRESS_MEMORY_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
  EVENT_TIME_MAX_AHEAD_DAYS: z.coerce.number().int().min(1).max(36_500).default(366),
  /** `address`: a login's or session's `ip` must be an IPv4 or IPv6 literal; `any`: any text (opaque pseudonyms). */
  SESSION_IP_FORMAT: z.enum(['address', 'any']).default('address'),
  /** The operator's shared IP ranges (offices, NATs: comma-separated CIDR blocks or addresses), whose addresses link no accounts. */
  SHARED_IP_RANGES: sharedIpRanges,
  /** `on`: a schema on a topic named after a contract topic that carries another is dead-lettered (TW_TOPIC); `off`: not checked. */
  TOPIC_SCHEMA_CHECK: z.enum(['on', 'off']).default('on'),
  /** An event dated further after the newest event time applied is dead-lettered; 0: no bound. */
  EVENT_TIME_MAX_LEAP_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  /** Event time a transfer judged again behind a late event of its account waits before its verdict (held-rejudgements.ts); 0: judged at once. */
  REJUDGEMENT_HOLD_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  /** Event time `replay` holds each message for earlier-dated messages read after it (lateness-buffer.ts); 0: applied as read. */
  REPLAY_LATENESS_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { message: 'expected redis://… or rediss://… (TLS)' }).default('redis://127.0.0.1:6379'),
  REDIS_TLS_CA_FILE: pemFile,
  REDIS_TLS_CERT_FILE: pemFile,
  REDIS_TLS_KEY_FILE: pemFile,
  REDIS_TLS_KEY_PASSWORD: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[a-zA-Z0-9:_-]*$/).default('tw:'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  CASE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(1825),
  CASE_ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  TIDEWATCH_USER: z.string().optional(),
  TIDEWATCH_PASSWORD: z.string().optional(),
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  CONSOLE_SLA_HOURS: z.string().regex(/^(critical|high|medium)=\d+(\.\d+)?(,(critical|high|medium)=\d+(\.\d+)?)*$/, { message: 'expected severity=hours[,…], e.g. critical=4,high=24,medium=72' }).default('critical=4,high=24,medium=72'),
  CONSOLE_SESSION_HOURS: z.coerce.number().min(0.1).max(720).default(8),
  /** Minutes without a request of the user's own after which a console session ends. */
  CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(1).max(43_200).default(30),
  /** The console is reached over TLS (a TLS-terminating proxy): every response carries Strict-Transport-Security. */
  CONSOLE_BEHIND_TLS: bool.default(false),
  TIDEWATCH_CONSOLE_SECRET: z.string().optional(),
  CONSOLE_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Whose X-Forwarded-For gives the console's client address (the sign-in limit per address): off, true, or the proxies' addresses. */
  CONSOLE_TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_STARTUP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  KAFKA_INPUT_RETENTION_MS: z.coerce.number().int().min(-1).default(7 * DAY_MS),
  KAFKA_ALERT_RETENTION_MS: z.coerce.number().int().min(-1).default(-1),
  KAFKA_DLQ_RETENTION_MS: z.coerce.number().int().min(-1).default(30 * DAY_MS),
  CHECKPOINT_STORE: z.enum(['directory', 'redis']).default('directory'),
  CHECKPOINT_DIR: z.string().default('checkpoints'),
  CHECKPOINT_EVERY_MESSAGES: z.coerce.number().int().min(1).max(1_000_000_000).default(500_000),
  CHECKPOINT_EVERY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CHECKPOINT_JOURNAL_EVERY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(5),
  CHECKPOINT_KEEP: z.coerce.number().int().min(1).max(100).default(3),
  CHECKPOINT_FOLD: z.enum(['worker', 'off']).default('off'),
  CHECKPOINT_FOLD_HEAP_MB: z.coerce.number().int().min(0).max(1_048_576).default(0),
  MONITOR_READY_MAX_LAG: z.coerce.number().int().min(0).default(5000),
}).refine((e) => !e.KAFKA_SASL_MECHANISM || (e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD), {
  message: 'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD', path: ['KAFKA_SASL_MECHANISM'],
}).refine((e) => Boolean(e.KAFKA_SASL_MECHANISM) || !(e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD), {
  // Credentials without a mechanism connected without authentication, silently.
  message: 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)', path: ['KAFKA_SASL_MECHANISM'],
}).refine((e) => e.MONITOR_LATENESS_CUT_MS === 0 || e.MONITOR_LATENESS_CUT_MS >= Math.max(e.MONITOR_LATENESS_MS, 60_000), {
  message: 'MONITOR_LATENESS_CUT_MS must be 0 (the default grid) or at least MONITOR_LATENESS_MS and one minute: the lateness stage drains at each cut, so messages read after it within the lateness lose event order', path: ['MONITOR_LATENESS_CUT_MS'],
}).refine((e) => e.MONITOR_BUFFER_MAX >= e.MONITOR_PARTITION_BUFFER, {
  message: 'MONITOR_BUFFER_MAX must be at least MONITOR_PARTITION_BUFFER (the whole reorder buffer holds at least one partition\'s share)', path: ['MONITOR_BUFFER_MAX'],
}).refine((e) => redisDatabase(e.REDIS_URL) !== undefined, {
  message: 'the database after the host (redis://host:6379/N) must be a whole number from 0', path: ['REDIS_URL'],
}).superRefine((e, ctx) => {
  // TLS files that are readable but unusable fail here, naming the variable, not as minutes of
  // handshake retries ("waiting for topic leaders") or a Redis that seems down.
  const kafka = e.KAFKA_SSL ? tlsMaterialErrors(kafkaTlsFiles(e), { ca: 'KAFKA_SSL_CA_FILE', cert: 'KAFKA_SSL_CERT_FILE', key: 'KAFKA_SSL_KEY_FILE', passphrase: 'KAFKA_SSL_KEY_PASSWORD' }) : [];
  const redis = e.REDIS_URL.startsWith('rediss://') ? tlsMaterialErrors(redisTlsFiles(e), { ca: 'REDIS_TLS_CA_FILE', cert: 'REDIS_TLS_CERT_FILE', key: 'REDIS_TLS_KEY_FILE', passphrase: 'REDIS_TLS_KEY_PASSWORD' }) : [];
  for (const [variable, message] of [...kafka, ...redis]) ctx.addIssue({ code: 'custom', message, path: [variable] });
}).refine((e) => Boolean(e.KAFKA_SSL_CERT_FILE) === Boolean(e.KAFKA_SSL_KEY_FILE), {
  message: 'a client certificate needs its key: set both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, or neither', path: ['KAFKA_SSL_KEY_FILE'],
}).refine((e) => e.KAFKA_SSL || !(e.KAFKA_SSL_CA_FILE || e.KAFKA_SSL_CERT_FILE || e.KAFKA_SSL_KEY_FILE), {
  message: 'KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE need KAFKA_SSL=true', path: ['KAFKA_SSL'],
}).refine((e) => !e.KAFKA_SSL_KEY_PASSWORD || Boolean(e.KAFKA_SSL_KEY_FILE), {
  message: 'a key password needs its key: KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY_FILE', path: ['KAFKA_SSL_KEY_PASSWORD'],
}).refine((e) => !e.REDIS_TLS_KEY_PASSWORD || Boolean(e.REDIS_TLS_KEY_FILE), {
  message: 'a key password needs its key: REDIS_TLS_KEY_PASSWORD is set without REDIS_TLS_KEY_FILE', path: ['REDIS_TLS_KEY_PASSWORD'],
}).refine((e) => Boolean(e.REDIS_TLS_CERT_FILE) === Boolean(e.REDIS_TLS_KEY_FILE), {
  message: 'a client certificate needs its key: set both REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, or neither', path: ['REDIS_TLS_KEY_FILE'],
}).refine((e) => e.REDIS_URL.startsWith('rediss://') || !(e.REDIS_TLS_CA_FILE || e.REDIS_TLS_CERT_FILE || e.REDIS_TLS_KEY_FILE), {
  message: 'REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE need a rediss:// REDIS_URL', path: ['REDIS_URL'],
}).refine((e) => e.KAFKA_INPUT_RETENTION_MS === -1 || checkpointsOn(e), {
  message: 'must be -1 (infinite) while checkpoints are off (CHECKPOINT_DIR is empty): every start re-reads the input from its first offset', path: ['KAFKA_INPUT_RETENTION_MS'],
}).refine((e) => !checkpointsOn(e) || retentionCoversCheckpoints(e), {
  message: 'must be -1 (infinite) or longer than CHECKPOINT_KEEP × CHECKPOINT_EVERY_SECONDS plus one hour: a restart needs every record past the checkpoint it restores', path: ['KAFKA_INPUT_RETENTION_MS'],
}).refine((e) => retentionAllowed(e.KAFKA_INPUT_RETENTION_MS), {
  message: RETENTION_RULE, path: ['KAFKA_INPUT_RETENTION_MS'],
}).refine((e) => retentionAllowed(e.KAFKA_ALERT_RETENTION_MS), {
  message: RETENTION_RULE, path: ['KAFKA_ALERT_RETENTION_MS'],
}).refine((e) => retentionAllowed(e.KAFKA_DLQ_RETENTION_MS), {
  message: RETENTION_RULE, path: ['KAFKA_DLQ_RETENTION_MS'],
});

/** The database a Redis URL selects (0 when it names none), or undefined when its path is no whole number. */
export function redisDatabase(url: string): number | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 0; // a URL Node cannot parse (a password with `#`) is refused where it is opened, naming REDIS_URL
  }
  if (path === '' || path === '/') return 0;
  return /^\/\d{1,5}$/.test(path) ? Number(path.slice(1)) : undefined;
}


/**
 * Variables that look like a misspelling of one of ours (`KAFKA_SASL_MECHANISIM`, `REDIS_TLS_CA`
 * for REDIS_TLS_CA_FILE): set, they were ignored and a default used, such as no authentication.
 * Others with our prefixes (KAFKA_HEAP_OPTS for Kafka's own scripts) are left alone.
 */
function misspeltVariables(env: Record<string, string | undefined>): string[] {
  const known = Object.keys(envSchema.shape);
  // The first word of each of ours (KAFKA, STATE, METRICS, …): an unknown name with one is held
  // to the known ones closely; any other only for a near-exact match with the underscores
  // dropped (LOGLEVEL, METRIC_PORT), as the rest of the environment is none of ours.
  const prefixes = new Set(known.map((k) => k.split('_')[0]!));
  const squeezed = (name: string): string => name.replace(/_/g, '');
  const issues: string[] = [];
  for (const key of Object.keys(env).sort()) {
    if (env[key] === undefined || known.includes(key)) continue;
    let near: string | undefined;
    // TIDEWATCH_KAFKA_BROKERS for KAFKA_BROKERS: most of our variables carry no product prefix.
    const unprefixed = /^(?:TIDEWATCH|TW)_(.+)$/.exec(key)?.[1];
    const meant = unprefixed === undefined ? undefined : known.find((k) => editDistance(unprefixed, k) <= 1);
    if (meant !== undefined) {
      near = meant;
    } else if (prefixes.has(key.split('_')[0]!)) {
      const extended = known.find((k) => k.startsWith(`${key}_`));
      const nearest = extended ?? nearestName(key, known);
      if (nearest !== undefined && (extended !== undefined || editDistance(key, nearest) <= 2)) near = nearest;
    } else if (squeezed(key).length >= 6) {
      near = known.find((k) => editDistance(squeezed(key), squeezed(k)) <= 1);
    }
    if (near !== undefined) issues.push(`${key}: not a Tidewatch variable (it would be ignored); did you mean ${near}?`);
  }
  return issues;
}

/** Checkpoints are off only with the directory store and an empty CHECKPOINT_DIR. */
/**
 * The lateness stage's cut grid (ms of event time): MONITOR_LATENESS_CUT_MS, or by default ten
 * times the lateness and at least 10 minutes. Each cut makes the messages read after it within the
 * lateness before it late, so the grid is kept well above the lateness (about a tenth of the event
 * time lies within the lateness before a cut), and it bounds what a restart re-reads on a stream
 * never quiet to about one period of event time.
 */
export function latenessCutEveryMs(c: { MONITOR_LATENESS_MS: number; MONITOR_LATENESS_CUT_MS: number }): number {
  return c.MONITOR_LATENESS_CUT_MS > 0 ? c.MONITOR_LATENESS_CUT_MS : Math.max(10 * c.MONITOR_LATENESS_MS, 600_000);
}

/** The monitor's topics: the flags, else the topic variables, else the contract's (the flags reach here as overrides of the variables). */
export function monitorTopics(c: Pick<Config, 'KAFKA_INPUT_TOPICS' | 'KAFKA_ALERT_TOPIC' | 'KAFKA_OWNERSHIP_TOPIC'>): { inputTopics: string[]; alertTopic: string; ownershipTopic: string | undefined } {
  return { inputTopics: c.KAFKA_INPUT_TOPICS ?? [...INPUT_TOPICS], alertTopic: c.KAFKA_ALERT_TOPIC, ownershipTopic: c.KAFKA_OWNERSHIP_TOPIC };
}

export function checkpointsOn(c: { CHECKPOINT_STORE: string; CHECKPOINT_DIR: string }): boolean {
  return c.CHECKPOINT_STORE === 'redis' || c.CHECKPOINT_DIR !== '';
}

/**
 * With checkpoints on, the input topics must keep every record past the oldest checkpoint kept
 * (plus an hour of margin); with checkpoints off (CHECKPOINT_DIR empty), every start re-reads
 * from the first offset and only infinite retention keeps the state whole.
 */
function retentionCoversCheckpoints(e: { KAFKA_INPUT_RETENTION_MS: number; CHECKPOINT_STORE: string; CHECKPOINT_DIR: string; CHECKPOINT_KEEP: number; CHECKPOINT_EVERY_SECONDS: number }): boolean {
  if (e.KAFKA_INPUT_RETENTION_MS === -1) return true;
  if (!checkpointsOn(e)) return false;
  return e.KAFKA_INPUT_RETENTION_MS >= e.CHECKPOINT_KEEP * e.CHECKPOINT_EVERY_SECONDS * 1000 + 3_600_000;
}

export type Config = Readonly<z.infer<typeof envSchema> & { topics: typeof DEFAULT_TOPICS }>;

let numeric: string[] | undefined;

/** The variables read as numbers: those whose default is a number (every number has one). */
function numericKeys(): string[] {
  return (numeric ??= Object.entries(envSchema.parse({})).filter(([, v]) => typeof v === 'number').map(([k]) => k));
}

/**
 * How a number must be written: decimal digits, a sign and a fraction at most. `Number()` also
 * reads `0x10` (16), `1e3`, `0b11` and `0o17`, which no operator means in a duration or a count.
 */
const PLAIN_DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/;

export class ConfigError extends Error {
  readonly code = 'TW_CONFIG';
}

/** Parses the environment (plus flag overrides, already in env-var names) once; throws naming the bad key. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Record<string, string | undefined> = {}): Config {
  const merged: Record<string, string | undefined> = { ...env, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  // A number set to nothing (`MONITOR_HOLD_MS=` in a compose file) is unset, not zero: a coerced
  // empty string is 0, which silently turned the hold, the journal or a port off.
  for (const key of numericKeys()) if (merged[key]?.trim() === '') delete merged[key];
  const parsed = envSchema.safeParse(merged);
  const misspelt = misspeltVariables(merged);
  const unplain = numericKeys().filter((key) => merged[key] !== undefined && !PLAIN_DECIMAL.test(merged[key]!) && !Number.isNaN(Number(merged[key]))).map((key) => `${key}: a number is written in plain decimal digits, not ${JSON.stringify(merged[key])}`);
  if (!parsed.success || misspelt.length > 0 || unplain.length > 0) {
    // A number that does not parse says what was typed, not the NaN it coerced to.
    const reason = (key: string, message: string): string => (message.endsWith(', received NaN') ? `${message.slice(0, -', received NaN'.length)}, not ${JSON.stringify(merged[key])}` : message);
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !unplain.some((u) => u.startsWith(`${i.path.join('.')}:`))).map((i) => { const key = i.path.join('.'); return `${key}: ${reason(key, i.message)}`; });
    issues.push(...unplain);
    throw new ConfigError(`invalid configuration: ${[...issues, ...misspelt].join('; ')}`);
  }
  return Object.freeze({ ...parsed.data, topics: DEFAULT_TOPICS });
}
