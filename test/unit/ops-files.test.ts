/**
 * The operations files (docker-compose.yml, the systemd units, the env example) are not run by
 * CI: no Docker engine or systemd runs on the project's machines. This test pins what matters in
 * them and could regress unnoticed: health checks and start order, Kafka's data on a volume with
 * unlimited retention, a stop that gives the monitor time to commit, an unprivileged hardened
 * unit, and an env example that lists exactly the variables src/config/config.ts reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../src/config/config.js';
import { YOUNG_GENERATION_FLAG } from '../../src/config/node-flags.js';

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(`../../${rel}`, import.meta.url)), 'utf8');

/** The variables the monitor reads: the keys of the zod object inside the refinement. */
const schemaKeys = Object.keys(envSchema.shape).sort();

// ---------- a tiny systemd unit reader ----------

type Unit = Map<string, Map<string, string[]>>;

/** Sections of key=value lines; a repeated key keeps every value; `#`/`;` comments; `\` continues a line. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]!) ?? new Map<string, string[]>();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

/** All values of a key (an empty list if absent). */
const all = (unit: Unit, section: string, key: string): string[] => unit.get(section)?.get(key) ?? [];
/** The value in force: the last assignment, as systemd reads it. */
const last = (unit: Unit, section: string, key: string): string | undefined => all(unit, section, key).at(-1);

/** A systemd time span ("90s", "1min 30s", "15min", a bare number of seconds) in seconds. */
function seconds(span: string): number {
  if (/^\d+(\.\d+)?$/.test(span)) return Number(span);
  const units: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86400 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let consumed = '';
  for (let m = re.exec(span); m; m = re.exec(span)) {
    const factor = units[m[2]!];
    if (factor === undefined) throw new Error(`unknown time unit in ${span}`);
    total += Number(m[1]) * factor;
    consumed += m[0];
  }
  if (consumed.replace(/\s/g, '') !== span.replace(/\s/g, '')) throw new Error(`not a time span: ${span}`);
  return total;
}

/** A systemd or Node size ("4G", "512M") in bytes. */
function bytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size);
  if (!m) throw new Error(`not a size: ${size}`);
  return Number(m[1]) * (m[2] ? 1024 ** ('KMGT'.indexOf(m[2]) + 1) : 1);
}

// ---------- the env example ----------

/** `KEY=value` lines are active settings; `#KEY=value` lines (no space) are optional ones left off. */
function parseEnvExample(text: string): { active: Record<string, string>; listed: string[] } {
  const active: Record<string, string> = {};
  const listed: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    listed.push(m[2]!);
    if (m[1] === '') active[m[2]!] = m[3]!;
  }
  return { active, listed };
}

describe('infra/monitor.env.example', () => {
  const { active, listed } = parseEnvExample(read('infra/monitor.env.example'));

  it('lists every variable of the config schema, and nothing else', () => {
    expect(schemaKeys.length).toBeGreaterThan(10);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(schemaKeys);
  });

  it('shows the real defaults on its active lines, and parses as a valid configuration', () => {
    expect(envSchema.parse(active)).toEqual(envSchema.parse({}));
  });

  it('holds no secret: the SASL password is left off and the Redis URL has no credentials', () => {
    expect(active.KAFKA_SASL_PASSWORD).toBeUndefined();
    expect(active.REDIS_URL).not.toContain('@');
  });
});

// ---------- the systemd units ----------

describe.each([
  ['infra/tidewatch-monitor.service', false],
  ['infra/tidewatch-monitor@.service', true],
])('%s', (path, template) => {
  const unit = parseUnit(read(path));
  const svc = (key: string): string | undefined => last(unit, 'Service', key);

  it('runs the built CLI as an unprivileged user', () => {
    expect(svc('ExecStart')).toMatch(/^\/\S*node (--\S+ )*\/opt\/tidewatch\/dist\/cli\/main\.js monitor\b/);
    const user = svc('User');
    expect(user).toBeTruthy();
    expect(['root', '0']).not.toContain(user);
    if (template) expect(svc('ExecStart')).toMatch(/--instance \S*%i/);
  });

  it('takes its configuration and secrets only from the env file', () => {
    const files = all(unit, 'Service', 'EnvironmentFile');
    // No leading "-": a missing file must stop the start, not run on defaults.
    expect(files[0]).toBe('/etc/tidewatch/monitor.env');
    if (template) expect(files).toContain('/etc/tidewatch/monitor-%i.env');
    const setInUnit = all(unit, 'Service', 'Environment').flatMap((v) => v.split(/\s+/)).map((kv) => kv.split('=')[0]!);
    expect(setInUnit.filter((k) => schemaKeys.includes(k))).toEqual([]);
  });

  it('is always restarted, at a sane pace, and gives up on a tight crash loop', () => {
    expect(svc('Restart')).toBe('always');
    expect(seconds(svc('RestartSec') ?? '0')).toBeGreaterThanOrEqual(1);
    expect(seconds(last(unit, 'Unit', 'StartLimitIntervalSec') ?? '0')).toBeGreaterThan(0);
    expect(Number(last(unit, 'Unit', 'StartLimitBurst'))).toBeGreaterThan(1);
    expect(all(unit, 'Unit', 'After').join(' ')).toContain('network-online.target');
    expect(all(unit, 'Unit', 'Wants').join(' ')).toContain('network-online.target');
  });

  it('stops with SIGTERM and waits long enough for the step in hand to commit', () => {
    expect(svc('KillSignal')).toBe('SIGTERM');
    expect(seconds(svc('TimeoutStopSec') ?? '0')).toBeGreaterThanOrEqual(30);
  });

  it('keeps the Node heap below the memory limits', () => {
    const heap = /--max-old-space-size=(\d+)/.exec(all(unit, 'Service', 'Environment').join(' '));
    expect(heap).not.toBeNull();
    const heapBytes = Number(heap![1]) * 1024 ** 2;
    expect(heapBytes).toBeLessThan(bytes(svc('MemoryHigh')!));
    expect(bytes(svc('MemoryHigh')!)).toBeLessThan(bytes(svc('MemoryMax')!));
    expect(Number(svc('LimitNOFILE'))).toBeGreaterThanOrEqual(4096);
  });

  it('is hardened, with only its state directory writable', () => {
    expect(svc('NoNewPrivileges')).toBe('yes');
    expect(svc('ProtectSystem')).toBe('strict');
    expect(svc('ProtectHome')).toBe('yes');
    expect(svc('PrivateTmp')).toBe('yes');
    expect(svc('MemoryDenyWriteExecute')).toBeUndefined(); // V8's JIT needs it off
    expect(svc('StateDirectory')).toBe(template ? 'tidewatch/%i' : 'tidewatch');
    expect(svc('ReadWritePaths')).toBe(`/var/lib/${svc('StateDirectory')}`);
  });
});

// ---------- docker-compose.yml ----------

interface Service {
  image?: string;
  profiles?: string[];
  volumes?: string[];
  environment?: Record<string, string | number | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  stop_grace_period?: string;
  stop_signal?: string;
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

/** Compose environment as a map, from either of its two spellings. */
function env(service: Service): Record<string, string> {
  const e = service.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

describe('docker-compose.yml', () => {
  // merge: compose supports YAML merge keys (`<<: *monitor`), used by monitor-2.
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
  const services = Object.entries(compose.services);
  const monitors = services.filter(([name]) => name.startsWith('monitor'));
  const kafka = compose.services.kafka!;

  it('gives every service a health check', () => {
    expect(services.map(([name]) => name)).toEqual(expect.arrayContaining(['kafka', 'redis', 'monitor']));
    for (const [name, s] of services) {
      const test = s.healthcheck?.test;
      expect(s.healthcheck?.disable, name).not.toBe(true);
      expect(Array.isArray(test) ? test.length > 1 && test[0] !== 'NONE' : typeof test === 'string' && test.length > 0, name).toBe(true);
    }
  });

  it('starts each monitor only once Kafka and Redis are healthy', () => {
    expect(monitors.length).toBeGreaterThanOrEqual(1);
    for (const [name, s] of monitors) {
      expect(s.depends_on, name).toMatchObject({ kafka: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
  });

  it('checks each monitor on /healthz at a fixed metrics port of its own, and lets it stop cleanly', () => {
    const ports = monitors.map(([, s]) => env(s).METRICS_PORT);
    for (const port of ports) expect(Number(port)).toBeGreaterThan(0);
    expect(new Set(ports).size).toBe(ports.length);
    for (const [name, s] of monitors) {
      expect(JSON.stringify(s.healthcheck?.test), name).toContain('/healthz');
      expect(JSON.stringify(s.healthcheck?.test), name).toContain('METRICS_PORT');
      expect(s.stop_signal ?? 'SIGTERM', name).toBe('SIGTERM');
      expect(seconds(s.stop_grace_period ?? '10s'), name).toBeGreaterThanOrEqual(30);
      // Anything a monitor is given must be a variable the monitor reads (or Node's own).
      expect(Object.keys(env(s)).filter((k) => !schemaKeys.includes(k) && k !== 'NODE_OPTIONS'), name).toEqual([]);
    }
  });

  it("keeps Kafka's log dirs on a named volume", () => {
    const named = (kafka.volumes ?? []).map((v) => v.split(':')).filter(([source]) => Object.hasOwn(compose.volumes ?? {}, source!));
    expect(named.length).toBeGreaterThan(0);
    const mounts = named.map(([, target]) => target!.replace(/\/$/, ''));
    const logDirs = env(kafka).KAFKA_LOG_DIRS?.split(',') ?? [];
    expect(logDirs.length).toBeGreaterThan(0);
    for (const dir of logDirs) expect(mounts.some((m) => dir === m || dir.startsWith(`${m}/`)), dir).toBe(true);
    expect(env(kafka).CLUSTER_ID, 'a fixed cluster id, so a restart reuses the formatted storage').toBeTruthy();
  });

  it('keeps the input history: broker retention is infinite', () => {
    const e = env(kafka);
    expect(e.KAFKA_LOG_RETENTION_MS).toBe('-1');
    expect(e.KAFKA_LOG_RETENTION_BYTES ?? '-1').toBe('-1');
  });
});

// ---------- the V8 flag every process starts with ----------

describe('the young-generation flag (src/config/node-flags.ts) on every start-up path', () => {
  const has = (text: string | undefined): boolean => (text ?? '').split(/\s+/).includes(YOUNG_GENERATION_FLAG);
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

  it('the CLI shebang, so ./dist/cli/main.js and the npm bin start with it', () => {
    expect(read('src/cli/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${YOUNG_GENERATION_FLAG}`);
  });

  it('every npm script that starts the pipeline or a benchmark', () => {
    for (const name of ['start', 'bench', 'bench:soak', 'bench:kafka', 'bench:ab']) {
      const nodeCalls = scripts[name]!.split('&&').map((s) => s.trim()).filter((s) => s.startsWith('node '));
      expect(nodeCalls.length, name).toBeGreaterThan(0);
      for (const call of nodeCalls) expect(has(call), `${name}: ${call}`).toBe(true);
    }
  });

  it('the container entrypoint and both systemd units', () => {
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(read('Dockerfile'))?.[1];
    expect(JSON.parse(entrypoint ?? '[]')).toEqual(['node', YOUNG_GENERATION_FLAG, 'dist/cli/main.js']);
    for (const unit of ['infra/tidewatch-monitor.service', 'infra/tidewatch-monitor@.service']) expect(has(last(parseUnit(read(unit)), 'Service', 'ExecStart')), unit).toBe(true);
  });
});

describe("Kafka's command-line clients (infra/tools-pom.xml, infra/kafka-tools-bin.sh)", () => {
  it('fetches an SLF4J binding with them, of the slf4j-api major it names, so their errors are logged', () => {
    // Session 51 QA: with none (SLF4J's no-operation logger) the console producer dropped a record
    // the broker refused without a word.
    const pom = read('infra/tools-pom.xml');
    expect(pom).toMatch(/<artifactId>log4j-slf4j2-impl<\/artifactId>/);
    expect(pom).toMatch(/<artifactId>slf4j-api<\/artifactId>\s*<version>2\./);
  });

  it('logs them on stderr, never into what kafka-console-consumer writes on stdout', () => {
    const props = read('infra/tools-log4j2.properties');
    expect(props).toMatch(/^appender\.\w+\.target = SYSTEM_ERR$/m);
    expect(props).not.toMatch(/SYSTEM_OUT/);
  });

  it("writes Kafka's usual scripts, each running its class with that logging", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-kafka-bin-'));
    try {
      execFileSync('bash', [fileURLToPath(new URL('../../infra/kafka-tools-bin.sh', import.meta.url)), dir]);
      const scripts = new Map<string, [string, string]>([
        ['kafka-console-producer.sh', ['tools', 'org.apache.kafka.tools.ConsoleProducer']],
        ['kafka-console-consumer.sh', ['tools', 'org.apache.kafka.tools.consumer.ConsoleConsumer']],
        ['kafka-topics.sh', ['tools', 'org.apache.kafka.tools.TopicCommand']],
        ['kafka-consumer-groups.sh', ['tools', 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand']],
        ['kafka-get-offsets.sh', ['tools', 'org.apache.kafka.tools.GetOffsetShell']],
        ['kafka-delete-records.sh', ['tools', 'org.apache.kafka.tools.DeleteRecordsCommand']],
        ['kafka-configs.sh', ['libs', 'kafka.admin.ConfigCommand']],
      ]);
      expect(readdirSync(join(dir, 'bin')).sort()).toEqual([...scripts.keys()].sort());
      for (const [name, [jars, mainClass]] of scripts) {
        const path = join(dir, 'bin', name);
        expect(statSync(path).mode & 0o111, name).toBe(0o111);
        const text = readFileSync(path, 'utf8');
        expect(text, name).toContain(`exec java -cp "${dir}/${jars}/*" `);
        expect(text, name).toMatch(new RegExp(` ${mainClass.replace(/\./g, '\\.')} "\\$@"\n$`));
        expect(text, name).toContain('-Dlog4j2.configurationFile=' + fileURLToPath(new URL('../../infra/tools-log4j2.properties', import.meta.url)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
