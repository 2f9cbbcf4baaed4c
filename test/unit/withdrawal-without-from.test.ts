/**
 * The contract makes a withdrawal's `from` optional (the exchange's hot wallet). A requested
 * withdrawal to a sanctioned address that leaves it out must be screened like any other: it was
 * dead-lettered as a schema error, so the one transfer screening exists to stop went unchecked.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { label, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const T0 = Date.UTC(2025, 3, 1);
const destination = derivedEvm(61, 3);
const OPTIONS = { ...DEFAULT_DECODE_OPTIONS, maxAheadMs: undefined };

/** A requested withdrawal to `destination` with its `from` key removed. */
function withdrawalWithoutFrom(eventId: string): string {
  const message = JSON.parse(transfer({ eventId, kind: 'withdrawal', time: T0, accountId: 'acct-nofrom', chain: 'ethereum', asset: 'USDT', amount: 5_000, to: destination }, prng(9))) as Record<string, unknown>;
  delete message.from;
  delete message.txHash;
  message.status = 'requested';
  return JSON.stringify(message);
}

describe('a withdrawal without `from`', () => {
  it('decodes, with and without the fast path, to the same event with an empty `from`', () => {
    const line = withdrawalWithoutFrom('wd-nofrom-1');
    const fast = decodeMessage(line, OPTIONS);
    const zod = decodeMessage(line, { ...OPTIONS, fastPath: false });
    expect(fast.ok).toBe(true);
    expect(fast).toStrictEqual(zod);
    expect(fast.ok && fast.event.type === 'transfer' ? fast.event.msg.from : undefined).toEqual([]);
  });

  it('to a sanctioned address raises the sanctions alert before broadcast', () => {
    const pipeline = new Pipeline({ rules: loadRuleSet(DEFAULT_RULES_DIR) });
    pipeline.process(label('ethereum', destination, 'sanctioned', 'SDN entity', T0 - 86_400_000), { file: 't', line: 1 });
    const result = pipeline.process(withdrawalWithoutFrom('wd-nofrom-2'), { file: 't', line: 2 });
    expect(result.deadLetter).toBeUndefined();
    expect(result.alerts.map((a) => `${a.ruleId} ${a.severity}`)).toContain('sanctions-exposure.direct critical');
    // An operator's label is explained by its source, not as an OFAC entry with unknown uid and programs.
    const direct = result.alerts.find((a) => a.ruleId === 'sanctions-exposure.direct')!;
    expect(direct.explanation).toContain('(SDN entity, source simulated-intel)');
    expect(direct.explanation).not.toContain('?');
  });
});
