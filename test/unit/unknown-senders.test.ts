/**
 * The contract lets a deposit's `from` be empty when the senders are unknown. Such a deposit is
 * an ordinary deposit for every rule that does not read its senders: it was dead-lettered as an
 * internal error (a flow edge split among zero senders) and so hid from structuring.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);

function depositsJustUnderTheThreshold(from: string[]): { alerts: string[]; deadLetters: string[]; edges: number } {
  const pipeline = new Pipeline({ rules });
  const alerts: string[] = [];
  const deadLetters: string[] = [];
  for (let day = 0; day < 4; day++) {
    const msg = { schema: 'exchange.transfer.v1', eventId: `unknown-sender-${day}`, kind: 'deposit', occurredAt: `2024-04-0${day + 2}T00:00:00Z`, accountId: 'acct-unknown-sender', chain: 'ethereum', asset: 'USDT', amount: '9500', from, to: '0xed059bc543141c8c93031d545079b3da0233b27f' };
    const result = pipeline.process(JSON.stringify(msg), { file: 'test', line: day + 1 });
    alerts.push(...result.alerts.map((a) => a.ruleId));
    if (result.deadLetter) deadLetters.push(`${result.deadLetter.code}: ${result.deadLetter.reason}`);
  }
  const to = pipeline.graph.index.lookup('evm:0xed059bc543141c8c93031d545079b3da0233b27f');
  return { alerts, deadLetters, edges: to === undefined ? 0 : pipeline.graph.edgesIn(to).length };
}

describe('a deposit whose senders are unknown', () => {
  it('is accepted and judged like one whose sender is known, with no flow edge', () => {
    const unknown = depositsJustUnderTheThreshold([]);
    const known = depositsJustUnderTheThreshold(['0x9179b29e7226069b34eef3f3e6d915e18ffd742f']);
    expect(unknown.deadLetters).toEqual([]);
    expect(unknown.alerts.filter((id) => id.startsWith('structuring.'))).toHaveLength(2);
    expect(unknown.alerts.filter((id) => id.startsWith('structuring.'))).toEqual(known.alerts.filter((id) => id.startsWith('structuring.')));
    expect(unknown.edges).toBe(0);
    expect(known.edges).toBe(4);
  });
});
