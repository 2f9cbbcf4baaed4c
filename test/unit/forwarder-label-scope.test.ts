/**
 * A label on an address that joined its cluster as a forwarder holds for that address alone
 * (src/graph/label-scope.ts). Session 44's chain QA: customers' wallets that pay a merchant in
 * full are merged into the merchant's cluster by the deposit-address heuristic; when one payer's
 * wallet was listed later, every other payer became `sanctions-exposure` high "in 0 hops". A
 * label on the address they swept into (a consolidation address, a hot wallet) still holds for
 * everything swept into it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { ETH, ethAddress, ethTx, labelLine, withdrawalLine, depositLine, sweepTx, clusterOf } from '../helpers/eth-forwarding-lines.js';

afterAll(removeTempDirs);

/** The sanctions-exposure alerts a line gives, as "account severity hops". */
function sanctions(p: Pipeline, line: string): string[] {
  return p.process(line, { file: 't' }).alerts
    .filter((a) => a.typology === 'sanctions-exposure')
    .map((a) => `${a.subject.accountId} ${a.severity} ${a.ruleId.endsWith('.direct') ? 'direct' : String(a.evidence.hops)}`)
    .sort();
}

function feed(p: Pipeline, lines: readonly string[]): string[] {
  return lines.flatMap((line) => sanctions(p, line));
}

describe('a listed payer of a merchant (its wallet joined the merchant\'s cluster as a forwarder)', () => {
  const merchant = ethAddress(0xa11ce);
  const [listed, payer2, payer3] = [ethAddress(0xb001), ethAddress(0xb002), ethAddress(0xb003)];
  const payments = [
    withdrawalLine('payer-1', listed, 1), sweepTx(listed, merchant, 2),
    withdrawalLine('payer-2', payer2, 3), sweepTx(payer2, merchant, 4),
    withdrawalLine('payer-3', payer3, 5), sweepTx(payer3, merchant, 6),
  ];

  it('keeps the wallets in the merchant\'s cluster (the heuristic still merges)', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, payments);
    expect(new Set([listed, payer2, payer3].map((a) => clusterOf(p, a)))).toEqual(new Set([clusterOf(p, merchant)]));
  });

  it('alerts the listed wallet\'s own payer only, not the merchant\'s other payers', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    expect(feed(p, payments)).toEqual([]);
    expect(sanctions(p, labelLine(listed, 240, 'Listed Person'))).toEqual(['acct-payer-1 high direct']);
    expect(sanctions(p, withdrawalLine('payer-2-again', payer2, 260))).toEqual([]);
  });

  it('reaches the listed wallet by a hop from the merchant it paid', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, payments);
    sanctions(p, labelLine(listed, 240, 'Listed Person'));
    expect(sanctions(p, depositLine('merchant', merchant, '1.45', 280))).toEqual(['acct-merchant high 1']);
  });

  it('gives the same alerts when each forward is read before the withdrawal it forwards', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const forwardsFirst = [payments[1]!, payments[0]!, payments[3]!, payments[2]!, payments[5]!, payments[4]!];
    expect(feed(p, forwardsFirst)).toEqual([]);
    expect(clusterOf(p, payer2)).toBe(clusterOf(p, merchant));
    expect(sanctions(p, labelLine(listed, 240, 'Listed Person'))).toEqual(['acct-payer-1 high direct']);
    expect(sanctions(p, withdrawalLine('payer-2-again', payer2, 260))).toEqual([]);
  });

  it('keeps the forwarder marks across a checkpoint', async () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, payments);
    const dir = tempDir('tw-forwarder-marks-');
    await saveCheckpoint(dir, p, { rules: rules(), positions: { line: payments.length }, createdAt: FIXED_TIME });
    const restored = (await loadNewestValid(dir, { build: () => new Pipeline({ rules: rules(), labels: [] }), rules: rules() }))!.pipeline;
    expect(sanctions(restored, labelLine(listed, 240, 'Listed Person'))).toEqual(['acct-payer-1 high direct']);
    expect(sanctions(restored, withdrawalLine('payer-2-again', payer2, 260))).toEqual([]);
  });
});

describe('a label on the address that forwards were swept into', () => {
  const hub = ethAddress(0xc0c0);
  const [deposit1, deposit2] = [ethAddress(0xd001), ethAddress(0xd002)];
  const sweeps = [
    withdrawalLine('worker-1', deposit1, 1), sweepTx(deposit1, hub, 2),
    withdrawalLine('worker-2', deposit2, 3), sweepTx(deposit2, hub, 4),
  ];

  it('listed after the sweeps (a hot wallet or consolidation address): covers every deposit address swept into it', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    expect(feed(p, sweeps)).toEqual([]);
    expect(sanctions(p, labelLine(hub, 240, 'Listed Hub'))).toEqual(['acct-worker-1 high 0', 'acct-worker-2 high 0']);
    expect(sanctions(p, withdrawalLine('worker-1-again', deposit1, 260))).toEqual(['acct-worker-1-again high 0']);
  });

  it('listed before the sweeps (no merge into a listed cluster): the payers reach it in one hop', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    sanctions(p, labelLine(hub, 0, 'Listed Hub'));
    expect(feed(p, sweeps)).toEqual(['acct-worker-1 high 1', 'acct-worker-2 high 1']);
    expect(clusterOf(p, deposit1)).not.toBe(clusterOf(p, hub));
  });

  it('still covers the deposit addresses swept into a consolidation address that then forwards on, not what it forwarded into', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const onward = ethAddress(0xf00d);
    feed(p, sweeps);
    feed(p, [ethTx(hub, onward, (990n * ETH) / 1000n, 6)]); // the consolidation address forwards both sweeps on
    expect(clusterOf(p, hub)).toBe(clusterOf(p, onward));
    // The hub joined `onward`'s cluster as a forwarder: its listing holds for it and for the
    // deposit addresses that joined through it (session 45 review: they had been one hop away),
    // not for `onward`, which a withdrawal reaches no label from.
    expect(sanctions(p, labelLine(hub, 240, 'Listed Hub'))).toEqual(['acct-worker-1 high 0', 'acct-worker-2 high 0']);
    expect(sanctions(p, withdrawalLine('worker-1-again', deposit1, 260))).toEqual(['acct-worker-1-again high 0']);
    expect(sanctions(p, withdrawalLine('to-onward', onward, 262))).toEqual([]);
  });
});
