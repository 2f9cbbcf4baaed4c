/**
 * EVENT_TIME_MAX_AHEAD_DAYS reaches decoding through the composition roots: the replay CLI (and
 * the monitor's wiring, which builds its pipeline from the same configuration value).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const dir = mkdtempSync(join(tmpdir(), 'tw-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A login 30 days ahead of this machine's clock. */
function streamAheadByMonth(): string {
  const at = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const file = join(dir, 'ahead.jsonl');
  writeFileSync(file, JSON.stringify({ schema: 'exchange.login.v1', eventId: 'ahead-1', occurredAt: at, accountId: 'acct-ahead', ip: '10.0.0.1', ipCountry: 'US', vpn: false, deviceId: 'd-1' }) + '\n');
  return file;
}

/** The dead-letter codes of a replay of `file` with `env` added to this process's environment. */
function deadLetterCodes(file: string, env: Record<string, string>): string[] {
  const dlq = join(dir, `dlq-${Object.values(env).join('-') || 'default'}.jsonl`);
  execFileSync('node', [TIDEWATCH, 'replay', file, '--quiet', '--dlq', dlq], { cwd: root, env: { ...process.env, ...env } });
  return readFileSync(dlq, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { code: string }).code);
}

describe('EVENT_TIME_MAX_AHEAD_DAYS', () => {
  it('accepts an event a month ahead by default (366 days) and dead-letters it as TW_TIME_AHEAD with a bound of 7 days', () => {
    const file = streamAheadByMonth();
    expect(deadLetterCodes(file, {})).toEqual([]);
    expect(deadLetterCodes(file, { EVENT_TIME_MAX_AHEAD_DAYS: '7' })).toEqual(['TW_TIME_AHEAD']);
  }, 60_000);

  it('refuses a bound that is not a whole number of days from 1, naming the variable', () => {
    expect(() => loadConfig({ EVENT_TIME_MAX_AHEAD_DAYS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENT_TIME_MAX_AHEAD_DAYS: 'soon' })).toThrow(/EVENT_TIME_MAX_AHEAD_DAYS/);
  });
});

describe('EVENT_TIME_MAX_LEAP_DAYS through the replay CLI', () => {
  /** Two logins 120 days apart, both long before this machine's clock. */
  function streamWithLeap(): string {
    const file = join(dir, 'leap.jsonl');
    const login = (id: string, at: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: id, occurredAt: at, accountId: 'acct-leap', ip: '10.0.0.1', ipCountry: 'US', vpn: false, deviceId: 'd-1' });
    // CLOCK_SUPPORT (16) logins set the clock before the leap (a clock fewer support gives way to it).
    const history = Array.from({ length: 16 }, (_, i) => login(`leap-h${i}`, `2025-01-01T00:${String(i).padStart(2, '0')}:00Z`));
    writeFileSync(file, [...history, login('leap-2', '2025-05-01T00:00:00Z')].join('\n') + '\n');
    return file;
  }

  it('dead-letters an exchange event 120 days after the newest by default (90 days), and accepts it with 0', () => {
    const file = streamWithLeap();
    expect(deadLetterCodes(file, {})).toEqual(['TW_TIME_AHEAD']);
    expect(deadLetterCodes(file, { EVENT_TIME_MAX_LEAP_DAYS: '0' })).toEqual([]);
  }, 60_000);

  it('says where rejected lines went when no --dlq was given: nowhere', () => {
    const r = spawnSync('node', [TIDEWATCH, 'replay', streamWithLeap(), '--quiet'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('1 rejected line(s) were written nowhere: give --dlq <file> to keep each with its reason');
  }, 60_000);
});
