import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ConfigError, loadConfig, monitorTopics } from '../config/config.js';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { DEFAULT_TOPICS, INPUT_TOPICS } from '../contract/schemas.js';
import { loadRuleSet } from '../engine/loader.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { createLogger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { checkCheckpointDirectory, wireMonitor } from './monitor-wiring.js';
import { checkRedisCredentials } from './redis-connection.js';
import { kafkaSsl, redisTls } from '../config/tls.js';
import { checkKafkaTls } from '../kafka/tls-probe.js';
import { connectionHint } from '../monitor/monitor.js';
import { beginEarlyStop, endEarlyStop } from './early-stop.js';
import { topicChoiceMistakes } from '../kafka/topic-choice.js';
import { saslCleartextWarning } from '../kafka/sasl.js';

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description('consume the input topics; publish alerts to compliance.alerts and cases to Redis (exactly-once effect)')
    .option('--brokers <list>', 'Kafka brokers (env KAFKA_BROKERS)')
    .option('--group <id>', 'consumer group (env KAFKA_GROUP_ID)')
    .option('--redis <url>', 'Redis URL (env REDIS_URL)')
    .option('--partitions <n>', 'partitions for topics it creates (env KAFKA_TOPIC_PARTITIONS)')
    .option('--metrics-port <port>', 'Prometheus /metrics, /healthz and /readyz port (env METRICS_PORT)')
    .option('--topics <list>', `input topics (env KAFKA_INPUT_TOPICS; default ${INPUT_TOPICS.join(',')})`)
    .option('--alert-topic <topic>', `alert topic (env KAFKA_ALERT_TOPIC; default ${DEFAULT_TOPICS.alerts})`)
    .option('--rules <dir>', 'rules folder (watched: a valid change applies, a broken one is refused)', DEFAULT_RULES_DIR)
    .option('--ofac <file>', 'OFAC SDN data file (tidewatch intel import-ofac builds one)', DEFAULT_SDN_PATH)
    .option('--ownership-topic <topic>', 'topic whose partitions the group splits between instances as publishing slots (env KAFKA_OWNERSHIP_TOPIC; default: the first input topic)')
    .option('--instance <id>', 'instance id, for logs and the private reader group', hostname())
    .action(async (opts: { brokers?: string; group?: string; redis?: string; partitions?: string; metricsPort?: string; topics?: string; alertTopic?: string; rules: string; ofac: string; instance: string; ownershipTopic?: string }) => {
      // A signal before the monitor is wired finds nothing written to finish: exit 0 at once
      // (early-stop.ts; the CLI's entry installed it before any module loaded).
      beginEarlyStop();
      const config = loadConfig(process.env, { KAFKA_BROKERS: opts.brokers, KAFKA_GROUP_ID: opts.group, REDIS_URL: opts.redis, KAFKA_TOPIC_PARTITIONS: opts.partitions, METRICS_PORT: opts.metricsPort, KAFKA_INPUT_TOPICS: opts.topics, KAFKA_ALERT_TOPIC: opts.alertTopic, KAFKA_OWNERSHIP_TOPIC: opts.ownershipTopic });
      const logger = createLogger(config.LOG_LEVEL);
      const { inputTopics, alertTopic, ownershipTopic } = monitorTopics(config);
      const topicMistakes = topicChoiceMistakes({ inputs: inputTopics, alerts: alertTopic });
      if (topicMistakes.length > 0) throw new ConfigError(`invalid configuration: ${topicMistakes.join('; ')}`);
      await checkCheckpointDirectory(config, opts.instance);
      await checkRedisCredentials(config.REDIS_URL, redisTls(config));
      const cleartext = saslCleartextWarning(config);
      if (cleartext) logger.warn({ variable: 'KAFKA_SASL_MECHANISM' }, cleartext);
      const ssl = kafkaSsl(config);
      if (ssl !== false) await checkKafkaTls(config.KAFKA_BROKERS.split(','), ssl === true ? {} : ssl, undefined, (message) => logger.warn(message));
      const metrics = new Metrics();
      const port = await metrics.listen(config.METRICS_PORT, config.METRICS_HOST).catch((err: Error) => {
        throw new ConfigError(`invalid configuration: METRICS_HOST, METRICS_PORT: cannot serve /metrics on ${config.METRICS_HOST}:${config.METRICS_PORT}: ${err.message}`);
      });
      const { monitor, stop: stopMonitor } = wireMonitor(config, { rules: loadRuleSet(opts.rules), rulesDir: opts.rules, labels: sdnLabels(loadSdnFile(opts.ofac)), logger, metrics, instanceId: opts.instance, inputTopics, alertTopic, ownershipTopic });
      // Crash-only: after a fatal failure the process exits at once, without committing, and a
      // supervisor's restart re-reads from the slot cursors.
      void monitor.fatal.then(() => process.exit(1));
      let stopping = false;
      const stop = async (signal: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal, ...monitor.stats }, 'stopping: finishing the step in hand');
        // A stop commits each owned slot, which needs Redis and Kafka: while one is unreachable it
        // waits, and says so every 10 s (a supervisor's SIGKILL is safe: a restart re-reads from
        // the committed cursors).
        const started = Date.now();
        const waiting = setInterval(() => {
          const state = monitor.stopState();
          const what = state.phase === 'stopping' ? 'still waiting to commit and leave the group (is Redis or Kafka unreachable?)' : 'still waiting for the start under way to reach its next step (after a crash, joining the group waits out the dead member\'s session, KAFKA_SESSION_TIMEOUT_MS)';
          logger.warn({ waitedSeconds: Math.round((Date.now() - started) / 1000), ...state }, `stopping: ${what}; SIGKILL is safe, a restart re-reads from the committed cursors`);
        }, 10_000);
        waiting.unref();
        await stopMonitor();
        clearInterval(waiting);
        await metrics.close();
        process.exit(0);
      };
      endEarlyStop();
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      try {
        await monitor.start();
      } catch (err) {
        // A signal during start-up ends the start early; the stop under way then exits as usual.
        if (stopping) return;
        const message = err instanceof Error ? err.message : String(err);
        logger.fatal({ err: message, stack: err instanceof Error ? err.stack : undefined, ...connectionHint(config, message) }, 'monitor could not start');
        // A refusal a restart cannot mend (credentials, certificates) exits 2, as every configuration mistake does.
        process.exit(err instanceof ConfigError ? 2 : 1);
      }
      if (stopping) return;
      logger.info({ metricsPort: port }, 'metrics and /healthz listening');
    });
}
