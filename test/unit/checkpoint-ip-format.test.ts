/**
 * The session IP check (SESSION_IP_FORMAT, session 46) judges input, not a state already built:
 * a checkpoint whose retained logins and transfers carry IPs that are not addresses (written under
 * `any`, or before the check existed) restores under the default `address`. The review found one
 * such IP refused the whole checkpoint, and every older one, so an upgrade re-read from offset 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const login = (n: number, ip: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: `l-${n}`, occurredAt: `2025-03-0${n}T09:00:00Z`, accountId: 'acct-1', ip, ipCountry: 'US', vpn: false, deviceId: 'dev-1' });
const deposit = (ip: string): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: 'd-1', kind: 'deposit', occurredAt: '2025-03-05T09:00:00Z', accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: '2500',
  from: ['0x1111111111111111111111111111111111111111'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', session: { ip, ipCountry: 'US', vpn: false, deviceId: 'dev-1' },
});

describe('a checkpoint holding session IPs that are not addresses', () => {
  it('written under SESSION_IP_FORMAT=any, restores under the default (address), with no warning', async () => {
    const dir = tempDir('tw-ckpt-ip-');
    const lines = [login(1, 'pseud-7f3a'), login(2, 'pseud-7f3a'), login(3, '999.1.1.1'), deposit('pseud-7f3a')];
    const anyIp = new Pipeline({ rules: rules(), labels: [], decode: { ipFormat: 'any' } });
    const first = await replayRecords(records(lines, 0, lines.length), dir, 'first', anyIp);
    expect(first.dlq).toBe('');
    expect(first.result.summary.accepted).toBe(lines.length);
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    expect(restored?.warnings).toEqual([]);
    expect(restored!.header.positions).toEqual({ line: lines.length });
    // New input is still judged by the default: the same pseudonym on a new login is refused.
    const second = await replayRecords(records([login(6, 'pseud-7f3a')], 0, 1), dir, 'second', restored!.pipeline);
    expect(second.dlq).toContain('"TW_SCHEMA"');
  });
});
