/** Prometheus metrics (prom-client) and /healthz on one HTTP port. */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly consumed = new Counter({ name: 'tidewatch_messages_consumed_total', help: 'input messages consumed', labelNames: ['topic'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'tidewatch_messages_rejected_total', help: 'input messages sent to the dead-letter topic', labelNames: ['topic', 'code'], registers: [this.registry] });
  readonly alerts = new Counter({ name: 'tidewatch_alerts_total', help: 'alerts this instance published (for the slots it owns)', labelNames: ['typology', 'severity'], registers: [this.registry] });
  readonly slotLag = new Gauge({ name: 'tidewatch_slot_cursor_lag', help: 'input messages past a slot cursor: read or not, not yet covered by a committed publish', labelNames: ['slot'], registers: [this.registry] });
  readonly slots = new Gauge({ name: 'tidewatch_slots_owned', help: 'publishing slots (ownership-topic partitions) this instance holds', registers: [this.registry] });
  readonly rereads = new Counter({ name: 'tidewatch_rereads_total', help: 'full re-reads from the first offset, forced by taking a slot whose outputs this instance had not kept', registers: [this.registry] });
  readonly lag = new Gauge({ name: 'tidewatch_consumer_lag', help: 'messages behind the high watermark', labelNames: ['topic', 'partition'], registers: [this.registry] });
  readonly batchSeconds = new Histogram({ name: 'tidewatch_batch_seconds', help: 'time to process, publish and commit one release of messages', buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });
  /** Entries held per bounded structure, read from `stateSizes` at each scrape. */
  readonly stateEntries = new Gauge({
    name: 'tidewatch_state_entries', help: 'entries held per in-process state structure (bounded; see the README state table)', labelNames: ['structure'], registers: [this.registry],
    collect: () => { for (const [structure, n] of Object.entries(this.stateSizes())) this.stateEntries.set({ structure }, n); },
  });
  /** Where the state's sizes come from (the monitor sets it to its pipeline's). */
  stateSizes: () => Record<string, number> = () => ({});
  private server: Server | undefined;
  healthy = false;
  /** Extra fields for the /healthz body (JSON), for a human or a readiness probe. */
  health: () => Record<string, unknown> = () => ({});

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(this.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: this.healthy ? 'ok' : 'starting', ...this.health() }) + '\n');
      } else if (req.url === '/metrics') {
        this.registry.metrics().then((body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body), () => res.writeHead(500).end());
      } else res.writeHead(404).end();
    });
    return new Promise((resolve) => this.server!.listen(port, host, () => resolve((this.server!.address() as { port: number }).port)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
