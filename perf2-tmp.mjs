import { readFileSync } from 'node:fs';
import { Pipeline } from './dist/pipeline/pipeline.js';
const lines = readFileSync('/tmp/tidewatch-bench/stream-50000.jsonl','utf8').trim().split('\n');
for (let k=0;k<3;k++){ const p = new Pipeline({ rules: [] }); const t0=performance.now(); for (const l of lines) p.process(l, {}); console.log(Math.round(lines.length/((performance.now()-t0)/1000))); }
