import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, monitorTopics } from '../../src/config/config.js';
import { DEFAULT_TOPICS, INPUT_TOPICS } from '../../src/contract/schemas.js';
import { createLogger } from '../../src/observability/logger.js';

describe('configuration', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_GROUP_ID: 'tidewatch', REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_FETCH_MAX_WAIT_MS: 500 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ KAFKA_BROKERS: 'localhost' }, /KAFKA_BROKERS: expected host:port/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL: expected redis:\/\//],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, /KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME/],
    [{ METRICS_PORT: '99999' }, /METRICS_PORT/],
    [{ DEDUPE_MAX_IDS: 'lots' }, /DEDUPE_MAX_IDS/],
    [{ DEDUPE_WINDOW_DAYS: '0' }, /DEDUPE_WINDOW_DAYS/],
    [{ KAFKA_FETCH_MAX_WAIT_MS: '5' }, /KAFKA_FETCH_MAX_WAIT_MS/],
    [{ MONITOR_PARTITION_BUFFER: '16' }, /MONITOR_PARTITION_BUFFER/],
    [{ MONITOR_BUFFER_MAX: '10' }, /MONITOR_BUFFER_MAX/],
    [{ MONITOR_BUFFER_MAX: '2000', MONITOR_PARTITION_BUFFER: '4096' }, /MONITOR_BUFFER_MAX must be at least MONITOR_PARTITION_BUFFER/],
    [{ KAFKA_FETCH_PARTITION_BYTES: '1kb' }, /KAFKA_FETCH_PARTITION_BYTES/],
    [{ KAFKA_FETCH_MAX_BYTES: '100' }, /KAFKA_FETCH_MAX_BYTES/],
  ])('stops start-up naming the bad value: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lets flags override the environment, and accepts TLS and SASL settings', () => {
    const c = loadConfig({ KAFKA_GROUP_ID: 'env', REDIS_URL: 'rediss://cache:6380' }, { KAFKA_GROUP_ID: 'flag', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL: 'true' });
    expect(c).toMatchObject({ KAFKA_GROUP_ID: 'flag', KAFKA_SSL: true, REDIS_URL: 'rediss://cache:6380' });
  });

  it('takes the monitor\'s topics from KAFKA_INPUT_TOPICS, KAFKA_ALERT_TOPIC and KAFKA_OWNERSHIP_TOPIC, flags first, the contract\'s by default (session 61 QA: the variables were ignored)', () => {
    expect(monitorTopics(loadConfig({}))).toEqual({ inputTopics: INPUT_TOPICS, alertTopic: DEFAULT_TOPICS.alerts, ownershipTopic: undefined });
    const env = { KAFKA_INPUT_TOPICS: 'qa.exchange.deposits, qa.exchange.logins', KAFKA_ALERT_TOPIC: 'qa.alerts', KAFKA_OWNERSHIP_TOPIC: 'qa.exchange.logins' };
    expect(monitorTopics(loadConfig(env))).toEqual({ inputTopics: ['qa.exchange.deposits', 'qa.exchange.logins'], alertTopic: 'qa.alerts', ownershipTopic: 'qa.exchange.logins' });
    expect(monitorTopics(loadConfig(env, { KAFKA_INPUT_TOPICS: 'flag.a', KAFKA_ALERT_TOPIC: 'flag.alerts', KAFKA_OWNERSHIP_TOPIC: undefined }))).toEqual({ inputTopics: ['flag.a'], alertTopic: 'flag.alerts', ownershipTopic: 'qa.exchange.logins' });
    expect(() => loadConfig({ KAFKA_INPUT_TOPICS: 'a,,b' })).toThrow(/KAFKA_INPUT_TOPICS: expected comma-separated topic names/);
    expect(() => loadConfig({ KAFKA_ALERT_TOPIC: ' ' })).toThrow(/KAFKA_ALERT_TOPIC/);
  });
});

describe('state metrics', () => {
  it('reports every bounded structure\'s size at each scrape', async () => {
    const { Metrics } = await import('../../src/observability/metrics.js');
    const { Pipeline } = await import('../../src/pipeline/pipeline.js');
    const { rules, sampleLines } = await import('../helpers/sample.js');
    const pipeline = new Pipeline({ rules: rules() });
    sampleLines().slice(0, 500).forEach((l, i) => pipeline.process(l, { line: i + 1 }));
    const metrics = new Metrics();
    metrics.stateSizes = () => pipeline.stateSizes();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/tidewatch_state_entries\{structure="dedupe_ids"\} 500/);
    expect(text).toMatch(/tidewatch_state_entries\{structure="dedupe_window_days"\} 400/);
    expect(text).toMatch(/tidewatch_state_entries\{structure="graph_addresses"\} [1-9]/);
  });
});

describe('input-behind metric', () => {
  it('gives the figure /readyz gives, read at each scrape, and NaN while it is not known (never a 0 that reads as caught up)', async () => {
    const { Metrics } = await import('../../src/observability/metrics.js');
    const metrics = new Metrics();
    // prom-client writes NaN as `Nan`; Prometheus reads it case-blind.
    expect(await metrics.registry.metrics()).toMatch(/^tidewatch_input_behind_messages NaN$/im); // starting: readiness says nothing yet
    let behind: number | null = 1234;
    metrics.readiness = () => ({ ready: false, phase: 'catching-up', behind });
    expect(await metrics.registry.metrics()).toMatch(/^tidewatch_input_behind_messages 1234$/m);
    behind = 7;
    expect(await metrics.registry.metrics()).toMatch(/^tidewatch_input_behind_messages 7$/m);
    behind = null; // the reader has not been given its partitions (a rebalance)
    expect(await metrics.registry.metrics()).toMatch(/^tidewatch_input_behind_messages NaN$/im);
  });
});

describe('logging', () => {
  it('redacts IPs, devices, addresses, KYC and raw messages but keeps account ids', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    createLogger('info', sink).info({ event: { accountId: 'acct-1', ip: '1.2.3.4', deviceId: 'dev-9', to: '0xabc', customer: { kycCountry: 'US' } }, dead: { raw: '{"secret":1}' } }, 'x');
    const line = lines.join('');
    expect(line).toContain('acct-1');
    for (const secret of ['1.2.3.4', 'dev-9', '0xabc', 'kycCountry', 'secret']) expect(line).not.toContain(secret);
  });

  it('redacts them at the top of a log call\'s object too, not only one level down (pino\'s *.ip is only the latter)', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    createLogger('info', sink).warn({ accountId: 'acct-1', ip: '1.2.3.4', deviceId: 'dev-9', address: '0xabc', from: ['0xdef'], session: { ip: '5.6.7.8' }, customer: { kycCountry: 'US' }, password: 'pw-42', sasl: { password: 'pw-43' } }, 'x');
    const line = lines.join('');
    expect(line).toContain('acct-1');
    for (const secret of ['1.2.3.4', 'dev-9', '0xabc', '0xdef', '5.6.7.8', 'kycCountry', 'pw-42', 'pw-43']) expect(line).not.toContain(secret);
  });
});
