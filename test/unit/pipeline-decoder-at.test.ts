/**
 * The monitor decodes each fetched batch with one clock reading, through `decoderAt`, which
 * builds its decode options once: it must decide as `decode(raw, now)` does, message by message,
 * including the one decision that reads the clock (an event time too far ahead).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, login } from '../../src/simulate/builders.js';

const T = Date.UTC(2025, 2, 1);
const SESSION = { ip: '203.0.113.9', ipCountry: 'DE', vpn: false };

describe('Pipeline.decoderAt', () => {
  const p = new Pipeline({ rules: loadRuleSet(DEFAULT_RULES_DIR) });
  const line = login('l-1', T, 'acct-a', SESSION);

  it('reads the clock as the time it was given, as decode(raw, now) does', () => {
    const early = T - 400 * DAY; // more than 366 days before the event: too far ahead of that clock
    const codeOf = (r: ReturnType<Pipeline['decode']>): string => (r.ok ? 'ok' : r.reject.code);
    expect([codeOf(p.decoderAt(early)(line)), codeOf(p.decoderAt(T)(line))]).toEqual(['TW_TIME_AHEAD', 'ok']);
    expect(p.decoderAt(early)(line)).toEqual(p.decode(line, early));
    expect(p.decoderAt(T)(line)).toEqual(p.decode(line, T));
  });
});
