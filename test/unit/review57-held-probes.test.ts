/**
 * Review 57 of the held re-judgements: REJUDGEMENT_HOLD_MINUTES is validated by name and reaches
 * the monitor's pipelines (the live one, a restore's and the fold worker's: all built by
 * `monitorPipelines`); a replay cut by a checkpoint after its last line, then given an input of
 * nothing more, writes the verdicts still held, as the straight run does at its end; a held
 * transfer the capped history let go of is not judged, and its key restores.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { restoreCheckpoint, saveCheckpoint } from '../../src/checkpoint/checkpoint.js';
import { monitorPipelines } from '../../src/cli/monitor-wiring.js';
import { registerReplay } from '../../src/cli/replay-command.js';
import { loadConfig } from '../../src/config/config.js';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 8, 1);
const MINUTE = 60_000;

function at(id: string, kind: 'deposit' | 'withdrawal', minutes: number, amount: number, seed: number): string {
  const ends = kind === 'deposit' ? { from: [derivedEvm(173, minutes)], to: derivedEvm(173, 5_000) } : { to: derivedEvm(173, 6_000 + minutes) };
  return transfer({ eventId: id, kind, time: T0 + minutes * MINUTE, accountId: 'acct-r57h', chain: 'ethereum', asset: 'USDT', amount, ...ends }, prng(seed));
}

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

describe('review 57: REJUDGEMENT_HOLD_MINUTES', () => {
  it('a value that is not a whole number of minutes from 0 to a week is refused by name', () => {
    for (const bad of ['abc', '-1', '1.5', '10081']) expect(() => loadConfig({ REJUDGEMENT_HOLD_MINUTES: bad }), bad).toThrow(/REJUDGEMENT_HOLD_MINUTES/);
    expect(loadConfig({}).REJUDGEMENT_HOLD_MINUTES).toBe(60);
    expect(loadConfig({ REJUDGEMENT_HOLD_MINUTES: '0' }).REJUDGEMENT_HOLD_MINUTES).toBe(0);
  });

  it('reaches every pipeline the monitor builds, a restore\'s included', () => {
    const build = monitorPipelines(loadConfig({ REJUDGEMENT_HOLD_MINUTES: '7' }), []);
    expect(build(rules).checkpointHeld().holdMs).toBe(7 * MINUTE);
    expect(build(rules, true).checkpointHeld().holdMs).toBe(7 * MINUTE);
  });
});

describe('review 57: a replay cut after its last line', () => {
  it('goes on from the checkpoint over an empty file and writes the verdicts held, as the straight run does', async () => {
    // Read as it comes (no lateness: src/sources/lateness-buffer.ts would put these minutes-late lines in order, and nothing would be held).
    process.env.REPLAY_LATENESS_MINUTES = '0';
    onTestFinished(() => {
      delete process.env.REPLAY_LATENESS_MINUTES;
    });
    const hot = [
      at('r57h-d0', 'deposit', 0, 100, 10),
      at('r57h-d1', 'deposit', 1, 5_000, 11),
      ...Array.from({ length: 6 }, (_, k) => at(`r57h-w${k + 1}`, 'withdrawal', 2 + k, k === 0 ? 4_700 : 10, 12 + k)),
    ];
    // w2 read after w5, then the first deposit last: verdicts are held when the input ends.
    const order = [hot[1]!, hot[2]!, hot[4]!, hot[5]!, hot[6]!, hot[3]!, hot[7]!, hot[0]!];
    const dir = tempDir('tw-review57-held-end-');
    const whole = join(dir, 'whole.jsonl');
    writeFileSync(whole, order.join('\n') + '\n');
    await tidewatch('replay', whole, '--no-ofac', '--alerts', join(dir, 'whole.alerts.jsonl'), '--quiet');
    const straight = readFileSync(join(dir, 'whole.alerts.jsonl'), 'utf8');
    await tidewatch('replay', whole, '--no-ofac', '--alerts', join(dir, 'early.alerts.jsonl'), '--checkpoint-out', join(dir, 'store'), '--quiet');
    const early = readFileSync(join(dir, 'early.alerts.jsonl'), 'utf8');
    // The run that leaves a checkpoint leaves the held verdicts in it: its output is shorter.
    expect(early.length).toBeLessThan(straight.length);
    const empty = join(dir, 'nothing.jsonl');
    writeFileSync(empty, '');
    await tidewatch('replay', empty, '--no-ofac', '--alerts', join(dir, 'late.alerts.jsonl'), '--checkpoint-from', join(dir, 'store'), '--quiet');
    expect(early + readFileSync(join(dir, 'late.alerts.jsonl'), 'utf8')).toBe(straight);
  });
});

describe('review 57: a held transfer the history let go of', () => {
  it('is not judged, and its key crosses a checkpoint without refusing it', async () => {
    const hot = [
      at('r57e-d0', 'deposit', 0, 100, 10),
      at('r57e-d1', 'deposit', 1, 5_000, 11),
      ...Array.from({ length: 6 }, (_, k) => at(`r57e-w${k + 1}`, 'withdrawal', 2 + k, k === 0 ? 4_700 : 10, 12 + k)),
    ];
    const order = [hot[1]!, hot[2]!, hot[4]!, hot[5]!, hot[6]!, hot[3]!];
    const pipeline = new Pipeline({ rules, rejudgementHoldMs: 60 * MINUTE, state: { maxTransfers: 8 } });
    for (const [i, line] of order.entries()) pipeline.process(line, { file: 't', line: i + 1 });
    const held = pipeline.checkpointHeld().entries().map((k) => k.eventId);
    expect(held.length).toBeGreaterThan(0);
    // Other accounts' withdrawals within the hold push the held transfers out of the capped index.
    for (let i = 0; i < 40; i++) {
      const other = transfer({ eventId: `r57e-o${i}`, kind: 'withdrawal', time: T0 + 8 * MINUTE + i * 1000, accountId: `acct-r57e-${i}`, chain: 'ethereum', asset: 'USDT', amount: 1, to: derivedEvm(174, i) }, prng(100 + i));
      pipeline.process(other, { file: 't', line: 100 + i });
    }
    for (const id of held) expect(pipeline.state.transfer(id), id).toBeUndefined();
    expect(pipeline.checkpointHeld().size).toBe(held.length);
    const dir = tempDir('tw-review57-evicted-');
    const saved = await saveCheckpoint(dir, pipeline, { rules, positions: {} });
    const restored = new Pipeline({ rules, labels: [], rejudgementHoldMs: 60 * MINUTE, state: { maxTransfers: 8 } });
    await restoreCheckpoint(dir, saved.name, restored);
    expect(restored.checkpointHeld().entries().map((k) => k.eventId)).toEqual(held);
    expect(restored.releaseHeld().filter((a) => held.includes(a.eventIds.at(-1)!))).toEqual([]);
    expect(pipeline.releaseHeld().filter((a) => held.includes(a.eventIds.at(-1)!))).toEqual([]);
  });
});
