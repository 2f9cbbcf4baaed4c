import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { generate } from '../../scripts/oos3-stream.js';

describe('oos3 out-of-sample stream generator', () => {
  it('writes byte-identical stream and truth for the same seed, and different streams for different seeds', () => {
    const a = generate(3);
    const b = generate(3);
    expect(a.stream).toBe(b.stream);
    expect(JSON.stringify(a.truth)).toBe(JSON.stringify(b.truth));
    expect(generate(4).stream).not.toBe(a.stream);
  });

  it('writes only lines the decoder accepts (no dead letters) for seeds 1-5', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const lines = generate(seed).stream.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(500);
      const rejected = lines.map((line, i) => ({ i, r: decodeMessage(line) })).filter(({ r }) => !r.ok);
      expect(rejected.map(({ i, r }) => `seed ${seed} line ${i + 1}: ${JSON.stringify(r)}`)).toEqual([]);
    }
  });

  it('plants every contract typology and lists benign look-alikes disjoint from the planted accounts', () => {
    const truth = generate(1).truth as { accounts: Record<string, string[]>; benign: string[] };
    const planted = new Set(Object.values(truth.accounts).flat());
    for (const t of ['sanctions-exposure', 'dprk-it-payroll', 'dprk-consolidation', 'extortion-payment', 'account-linkage', 'chain-hop', 'pass-through', 'structuring']) expect(planted).toContain(t);
    expect(truth.benign.length).toBeGreaterThan(15);
    expect(truth.benign.filter((id) => truth.accounts[id])).toEqual([]);
  });
});
