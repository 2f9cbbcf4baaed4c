/**
 * `console --demo`: the in-memory case store filled by replaying the bundled sample, demo users,
 * and a clock that starts an hour after the sample's last alert, so ages and SLAs read as they
 * would on the day. No services needed.
 */
import { MemoryCaseStore } from '../cases/memory-case-store.js';
import { MemorySuppressionBackend, Suppressions } from '../cases/suppressions.js';
import { MemoryUserBackend, Users } from '../cases/users.js';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet } from '../engine/loader.js';
import { loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { replayFiles } from '../replay/replay.js';
import { AccountEvents } from '../console/account-events.js';
import { RuleBook } from '../console/rule-parameters.js';
import { MemoryAccountTimeline } from '../timeline/account-timeline.js';
import { TimelineRecorder } from '../timeline/timeline-recorder.js';

export const DEMO_PASSWORD = 'tidewatch-demo';
export const DEMO_USERS = [['ana', 'analyst'], ['bob', 'analyst'], ['sue', 'supervisor'], ['tom', 'supervisor'], ['vic', 'viewer']] as const;

export interface Demo {
  cases: MemoryCaseStore;
  users: Users;
  timelines: MemoryAccountTimeline;
  suppressions: Suppressions;
  events: AccountEvents;
  rules: RuleBook;
  clock: () => number;
}

export async function buildDemo(sample: string, rulesDir = DEFAULT_RULES_DIR): Promise<Demo> {
  const cases = new MemoryCaseStore();
  const timelines = new MemoryAccountTimeline();
  const result = await replayFiles({ files: [sample], rules: loadRuleSet(rulesDir), labels: sdnLabels(loadSdnFile()), caseStore: cases, timeline: new TimelineRecorder(timelines) });
  const users = new Users(new MemoryUserBackend(), cases);
  for (const [name, role] of DEMO_USERS) await users.add(name, role, DEMO_PASSWORD, 0);
  const lastAlert = Math.max(...result.alerts.map((a) => Date.parse(a.triggeredAt)));
  const startedAt = Date.now();
  return { cases, users, timelines, suppressions: new Suppressions(new MemorySuppressionBackend()), events: await AccountEvents.fromFiles([sample]), rules: RuleBook.read(rulesDir), clock: () => lastAlert + 3_600_000 + (Date.now() - startedAt) };
}
