import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRuleSet } from '../../src/engine/loader.js';
import { loadSdnFile, sdnLabels } from '../../src/intel/ofac.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const samplePath = `${root}examples/stream.jsonl`;
export const truthPath = `${root}examples/truth.json`;
export const rulesDir = `${root}rules`;
export const fixtures = `${root}test/fixtures`;

export const rules = () => loadRuleSet(rulesDir);
export const ofacLabels = () => sdnLabels(loadSdnFile());
export const sampleLines = (): string[] => readFileSync(samplePath, 'utf8').split('\n').filter((l) => l.trim() !== '');
