/**
 * The CI's file order (test/sequencer.ts) on a fresh clone, with no results cache: the longest
 * integration files start first. Session 63's CI ran monitor-lateness (313 s, its longest file)
 * unlisted, at the default estimate, after every listed integration file.
 */
import { describe, expect, it } from 'vitest';
import type { TestSpecification } from 'vitest/node';
import LongestFirstSequencer from '../sequencer.js';

const root = '/repo';
const spec = (project: string, file: string): TestSpecification => ({ project: { name: project, config: { sequence: { groupOrder: 0 } } }, moduleId: `${root}/${file}` }) as unknown as TestSpecification;
const freshClone = { config: { root }, cache: { getFileTestResults: () => undefined } };

async function integrationOrder(files: string[]): Promise<string[]> {
  const sequencer = new LongestFirstSequencer(freshClone as never);
  const sorted = await sequencer.sort(files.map((f) => spec('integration', f)));
  return sorted.map((s) => s.moduleId.slice(root.length + 1));
}

describe('LongestFirstSequencer on a fresh clone', () => {
  it("starts monitor-lateness, session 63's longest file, among the first three integration files", async () => {
    const order = await integrationOrder([
      'test/integration/kafka-roundtrip.test.ts',
      'test/integration/cases-cli.test.ts',
      'test/integration/monitor-restart-without-history.test.ts',
      'test/integration/kafka-console-clients.test.ts',
      'test/integration/monitor-lateness.test.ts',
      'test/integration/monitor.test.ts',
      'test/integration/monitor-scale-out.test.ts',
    ]);
    expect(order.indexOf('test/integration/monitor-lateness.test.ts')).toBeLessThan(3);
    expect(order.at(-1)).toBe('test/integration/kafka-roundtrip.test.ts');
  });
});
