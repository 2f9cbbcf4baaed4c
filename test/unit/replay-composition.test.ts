import { describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { replayFiles } from '../../src/replay/replay.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const records = (): { text: string; origin: { line: number } }[] => sampleLines().map((text, i) => ({ text, origin: { line: i + 1 } }));

describe('replay with what its caller built (composition root)', () => {
  it('runs on the pipeline and case store it is given, and gives what a self-built replay gives', async () => {
    const pipeline = new Pipeline({ rules: rules(), labels: ofacLabels() });
    const caseStore = new MemoryCaseStore();
    const given = await replayFiles({ files: [], records: records(), rules: [], labels: [], pipelineInstance: pipeline, caseStore });
    const own = await replayFiles({ files: [], records: records(), rules: rules(), labels: ofacLabels() });
    expect(given.pipeline).toBe(pipeline);
    expect(given.cases).toBe(caseStore);
    expect(pipeline.stats.read).toBe(sampleLines().length);
    expect(given.alerts).toEqual(own.alerts);
    expect(await caseStore.list()).toEqual(await own.cases.list());
  });
});
