/**
 * The composition root of the monitor: the one place that builds its concrete Kafka client,
 * Redis connection, case store and pipeline. `tidewatch monitor` and `npm run bench:kafka` both
 * wire through here, so what is benchmarked is what runs.
 */
import { dirname, join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { logRedisOutages, type OutageLogger } from './redis-outage-log.js';
import { CaseStoreMarker, emptiedWhileStopped, type MarkerClaim } from '../cases/store-marker.js';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import { QUEUE_FORMAT, queueFormatWarning } from '../cases/queue-format.js';
import { RedisRuleAudit } from '../cases/redis-rule-audit.js';
import { RedisSuppressionBackend } from '../cases/redis-suppression-backend.js';
import { SuppressingCaseStore } from '../cases/suppressing-case-store.js';
import { Suppressions } from '../cases/suppressions.js';
import { DirectoryStore, proveWritable } from '../checkpoint/directory-store.js';
import { peerDirectoryStores } from '../checkpoint/peer-directories.js';
import { RedisCheckpointStore, redisPeerStores, type RedisCheckpointStoreOptions } from '../checkpoint/redis-store.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { LoadedRule } from '../engine/loader.js';
import type { StartFold } from '../monitor/checkpoints.js';
import { workerFolds } from './checkpoint-folder.js';
import { ConfigError, type Config } from '../config/config.js';
import { redisTls } from '../config/tls.js';
import type { SdnLabel } from '../intel/ofac.js';
import { createKafka } from '../kafka/client.js';
import { Monitor, type MonitorOptions } from '../monitor/monitor.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { closeRedis, redactedUrl } from './redis-connection.js';
import { RedisAccountTimeline } from '../timeline/redis-account-timeline.js';
import { TimelineRecorder } from '../timeline/timeline-recorder.js';
import { SharedIpRanges } from '../engine/shared-ip-ranges.js';

export type MonitorSettings = Omit<MonitorOptions, 'config' | 'kafka' | 'cases' | 'timeline' | 'caseStoreStatus' | 'createPipeline' | 'checkpoints' | 'foldCheckpoint'> & { labels: SdnLabel[] };

export interface WiredMonitor {
  monitor: Monitor;
  /** Stops the monitor (finishing its step and committing), then closes what the root opened. */
  stop(): Promise<void>;
}

/** ioredis' `tls` when the configuration names TLS files (a private CA, a client certificate). */
function redisTlsOption(config: Config): { tls?: ConnectionOptions } {
  const tls = redisTls(config);
  return tls ? { tls } : {};
}

/**
 * Redis commands wait while the server is away (no retry limit, offline queue on), so a Redis
 * outage delays case writes and the commits behind them instead of failing a step. Commands
 * issued in one tick (a commit's case scripts and suppression checks) go out in one write
 * (auto-pipelining): a third of the socket writes per alert.
 */
function connectRedis(config: Config, settings: MonitorSettings): Redis {
  const redis = new Redis(config.REDIS_URL, { ...redisTlsOption(config), maxRetriesPerRequest: null, enableOfflineQueue: true, enableAutoPipelining: true, retryStrategy: (n) => Math.min(n * 200, 2000) });
  logRedisOutages(redis, config.REDIS_URL, 'case writes and the commits behind them wait for it', settings.logger);
  return redis;
}

/** How often the monitor checks that the case store still holds its marker. */
const STORE_CHECK_MS = 10_000;

/**
 * Checks the case store's marker every STORE_CHECK_MS while Redis answers: a store that lost its
 * data (restarted without persistence) is logged as an error and counted, never silent. A check
 * that cannot reach Redis waits for the next.
 */
function watchCaseStore(redis: Redis, config: Config, settings: MonitorSettings, monitor: Monitor): NodeJS.Timeout {
  const marker = new CaseStoreMarker(redis, config.REDIS_KEY_PREFIX);
  const lost = (fields: Record<string, unknown>, how: string): void => {
    settings.metrics?.caseStoreLost.inc();
    settings.logger.error(fields, `the case store lost its data: ${how}; the cases and alerts written before are not in the queue and will not be written again. Run Redis with persistence (README, "Redis persistence"); the alerts are still on the alert topic`);
  };
  let startClaim: MarkerClaim | undefined; // judged once the monitor knows whether it restored a checkpoint
  let checking = false;
  const timer = setInterval(() => {
    if (checking || redis.status !== 'ready') return;
    const start = monitor.startedFrom();
    if (startClaim && start.settled) {
      if (emptiedWhileStopped(startClaim, start)) lost({ markerNow: startClaim.id, restoredFrom: start.restoredFrom, restoredRead: start.restoredRead }, 'it had no marker at start, yet this monitor restored a checkpoint (a Redis restarted without persistence, flushed or replaced while no monitor ran)');
      startClaim = undefined;
    }
    checking = true;
    marker.check().then((result) => {
      if (result.state === 'lost') lost({ markerBefore: result.before, markerNow: result.now }, 'its marker is gone (a Redis restart without persistence, a flush or a failover to an empty replica)');
    }, () => undefined).finally(() => { checking = false; });
  }, STORE_CHECK_MS);
  timer.unref();
  // The first claim marks the store at start.
  void marker.claim().then((claim) => { startClaim = claim; }, () => undefined);
  return timer;
}

/**
 * Says at start when the case store's queue scores predate the current format (queue-format.ts),
 * naming `tidewatch cases reindex`. Its reads are queued on the connection before the monitor's
 * first case write (that waits for the group and the restore), so a new store is marked before
 * it holds a case. A check Redis does not answer is left to the console's start.
 */
export function warnOfQueueFormat(cases: Pick<RedisCaseStore, 'queueFormat'>, logger: { warn(fields: object, message: string): void }): void {
  void cases.queueFormat().then((check) => {
    const warning = queueFormatWarning(check);
    if (warning && check.state !== 'current') logger.warn({ cases: check.cases, queueFormat: check.found ?? null, ...(check.state === 'newer' ? { knownQueueFormat: QUEUE_FORMAT } : {}) }, warning);
  }, () => undefined);
}

/**
 * The instance's checkpoint directory, `<CHECKPOINT_DIR>/<group>/<instance>`: one writer per
 * directory, so instances that share a disk never remove each other's files. None when
 * CHECKPOINT_DIR is empty (checkpoints off).
 */
export function checkpointDirectory(config: Pick<Config, 'CHECKPOINT_DIR' | 'KAFKA_GROUP_ID'>, instanceId: string): string | undefined {
  return config.CHECKPOINT_DIR === '' ? undefined : join(config.CHECKPOINT_DIR, safeSegment(config.KAFKA_GROUP_ID), safeSegment(instanceId));
}

const safeSegment = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Checks at start that checkpoints can be written where CHECKPOINT_DIR says (the directory made,
 * a file written and removed): a directory that cannot be made or written fails start-up naming
 * the variable, instead of the first checkpoint failing later.
 */
export async function checkCheckpointDirectory(config: Config, instanceId: string): Promise<void> {
  const dir = config.CHECKPOINT_STORE === 'redis' ? undefined : checkpointDirectory(config, instanceId);
  if (dir === undefined) return;
  await proveWritable(dir).catch((err: Error) => {
    throw new ConfigError(`invalid configuration: CHECKPOINT_DIR: checkpoints cannot be written to ${dir}: ${err.message}`);
  });
}

interface CheckpointWiring {
  checkpoints?: CheckpointStore;
  peerCheckpoints?: () => Promise<CheckpointStore[]>;
  foldCheckpoint?: StartFold;
  /** Closes what the wiring opened. */
  close(): Promise<void>;
}

export interface CheckpointStoreWiring {
  store?: CheckpointStore;
  peers?: () => Promise<CheckpointStore[]>;
  close(): Promise<void>;
}

/**
 * The instance's checkpoint store (none when checkpoints are off). CHECKPOINT_STORE=redis: in
 * Redis (REDIS_URL, REDIS_KEY_PREFIX), on a connection of its own so a multi-megabyte chunk never
 * queues a case write behind it. Its commands fail after a few reconnection attempts instead of
 * waiting for Redis: a failed write is logged and the monitor goes on; a failed read at start is
 * an error the operator sees. `background`: a second writer beside the monitor's (a fold).
 */
export function checkpointStoreFor(config: Config, instanceId: string, options: { background?: boolean; logger?: OutageLogger } = {}): CheckpointStoreWiring {
  if (config.CHECKPOINT_STORE === 'redis') {
    const redis = new Redis(config.REDIS_URL, { ...redisTlsOption(config), maxRetriesPerRequest: 3, enableOfflineQueue: true, retryStrategy: (n) => Math.min(n * 200, 2000) });
    if (options.logger) logRedisOutages(redis, config.REDIS_URL, 'the checkpoint store: its writes fail after a few attempts and are logged', options.logger);
    else redis.on('error', () => undefined); // a background writer's failures reach it as failed commands
    const own: RedisCheckpointStoreOptions = { prefix: config.REDIS_KEY_PREFIX, group: config.KAFKA_GROUP_ID, instance: instanceId, where: redactedUrl(config.REDIS_URL) };
    return { store: new RedisCheckpointStore(redis, own), peers: () => redisPeerStores(redis, own), close: () => closeRedis(redis) };
  }
  const dir = checkpointDirectory(config, instanceId);
  const close = async (): Promise<void> => undefined;
  return dir ? { store: new DirectoryStore(dir, { removeStaleTemporaries: !options.background }), peers: () => peerDirectoryStores(dirname(dir), dir), close } : { close };
}

function wireCheckpoints(config: Config, settings: MonitorSettings): CheckpointWiring {
  const wiring = checkpointStoreFor(config, settings.instanceId, { logger: settings.logger });
  if (!wiring.store) return { close: wiring.close };
  // Whole checkpoints on the schedule are folded from the journal in a worker thread: processing does not wait for them.
  const foldCheckpoint = config.CHECKPOINT_FOLD === 'worker' && config.CHECKPOINT_JOURNAL_EVERY_SECONDS > 0 ? workerFolds(config, settings.instanceId) : undefined;
  return { checkpoints: wiring.store, peerCheckpoints: wiring.peers, foldCheckpoint, close: wiring.close };
}

/**
 * The pipelines the monitor runs, from its configuration: `forRestore`, one to restore a
 * checkpoint into, gets no labels (the checkpoint carries the labels in force).
 */
export function monitorPipelines(config: Config, labels: SdnLabel[], onUntracedLabel?: (label: string) => void): (rules: readonly LoadedRule[], forRestore?: boolean) => Pipeline {
  const sharedIpRanges = SharedIpRanges.parse(config.SHARED_IP_RANGES);
  return (rules, forRestore = false) => new Pipeline({ rules: [...rules], ...(onUntracedLabel ? { onUntracedLabel } : {}), labels: forRestore ? labels.filter((l) => l.caseInsensitive) : labels, dedupeWindow: config.DEDUPE_WINDOW_DAYS * 86_400_000, dedupeMaxIds: config.DEDUPE_MAX_IDS, graph: { addressMemory: config.ADDRESS_MEMORY_DAYS * 86_400_000, maxAddresses: config.STATE_MAX_ADDRESSES }, state: { maxTransfers: config.STATE_MAX_TRANSFERS, sharedIpRanges }, decode: { maxAheadMs: config.EVENT_TIME_MAX_AHEAD_DAYS * 86_400_000, ipFormat: config.SESSION_IP_FORMAT }, topicSchemaCheck: config.TOPIC_SCHEMA_CHECK === 'on', maxLeapMs: config.EVENT_TIME_MAX_LEAP_DAYS * 86_400_000, rejudgementHoldMs: config.REJUDGEMENT_HOLD_MINUTES * 60_000 });
}

export function wireMonitor(config: Config, settings: MonitorSettings): WiredMonitor {
  const { labels, ...options } = settings;
  const kafka = createKafka(config, (entry) => settings.logger.debug(entry, 'kafkajs'));
  const redis = connectRedis(config, settings);
  const { close: closeCheckpoints, ...checkpoints } = wireCheckpoints(config, settings);
  const caseStore = new RedisCaseStore(redis, config.REDIS_KEY_PREFIX, config.DEDUPE_WINDOW_DAYS * 86_400);
  warnOfQueueFormat(caseStore, settings.logger);
  const monitor = new Monitor({
    ...options,
    config,
    kafka,
    // A suppressed alert is recorded with its suppression and opens no case.
    cases: new SuppressingCaseStore(caseStore, new Suppressions(new RedisSuppressionBackend(redis, config.REDIS_KEY_PREFIX))),
    timeline: new TimelineRecorder(new RedisAccountTimeline(redis, config.REDIS_KEY_PREFIX, config.CASE_RETENTION_DAYS * 86_400)),
    caseStoreStatus: () => redis.status,
    createPipeline: monitorPipelines(config, labels, (label) => settings.logger.warn({ label }, `intelligence label "${label}" is traced by no exposure rule: it raises no exposure alert, and excludeLabels: [any-untraced] reads it as a service category; name it in an exposure signal's labels to alert on it`)),
    ruleAudit: new RedisRuleAudit(redis, config.REDIS_KEY_PREFIX).append,
    ...checkpoints,
  });
  const watchStore = watchCaseStore(redis, config, settings, monitor);
  return {
    monitor,
    stop: async () => {
      clearInterval(watchStore);
      await monitor.stop();
      await closeRedis(redis);
      await closeCheckpoints();
    },
  };
}
