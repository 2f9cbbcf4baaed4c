/**
 * Input text reaches the analyst's terminal inert: control characters in an account id (ESC
 * sequences, BEL, CR, LF) are printed escaped by `cases list` and `replay --cases` (QA D7).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { caseLine } from '../../src/cli/cases-command.js';
import { printCases } from '../../src/cli/report.js';
import type { Case } from '../../src/cases/case-model.js';
import { inertText } from '../../src/observability/terminal-text.js';
import { formatScore, scoreAlerts } from '../../src/replay/score.js';
import { alert } from '../conformance/case-store-suite.js';
import { root, sampleLines } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const PLANTED = 'acct-\u001b[2J\u001b[31mFAKE-CASE-LINE\u001b]0;pwned\u0007\r\nacct-x';
const PLANTED_SHOWN = 'acct-\\u001b[2J\\u001b[31mFAKE-CASE-LINE\\u001b]0;pwned\\u0007\\u000d\\u000aacct-x';
/** Any C0 or C1 control character, DEL included. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const dir = mkdtempSync(join(tmpdir(), 'tw-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inertText', () => {
  it('escapes C0 and C1 control characters, ESC, BEL, CR, LF and DEL, and leaves other text alone', () => {
    expect(inertText(PLANTED)).toBe(PLANTED_SHOWN);
    expect(inertText('\u0000\u0009\u007f\u0085\u009b')).toBe('\\u0000\\u0009\\u007f\\u0085\\u009b');
    expect(inertText('acct-3ac6e1ebfc über 名前 🙂 \\u001b')).toBe('acct-3ac6e1ebfc über 名前 🙂 \\u001b');
  });
});

describe('CLI tables print input text inert', () => {
  it('cases list: one line per case, the subject escaped', () => {
    const c: Case = { caseId: 'case-71fe236e10c35b87da6b', subject: PLANTED, status: 'open', score: 90, severity: 'critical', typologies: ['sanctions-exposure'], alertIds: ['a1'], alertCount: 1, openedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
    const line = caseLine(c);
    expect(line).not.toMatch(CONTROL);
    expect(line).toContain(PLANTED_SHOWN);
    expect(line).toContain('opened 2025-01-01');
  });

  it('replay --cases: the case table escapes a subject (one restored from a checkpoint older than the identifier check may hold any text)', () => {
    const c: Case = { caseId: 'case-71fe236e10c35b87da6b', subject: PLANTED, status: 'open', score: 90, severity: 'critical', typologies: ['sanctions-exposure'], alertIds: ['a1'], alertCount: 1, openedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => { printed.push(line); });
    try {
      printCases([c], 10);
    } finally {
      spy.mockRestore();
    }
    for (const line of printed.join('\n').split('\n')) expect(line).not.toMatch(CONTROL);
    expect(printed.join('\n')).toContain(PLANTED_SHOWN);
  });

  it('replay --truth: missed and wrong account ids escaped', () => {
    const text = formatScore(scoreAlerts([alert('a1', PLANTED, 90)], { accounts: { [`${PLANTED}-2`]: ['dprk-it-payroll'] } }));
    for (const line of text.split('\n')) expect(line).not.toMatch(CONTROL);
    expect(text).toContain(`wrong: ${PLANTED_SHOWN}`);
  });

  it('replay --cases over a stream whose account id holds terminal control sequences: refused at decoding, nothing printed raw', () => {
    // Since session 47 such an id is refused as TW_SCHEMA (identifier-text.ts); the escaping above
    // still guards cases made before that, or by any other way in.
    const stream = join(dir, 'ansi-stream.jsonl');
    const dlq = join(dir, 'ansi-dlq.jsonl');
    let planted = 0;
    const lines = sampleLines().map((l) => {
      const m = JSON.parse(l) as { accountId?: string };
      if (m.accountId !== 'acct-3ac6e1ebfc') return l;
      planted++;
      return JSON.stringify({ ...m, accountId: PLANTED });
    });
    writeFileSync(stream, lines.join('\n') + '\n');
    const r = spawnSync('node', [TIDEWATCH, 'replay', stream, '--cases', '--dlq', dlq], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const line of r.stdout.split('\n')) expect(line).not.toMatch(CONTROL);
    expect(r.stdout).not.toContain('FAKE-CASE-LINE');
    const letters = readFileSync(dlq, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { code: string; issues?: { path: string }[] });
    expect(planted).toBeGreaterThan(0);
    expect(letters.filter((d) => d.code === 'TW_SCHEMA' && d.issues?.[0]?.path === 'accountId')).toHaveLength(planted);
  }, 120_000);
});
