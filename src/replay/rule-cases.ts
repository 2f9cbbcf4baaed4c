/**
 * Rules tested as code: each rule folder's `cases/<name>.jsonl` is replayed with the whole rule
 * set (so rules are tested together, as they run), and `cases/<name>.expect.json` says which
 * accounts must raise the folder's typology at `minSeverity` or above and which must not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Severity } from '../contract/schemas.js';
import type { SdnLabel } from '../intel/ofac.js';
import { replayFiles } from './replay.js';
import { loadRuleSet } from '../engine/loader.js';

export interface CaseExpectation {
  typology: string;
  minSeverity?: Severity;
  description?: string;
  mustAlert: string[];
  mustNotAlert: string[];
}

export interface CaseResult {
  file: string;
  typology: string;
  passed: boolean;
  failures: string[];
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function findCases(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.expect.json')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

export async function runRuleCases(dir: string, labels: SdnLabel[]): Promise<CaseResult[]> {
  const rules = loadRuleSet(dir);
  const results: CaseResult[] = [];
  for (const expectFile of findCases(dir)) {
    const expectation = JSON.parse(readFileSync(expectFile, 'utf8')) as CaseExpectation;
    const stream = expectFile.replace(/\.expect\.json$/, '.jsonl');
    const { alerts, summary } = await replayFiles({ files: [stream], rules, labels });
    const min = RANK[expectation.minSeverity ?? 'medium'];
    const hit = new Set(alerts.filter((a) => a.typology === expectation.typology && RANK[a.severity] >= min).map((a) => a.subject.accountId));
    const failures = [
      ...(summary.rejected > 0 ? [`${summary.rejected} line(s) of the case stream were rejected`] : []),
      ...expectation.mustAlert.filter((a) => !hit.has(a)).map((a) => `${a} raised no ${expectation.typology} alert at ${expectation.minSeverity ?? 'medium'} or above`),
      ...expectation.mustNotAlert.filter((a) => hit.has(a)).map((a) => `${a} raised a ${expectation.typology} alert it must not`),
    ];
    if (expectation.mustAlert.length + expectation.mustNotAlert.length === 0) failures.push('the case expects nothing');
    results.push({ file: stream, typology: expectation.typology, passed: failures.length === 0, failures });
  }
  return results;
}
