import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { prng } from '../../src/simulate/builders.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const JUNK = ['', 'null', '-1', '1e999', '"', '{', ']', '\u0000', '0x', 'NaN', '[]', '{}', 'true', '"9999999999999999999999999999999999.5"', '"2025-99-99T00:00:00Z"'];

function mutate(line: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  switch (Math.floor(rand() * 6)) {
    case 0: return line.slice(0, Math.floor(rand() * line.length));
    case 1: { const i = Math.floor(rand() * line.length); return line.slice(0, i) + String.fromCharCode(32 + Math.floor(rand() * 95)) + line.slice(i + 1); }
    case 2: {
      const obj = JSON.parse(line) as Record<string, unknown>;
      const key = pick(Object.keys(obj));
      obj[key] = JSON.parse(pick(JUNK.filter((j) => { try { JSON.parse(j); return true; } catch { return false; } })));
      return JSON.stringify(obj);
    }
    case 3: { const obj = JSON.parse(line) as Record<string, unknown>; delete obj[pick(Object.keys(obj))]; return JSON.stringify(obj); }
    case 4: return pick(JUNK);
    default: return line.replace(/[0-9a-f]/, (c) => (c === 'a' ? 'b' : 'a'));
  }
}

describe('fuzz', () => {
  it('accepts or rejects each of 10,000 mutated contract lines without throwing', () => {
    const rand = prng(20261125);
    const lines = sampleLines();
    const pipeline = new Pipeline({ rules: rules(), labels: ofacLabels() });
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const line = rand() < 0.15 ? lines[Math.floor(rand() * lines.length)]! : mutate(lines[Math.floor(rand() * lines.length)]!, rand);
      const result = pipeline.process(line, { file: 'fuzz', line: i + 1 });
      if (result.deadLetter) {
        rejected++;
        expect(result.deadLetter.raw).toBe(line);
        expect(result.deadLetter.reason).not.toBe('');
      } else accepted++;
    }
    expect(accepted + rejected).toBe(10_000);
    expect(rejected).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('a far-future event time', () => {
  it('is dead-lettered instead of moving every retention clock on: the sample with a login dated 2099 in its middle gives the sample\'s alerts', () => {
    const replay = (lines: string[]): { alerts: string[]; rejected: string[] } => {
      const pipeline = new Pipeline({ rules: rules(), labels: ofacLabels() });
      const alerts: string[] = [];
      const rejected: string[] = [];
      lines.forEach((line, i) => {
        const r = pipeline.process(line, { file: 'f', line: i + 1 });
        for (const a of r.alerts) alerts.push(JSON.stringify(a));
        if (r.deadLetter) rejected.push(r.deadLetter.code);
      });
      return { alerts, rejected };
    };
    const lines = sampleLines();
    const future = JSON.stringify({ schema: 'exchange.login.v1', eventId: 'ev-2099', occurredAt: '2099-01-01T00:00:00.000Z', accountId: 'acct-skewed', ip: '10.0.0.1', ipCountry: 'US', vpn: false, deviceId: 'dev-skewed' });
    const half = Math.floor(lines.length / 2);
    const plain = replay(lines);
    const skewed = replay([...lines.slice(0, half), future, ...lines.slice(half)]);
    expect(skewed.rejected).toEqual(['TW_TIME_AHEAD']);
    expect(skewed.alerts).toEqual(plain.alerts);
    expect(plain.alerts.length).toBeGreaterThan(200);
  });
});

describe('defects in rules', () => {
  it('dead-letters a valid message whose evaluation throws, with the cause, and keeps going', async () => {
    const { loadRuleSet } = await import('../../src/engine/loader.js');
    const { rulesDir } = await import('../helpers/sample.js');
    const pipeline = new Pipeline({ rules: loadRuleSet(rulesDir) });
    const lines = sampleLines();
    const transfer = lines.find((l) => l.includes('"exchange.transfer.v1"'))!;
    (pipeline.engine as unknown as { evaluate: () => never }).evaluate = () => { throw new Error('boom'); };
    const out = pipeline.process(transfer, { file: 'defect', line: 1 });
    expect(out.deadLetter).toMatchObject({ code: 'TW_INTERNAL', reason: expect.stringContaining('boom'), raw: transfer });
    expect(pipeline.process(lines[0]!, { file: 'defect', line: 2 }).deadLetter).toBeUndefined();
    expect(pipeline.stats.internalErrors).toBe(1);
  });
});
