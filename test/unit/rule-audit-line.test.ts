/** `tidewatch rules audit` prints a refusal's whole reason: each file:line finding under its entry. */
import { describe, expect, it } from 'vitest';
import { ruleAuditLine } from '../../src/cli/rules-command.js';
import type { RuleAuditEntry } from '../../src/engine/rule-audit.js';

const refused: RuleAuditEntry = {
  at: '2026-12-05T07:00:00.000Z', event: 'refused', instance: 'mon-1', host: 'node-a', fingerprint: 'f'.repeat(64), rules: 22,
  reason: 'rule set refused, 2 error(s):\n  rules/pass-through/quick-out.yaml:38: YAML: All mapping items must start at the same column\n  rules/structuring/just-under.yaml:7: where.0.gte: Expected number\u001b[2J',
  files: [{ path: 'pass-through/quick-out.yaml', sha256: 'a'.repeat(64), uid: 1000, modifiedAt: '2026-12-05T06:59:00.000Z' }],
};

describe('rules audit lines', () => {
  it('print a refusal\'s every finding with its file and line, on lines of their own, control characters inert', () => {
    const lines = ruleAuditLine(refused).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^2026-12-05T07:00:00.000Z {2}refused {2}mon-1@node-a .* refused: rule set refused, 2 error\(s\):$/);
    expect(lines[1]).toBe('    rules/pass-through/quick-out.yaml:38: YAML: All mapping items must start at the same column');
    expect(lines[2]).toBe('    rules/structuring/just-under.yaml:7: where.0.gte: Expected number\\u001b[2J');
  });

  it('keep an entry without a refusal on one line', () => {
    const { reason: _reason, ...started } = refused;
    expect(ruleAuditLine({ ...started, event: 'start', added: ['pass-through.quick-out@2'] }).split('\n')).toHaveLength(1);
  });
});
