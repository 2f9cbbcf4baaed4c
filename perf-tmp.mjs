import { readFileSync } from 'node:fs';
import { decodeMessage } from './dist/decode/decode.js';
import { Pipeline } from './dist/pipeline/pipeline.js';
import { loadRuleSet } from './dist/engine/loader.js';
import { loadSdnFile, sdnLabels } from './dist/intel/ofac.js';
const lines = readFileSync('/tmp/tidewatch-bench/stream-50000.jsonl','utf8').trim().split('\n');
const time = (name, f) => { const t0=performance.now(); f(); const s=(performance.now()-t0)/1000; console.log(name.padEnd(30), Math.round(lines.length/s), 'msg/s'); };
for (let k=0;k<2;k++){
time('JSON.parse', () => { for (const l of lines) JSON.parse(l); });
time('decode (zod+normalise)', () => { for (const l of lines) decodeMessage(l); });
time('pipeline no rules', () => { const p = new Pipeline({ rules: [] }); for (const l of lines) p.process(l, {}); });
const rules = loadRuleSet('rules'); const labels = sdnLabels(loadSdnFile());
time('pipeline all rules', () => { const p = new Pipeline({ rules, labels }); for (const l of lines) p.process(l, {}); });
for (const r of rules) time('  only '+r.spec.id, () => { const p = new Pipeline({ rules: [r], labels }); for (const l of lines) p.process(l, {}); });
}
