/**
 * Prometheus metrics (prom-client), /healthz and /readyz on one HTTP port.
 *
 * - /healthz: alive. 200 from the moment the monitor starts, including while it restores or
 *   rebuilds its state, until it fails for good (503). A liveness probe restarts on 503 only.
 * - /readyz: ready. 200 once the state is restored (or rebuilt) and the applied position is
 *   within MONITOR_READY_MAX_LAG messages of every input partition's end; 503 otherwise.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const PHASES = ['starting', 'restoring', 'catching-up', 'ready', 'stopping', 'failed'] as const;
export type Phase = (typeof PHASES)[number];

export class Metrics {
  readonly registry = new Registry();
  readonly consumed = new Counter({ name: 'tidewatch_messages_consumed_total', help: 'input messages consumed', labelNames: ['topic'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'tidewatch_messages_rejected_total', help: 'input messages sent to the dead-letter topic', labelNames: ['topic', 'code'], registers: [this.registry] });
  /**
   * What became of each applied input message, so an operator can check that nothing was lost:
   * summed over outcomes it is the messages applied, and `tidewatch_messages_consumed_total` less
   * it is what still waits in the reorder buffer, plus what a re-read dropped from it (read again). Before session 62 a message dropped as a copy of
   * an eventId already applied (DEDUPE_WINDOW_DAYS) was counted nowhere.
   */
  readonly applied = new Counter({ name: 'tidewatch_messages_applied_total', help: 'input messages applied, by outcome: accepted (new), duplicate (an eventId already applied, dropped), ignored (a log or transaction that moves nothing tracked), dead-lettered', labelNames: ['topic', 'outcome'], registers: [this.registry] });
  /**
   * Applied messages' unknown fields that look like a misspelling of an optional field they lack
   * (`sesion` for `session`): the message is applied as the contract allows, and the signals
   * that read that field go without it. `field` is the producer's text: at most 64 series, then `(other)`.
   */
  readonly suspectFields = new Counter({ name: 'tidewatch_suspect_fields_total', help: 'applied input messages with an unknown field that looks like a misspelt optional field they lack (applied without it), by topic, field as sent (at most 64, then "(other)") and the field it resembles', labelNames: ['topic', 'field', 'nearest'], registers: [this.registry] });
  readonly lateExchangeEvents = new Counter({ name: 'tidewatch_late_exchange_events_total', help: 'exchange transfers and logins applied more than a day behind the newest exchange event (a topic or producer lagging the others): what they read of the state may have expired', labelNames: ['topic'], registers: [this.registry] });
  readonly recordsLost = new Counter({ name: 'tidewatch_input_records_lost_total', help: 'input records deleted (retention, deleteRecords) before the monitor read them: never applied', labelNames: ['topic'], registers: [this.registry] });
  /** A periodic look at an input topic's high watermarks that failed or came back with a gap (monitor/input-highs.ts): the last good read stays in force, the next period looks again. */
  readonly highWatermarkReadFailures = new Counter({ name: 'tidewatch_high_watermark_read_failures_total', help: 'periodic reads of an input topic\'s high watermarks that failed or answered with a gap: /readyz\'s behind and the lag gauges keep the last good read; tried again the next period', labelNames: ['topic'], registers: [this.registry] });
  readonly caseStoreLost = new Counter({ name: 'tidewatch_case_store_lost_total', help: 'times the case store was found empty of its marker: its cases were lost (a Redis restart without persistence)', registers: [this.registry] });
  readonly alerts = new Counter({ name: 'tidewatch_alerts_total', help: 'alerts this instance published (for the slots it owns)', labelNames: ['typology', 'severity'], registers: [this.registry] });
  /**
   * Read at each scrape (`slotLags`), as /healthz's `slotLag` is: it was set only when a commit was
   * planned, so it read 0 on every slot while a Redis outage held commits back and the backlog
   * grew (session 41 QA).
   */
  readonly slotLag = new Gauge({
    name: 'tidewatch_slot_cursor_lag', help: 'input messages past a slot cursor: read or not, not yet covered by a committed publish', labelNames: ['slot'], registers: [this.registry],
    collect: () => { this.slotLag.reset(); for (const [slot, lag] of Object.entries(this.slotLags())) this.slotLag.set({ slot }, lag); },
  });
  readonly slots = new Gauge({ name: 'tidewatch_slots_owned', help: 'publishing slots (ownership-topic partitions) this instance holds', registers: [this.registry] });
  readonly rereads = new Counter({ name: 'tidewatch_rereads_total', help: 'full re-reads from the first offset, forced by taking a slot whose outputs this instance had not kept', registers: [this.registry] });
  readonly buffered = new Gauge({ name: 'tidewatch_reorder_buffer_messages', help: 'fetched input messages waiting in the event-time reorder buffer (bounded: MONITOR_PARTITION_BUFFER, MONITOR_BUFFER_MAX)', registers: [this.registry] });
  readonly firstFeedHolding = new Gauge({ name: 'tidewatch_first_feed_holding', help: '1 while the first-feed window holds messages in event order for input topics still to be fed (every input partition was empty at start; MONITOR_FIRST_FEED_HOLD_MS)', registers: [this.registry] });
  readonly pausedPartitions = new Gauge({ name: 'tidewatch_input_partitions_paused', help: 'input partitions the reader does not fetch now because the reorder buffer holds enough of them', registers: [this.registry] });
  /** Read at each scrape (`partitionLags`): it was set only when a batch of the partition came, so a stalled reader showed its last value. */
  readonly lag = new Gauge({
    name: 'tidewatch_consumer_lag', help: 'messages behind the high watermark', labelNames: ['topic', 'partition'], registers: [this.registry],
    collect: () => { this.lag.reset(); for (const p of this.partitionLags()) this.lag.set({ topic: p.topic, partition: String(p.partition) }, p.lag); },
  });
  readonly batchSeconds = new Histogram({ name: 'tidewatch_batch_seconds', help: 'time to process, publish and commit one release of messages', buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });
  /** Entries held per bounded structure, read from `stateSizes` at each scrape. */
  readonly stateEntries = new Gauge({
    name: 'tidewatch_state_entries', help: 'entries held per in-process state structure (bounded; see the README state table)', labelNames: ['structure'], registers: [this.registry],
    collect: () => { for (const [structure, n] of Object.entries(this.stateSizes())) this.stateEntries.set({ structure }, n); },
  });
  readonly startupPhase = new Gauge({ name: 'tidewatch_startup_phase', help: 'the phase the monitor is in (1 for the current one): starting, restoring, catching-up, ready, stopping, failed', labelNames: ['phase'], registers: [this.registry] });
  readonly restoreBytesRead = new Gauge({ name: 'tidewatch_restore_bytes_read', help: 'bytes of the checkpoint being restored read so far', registers: [this.registry] });
  readonly restoreBytesTotal = new Gauge({ name: 'tidewatch_restore_bytes_total', help: 'size of the checkpoint being restored (0 when the store does not say)', registers: [this.registry] });
  readonly restoreSeconds = new Gauge({ name: 'tidewatch_restore_seconds', help: 'how long the last checkpoint restore took', registers: [this.registry] });
  /**
   * Read at each scrape from the readiness answer, so the gauge and /readyz give one figure; NaN
   * while it is not known (the reader not yet given its partitions: a start, a rebalance), never
   * a 0 that reads as caught up (session 34 QA).
   */
  readonly inputBehind = new Gauge({
    name: 'tidewatch_input_behind_messages', help: 'input messages on the broker not yet applied (past the applied position, summed over partitions, with partitions the reader has not been given yet); NaN while not known', registers: [this.registry],
    collect: () => { const behind = this.readiness().behind; this.inputBehind.set(typeof behind === 'number' ? behind : Number.NaN); },
  });
  readonly readyGauge = new Gauge({ name: 'tidewatch_ready', help: '1 when /readyz answers 200', registers: [this.registry], collect: () => { this.readyGauge.set(this.readiness().ready ? 1 : 0); } });
  readonly checkpointSeconds = new Histogram({ name: 'tidewatch_checkpoint_seconds', help: 'time to write one checkpoint (processing waits meanwhile)', buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [this.registry] });
  readonly checkpointBytes = new Gauge({ name: 'tidewatch_checkpoint_bytes', help: 'size of the last checkpoint written', registers: [this.registry] });
  readonly checkpointLastSuccess = new Gauge({ name: 'tidewatch_checkpoint_last_success_timestamp_seconds', help: 'wall-clock time of the last checkpoint written', registers: [this.registry] });
  readonly checkpointFoldSeconds = new Histogram({ name: 'tidewatch_checkpoint_fold_seconds', help: 'time to fold a journal chain into a whole checkpoint in a worker thread (processing goes on meanwhile)', buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600], registers: [this.registry] });
  readonly rulesInForce = new Gauge({ name: 'tidewatch_rules_in_force', help: 'rules in force, labelled with the first 16 hex digits of their fingerprint (ids, versions and file digests): every instance running the same rules shows the same one', labelNames: ['fingerprint'], registers: [this.registry] });
  readonly ruleReloads = new Counter({ name: 'tidewatch_rule_reloads_total', help: 'rule changes on disk taken into force (applied) or refused with the rules in force kept (refused)', labelNames: ['outcome'], registers: [this.registry] });
  readonly checkpointFailures = new Counter({ name: 'tidewatch_checkpoint_failures_total', help: 'checkpoint writes that failed (the monitor goes on; a restart then needs more history)', registers: [this.registry] });
  readonly earliestRecordTime = new Gauge({ name: 'tidewatch_input_earliest_record_timestamp_seconds', help: 'record timestamp of the earliest record of a partition rebuilt without a checkpoint: how far back the state reaches', labelNames: ['topic', 'partition'], registers: [this.registry] });
  /** Where the state's sizes come from (the monitor sets it to its pipeline's). */
  stateSizes: () => Record<string, number> = () => ({});
  private server: Server | undefined;
  healthy = false;
  /** Extra fields for the /healthz body (JSON), for a human or a readiness probe. */
  health: () => Record<string, unknown> = () => ({});
  /** Whether /readyz answers 200, and the JSON body it sends (the monitor sets it). */
  readiness: () => { ready: boolean } & Record<string, unknown> = () => ({ ready: false, phase: 'starting' });
  /** Each owned slot's cursor lag, read at each scrape (the monitor sets it). */
  slotLags: () => Record<string, number> = () => ({});
  /** Each input partition's messages past the fetch position, read at each scrape (the monitor sets it). */
  partitionLags: () => { topic: string; partition: number; lag: number }[] = () => [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(this.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: this.healthy ? 'ok' : 'down', ...this.health() }) + '\n');
      } else if (req.url === '/readyz') {
        const r = this.readiness();
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r) + '\n');
      } else if (req.url === '/metrics') {
        this.registry.metrics().then((body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body), () => res.writeHead(500).end());
      } else res.writeHead(404).end();
    });
    // A host that does not resolve or a port in use is an error to report, not an unhandled 'error' event.
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => {
        this.server!.off('error', reject);
        resolve((this.server!.address() as { port: number }).port);
      });
    });
  }

  /** Marks `phase` as the current startup phase (the gauge holds 1 for it, 0 for the others). */
  setPhase(phase: string): void {
    for (const p of PHASES) this.startupPhase.set({ phase: p }, p === phase ? 1 : 0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
