/**
 * The whole Pipeline's state in a fixed order of sections: counters, held merges and the
 * transfers whose verdict is held (held-rejudgements.ts), the three
 * id memories (dedupe, rule novelty, emitted alerts), the graph, the rule state, the market
 * price book, then (since format 11) the logins waiting for a first KYC record (kyc-pending-section.ts). The rules,
 * the decode options and every bound are configuration: they come from the restoring pipeline.
 */
import type { GraphChange } from '../graph/entity-graph.js';
import { CLOCK_SUPPORT, type Pipeline, type PipelineStats } from '../pipeline/pipeline.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { readGraph, writeGraph } from './graph-section.js';
import { readIdWindow, writeIdWindow } from './id-window-section.js';
import { readRuleState, writeRuleState } from './rule-state-section.js';
import { readPrices, writePrices } from './price-section.js';
import { readKycPending, writeKycPending } from './kyc-pending-section.js';
import { expectSection, openSection } from './sections.js';

export async function writePipeline(w: FrameWriter, pipeline: Pipeline): Promise<void> {
  const clock = pipeline.activityClock;
  const heldRejudgements = pipeline.checkpointHeld().entries().map((k) => [k.accountId, k.eventId, k.time]);
  await openSection(w, 'pipeline', { stats: pipeline.stats, heldMerges: pipeline.heldMerges, activityClock: Number.isFinite(clock) ? clock : null, clockSupport: pipeline.clockSupport, refusedLeaps: pipeline.refusedLeaps, heldRejudgements, kycPending: true });
  await writeIdWindow(w, 'pipeline.dedupe', pipeline.checkpointDedupe());
  const { alerted, emitted } = pipeline.engine.checkpointWindows();
  await writeIdWindow(w, 'engine.novelty', alerted);
  await writeIdWindow(w, 'engine.emitted', emitted);
  await writeGraph(w, pipeline.graph);
  await writeRuleState(w, pipeline.state);
  await writePrices(w, pipeline.prices);
  await writeKycPending(w, pipeline.checkpointKyc());
}

/** Restores into a pipeline that has processed nothing and was built without labels. */
export async function readPipeline(r: FrameReader, pipeline: Pipeline): Promise<void> {
  if (pipeline.stats.read !== 0) throw new Error('restore needs a fresh pipeline (this one has processed messages)');
  const head = await expectSection<{ stats: PipelineStats; heldMerges: GraphChange[]; activityClock?: number | null; clockSupport?: number; refusedLeaps?: number; heldRejudgements?: [string, string, number][]; kycPending?: boolean }>(r, 'pipeline');
  await readIdWindow(r, 'pipeline.dedupe', pipeline.checkpointDedupe());
  const { alerted, emitted } = pipeline.engine.checkpointWindows();
  await readIdWindow(r, 'engine.novelty', alerted);
  await readIdWindow(r, 'engine.emitted', emitted);
  await readGraph(r, pipeline.graph);
  await readRuleState(r, pipeline.state, (raw) => pipeline.decodeStored(raw));
  await readPrices(r, pipeline.prices);
  // Format 10 and before kept no waiting logins: none waits (a first KYC record read after the restore judges no login again).
  if (head.kycPending === true) await readKycPending(r, pipeline.checkpointKyc(), (raw) => pipeline.decodeStored(raw));
  Object.assign(pipeline.stats, head.stats);
  // A checkpoint written before the clock was kept: the graph's clock (all events) stands in.
  pipeline.activityClock = typeof head.activityClock === 'number' ? head.activityClock : head.activityClock === null ? Number.NEGATIVE_INFINITY : pipeline.graph.clock;
  // A checkpoint before session 45 carries no support: a clock it kept had the support of the history behind it.
  pipeline.clockSupport = typeof head.clockSupport === 'number' ? head.clockSupport : Number.isFinite(pipeline.activityClock) ? CLOCK_SUPPORT : 0;
  pipeline.refusedLeaps = typeof head.refusedLeaps === 'number' ? head.refusedLeaps : 0;
  pipeline.heldMerges.push(...head.heldMerges);
  // Format 9 and before held no verdict (those builds judged a transfer again at once): nothing waits.
  // A pipeline restored without a hold (REJUDGEMENT_HOLD_MINUTES=0) judges them at its next message.
  const held = pipeline.checkpointHeld();
  for (const entry of head.heldRejudgements ?? []) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || typeof entry[2] !== 'number') r.fail('a held re-judgement is not [account, event id, time]');
    held.hold({ accountId: entry[0], eventId: entry[1], time: entry[2] });
  }
  // Deposits sent with no sender take it again from the restored graph, or wait for their chain record.
  pipeline.restoreSenders();
}
