/**
 * The order in which `vitest run` starts test files: the longest first, with the files that mostly
 * wait (integration and browser: Kafka group changes, sessions, child processes) kept beside the
 * CPU-bound unit files rather than all before them.
 *
 * Vitest's own order, on a fresh clone with no results cache, is by project name (browser,
 * integration, unit) and then by file size: the unit files all came after the integration files,
 * and the three longest integration files started minutes in, leaving a long tail.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds a file took in session 48's runs of the unit and the integration projects (a shared
 * 2-core machine, loaded by other work), for the files long enough to matter: an estimate, used
 * only for the order. The five longest are session 49's fresh-clone CI run's figures, cases-cli's
 * scaled by what session 50 cut of it (alone: 107 and 126 s before, 50 to 76 s after), so that the
 * console's browser file and kafka-console-clients, which took twice session 48's time there,
 * start earlier. Session 62 adds the unit files its run (beside other work, load 13 to 27) found
 * long but listed nowhere, which the default of 2 s left to start in name order: their figures
 * there divided by 7, that run's ratio to the listed figures of config-mistakes, address-memory and
 * checkpoint-replay-cli. Session 64 adds monitor-lateness, the longest file of session 63's CI
 * (313 s with its cases one after another; unlisted, it was taken for 8 s, the default, and started
 * after the long files), at about that run's figure, so that it starts first. Session 65 cut that
 * file's stream (8,000 to 2,000 lines) and its JVM starts: 525 s against 1,168 s for the file
 * before, run side by side at a load of 30 to 38; its figure is session 64's CI figure (654 s, the
 * scale the other integration figures are near) scaled by that, so it still starts first. Once
 * vitest has a results cache (any earlier run in this checkout), the cached duration is used instead.
 */
const KNOWN_SECONDS: Record<string, number> = {
  'integration:test/integration/monitor-lateness.test.ts': 290,
  'integration:test/integration/monitor-scale-out.test.ts': 220,
  'integration:test/integration/monitor.test.ts': 145,
  'browser:test/browser/console.browser.test.ts': 115,
  'integration:test/integration/kafka-console-clients.test.ts': 115,
  'integration:test/integration/monitor-restart-without-history.test.ts': 95,
  'integration:test/integration/cases-cli.test.ts': 85,
  'integration:test/integration/console-users-cli.test.ts': 45,
  'integration:test/integration/monitor-read-balance.test.ts': 30,
  'integration:test/integration/monitor-redis-restart.test.ts': 30,
  'unit:test/unit/checkpoint-fold.test.ts': 60, // session 62: 589 s in its loaded run, 118 s in session 50's CI; 20% less CPU since
  'unit:test/unit/checkpoint-replay-cli.test.ts': 30,
  'integration:test/integration/redis-checkpoint-store.test.ts': 25,
  'integration:test/integration/monitor-wrong-topic.test.ts': 25,
  'integration:test/integration/monitor-crash-reapply-order.test.ts': 25,
  'integration:test/integration/kafka-tls.test.ts': 25,
  'unit:test/unit/config-mistakes.test.ts': 23,
  'integration:test/integration/monitor-lag-during-outage.test.ts': 21,
  'integration:test/integration/market-prices.test.ts': 20,
  'unit:test/unit/address-memory.test.ts': 20,
  'unit:test/unit/account-timeline.test.ts': 17,
  'unit:test/unit/also-alert-scoring.test.ts': 16,
  'unit:test/unit/aggregator.test.ts': 15,
  'unit:test/unit/address-cache.test.ts': 9,
  'integration:test/integration/monitor-fatal.test.ts': 19,
};

/** A file not listed and not cached: most unit files take a second or two, integration files several. */
const DEFAULT_SECONDS: Record<string, number> = { unit: 2, browser: 10, integration: 8 };

/** Projects whose files spend most of their time waiting, not on the CPU. */
const WAITING_PROJECTS = new Set(['browser', 'integration']);

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const byGroup = new Map<number, TestSpecification[]>();
    for (const spec of files) {
      const group = spec.project.config.sequence.groupOrder;
      byGroup.set(group, [...(byGroup.get(group) ?? []), spec]);
    }
    return [...byGroup].sort(([a], [b]) => a - b).flatMap(([, specs]) => this.interleave(specs));
  }

  private expectedSeconds(spec: TestSpecification): number {
    const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
    const cached = this.ctx.cache.getFileTestResults(key);
    if (cached && cached.duration > 0) return cached.duration / 1000;
    return KNOWN_SECONDS[key] ?? DEFAULT_SECONDS[spec.project.name] ?? 2;
  }

  /**
   * The longest first within each kind, merged so that each kind's share of its expected time
   * grows evenly: the waiting files are spread over the whole run, beside the unit files, rather
   * than all before or after them. Only the ratio of the estimates matters, not their scale.
   */
  private interleave(specs: TestSpecification[]): TestSpecification[] {
    const longestFirst = (list: TestSpecification[]): { spec: TestSpecification; seconds: number }[] =>
      list.map((spec) => ({ spec, seconds: this.expectedSeconds(spec) })).sort((a, b) => b.seconds - a.seconds);
    const kinds = [
      longestFirst(specs.filter((s) => WAITING_PROJECTS.has(s.project.name))),
      longestFirst(specs.filter((s) => !WAITING_PROJECTS.has(s.project.name))),
    ].map((queue) => ({ queue, total: queue.reduce((sum, f) => sum + f.seconds, 0), started: 0 }));
    const order: TestSpecification[] = [];
    for (;;) {
      const open = kinds.filter((k) => k.queue.length > 0);
      if (open.length === 0) return order;
      const next = open.reduce((a, b) => (b.started / b.total < a.started / a.total ? b : a));
      const file = next.queue.shift()!;
      next.started += file.seconds;
      order.push(file.spec);
    }
  }
}
