import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { DISPOSITIONS, type Case, type CaseStatus, type Disposition } from '../cases/case-model.js';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import { loadConfig } from '../config/config.js';

async function withStore<T>(f: (s: RedisCaseStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    return await f(new RedisCaseStore(redis, config.REDIS_KEY_PREFIX));
  } finally {
    redis.disconnect();
  }
}

const row = (c: Case): string => `${c.caseId.padEnd(26)} ${c.subject.padEnd(18)} ${c.status.padEnd(9)} ${c.severity.padEnd(8)} ${String(c.score).padStart(5)}  ${String(c.alertCount).padStart(3)} alerts  ${c.typologies.join(', ')}${c.analyst ? `  (${c.analyst})` : ''}`;

export function registerCases(program: Command): void {
  const cases = program.command('cases').description("the analysts' case queue in Redis (REDIS_URL)");
  cases.command('list').option('--status <s>', 'open | claimed | resolved').option('--json', 'print a JSON array').action(async (opts: { status?: string; json?: boolean }) => {
    if (opts.status && !['open', 'claimed', 'resolved'].includes(opts.status)) throw new Error(`--status: one of open, claimed, resolved, not ${opts.status}`);
    const list = await withStore((s) => s.list(opts.status ? { status: opts.status as CaseStatus } : {}));
    if (opts.json) console.log(JSON.stringify(list.map((c) => ({ caseId: c.caseId, subject: c.subject, status: c.status, score: c.score, severity: c.severity, typologies: c.typologies, alertIds: c.alertIds }))));
    else for (const c of list) console.log(row(c));
  });
  cases.command('show').argument('<id>').action(async (id: string) => {
    const [c, audit] = await withStore(async (s) => [await s.get(id), await s.audit(id)] as const);
    if (!c) throw new Error(`no case ${id}`);
    console.log(JSON.stringify({ ...c, audit }, null, 2));
  });
  cases.command('claim').option('--analyst <a>', 'who claims', process.env.USER ?? 'analyst').option('--lease <minutes>', 'lease length', '30').action(async (opts: { analyst: string; lease: string }) => {
    const c = await withStore((s) => s.claim(opts.analyst, Number(opts.lease) * 60_000, Date.now()));
    console.log(c ? row(c) : 'no open case');
  });
  cases.command('release').argument('<id>').option('--analyst <a>', 'who releases', process.env.USER ?? 'analyst').action(async (id: string, opts: { analyst: string }) => {
    if (!(await withStore((s) => s.release(id, opts.analyst, Date.now())))) throw new Error(`${id} is not claimed by ${opts.analyst}`);
    console.log(`released ${id}`);
  });
  cases.command('resolve').argument('<id>').requiredOption('--disposition <d>', DISPOSITIONS.join(' | ')).requiredOption('--note <n>', 'the analyst note').option('--analyst <a>', 'who resolves', process.env.USER ?? 'analyst')
    .action(async (id: string, opts: { disposition: string; note: string; analyst: string }) => {
      if (!DISPOSITIONS.includes(opts.disposition as Disposition)) throw new Error(`--disposition: one of ${DISPOSITIONS.join(', ')}, not ${opts.disposition}`);
      if (!(await withStore((s) => s.resolve(id, opts.disposition as Disposition, opts.note, opts.analyst, Date.now())))) throw new Error(`${id} could not be resolved (missing, resolved, or claimed by someone else)`);
      console.log(`resolved ${id}: ${opts.disposition}`);
    });
}
