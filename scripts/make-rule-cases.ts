/**
 * Regenerates each rule folder's cases/ from the simulator (run: npx tsx scripts/make-rule-cases.ts).
 * A case is a small JSONL stream and an expectation file: the accounts that must raise the
 * typology at medium or above, and the lookalike accounts that must not. The output is committed
 * and reviewed like code; the simulator is only how it was first written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { CASE_BUILDERS, EXTRA_CASE_BUILDERS, buildCase } from '../src/simulate/scenarios.js';
import { EXPOSURE_CASE_BUILDERS } from '../src/simulate/exposure-scenarios.js';

const onlyExtra = process.argv.includes('--only-extra');

let seed = 100;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const builders = Object.entries({ ...CASE_BUILDERS, ...EXPOSURE_CASE_BUILDERS });
// Seeds follow the builders' order, so a folder's cases come out the same when regenerated alone.
for (const [typology, { positive, negative }] of onlyExtra ? [] : builders) {
  if (only && !only.includes(typology)) { seed += 2; continue; }
  const dir = `rules/${typology}/cases`;
  mkdirSync(dir, { recursive: true });
  for (const [kind, build] of [['positive', positive], ['negative', negative]] as const) {
    const { lines, truth } = buildCase(build, seed++);
    const planted = Object.entries(truth.accounts).filter(([, t]) => t.includes(typology)).map(([a]) => a);
    // pass-through is informational: its positive is an honest-looking quick mover, alerted at low.
    const mustAlert = kind === 'positive' ? (planted.length ? planted : truth.benign) : [];
    const mustNotAlert = kind === 'positive' ? [] : truth.benign;
    writeFileSync(`${dir}/${kind}.jsonl`, lines.join('\n') + '\n');
    writeFileSync(`${dir}/${kind}.expect.json`, JSON.stringify({ typology, minSeverity: typology === 'pass-through' ? 'low' : 'medium', description: kind === 'positive' ? `planted ${typology}` : Object.values(truth.lookalikes).filter((v, i, a) => a.indexOf(v) === i).join('; '), mustAlert, mustNotAlert }, null, 1) + '\n');
  }
}

// Rules that share a folder (and typology) with another: cases/<name>-positive.jsonl and -negative.
seed = 200;
for (const { folder, name, positive, negative } of EXTRA_CASE_BUILDERS) {
  const dir = `rules/${folder}/cases`;
  for (const [kind, build] of [['positive', positive], ['negative', negative]] as const) {
    const { lines, truth } = buildCase(build, seed++);
    const planted = Object.entries(truth.accounts).filter(([, t]) => t.includes(folder)).map(([a]) => a);
    writeFileSync(`${dir}/${name}-${kind}.jsonl`, lines.join('\n') + '\n');
    writeFileSync(`${dir}/${name}-${kind}.expect.json`, JSON.stringify({ typology: folder, minSeverity: 'medium', description: kind === 'positive' ? `planted ${name}` : Object.values(truth.lookalikes).filter((v, i, a) => a.indexOf(v) === i).join('; '), mustAlert: kind === 'positive' ? planted : [], mustNotAlert: kind === 'positive' ? [] : truth.benign }, null, 1) + '\n');
  }
}
