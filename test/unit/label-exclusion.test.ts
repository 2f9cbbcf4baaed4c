/**
 * `any-untraced` in an excludeLabels list: a cluster with a label no exposure rule traces (an
 * operator's own service category) is a known service; a traced (risk) label never is.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_UNTRACED, excludesLabel } from '../../src/engine/label-exclusion.js';
import { loadRuleSet, RuleSetError } from '../../src/engine/loader.js';

const TRACED = ['sanctioned', 'dprk-linked', 'mixer', 'otc-desk'];

describe('excludeLabels with any-untraced', () => {
  it('excludes a label of the operator\'s own that no exposure rule traces, and a named one', () => {
    expect(excludesLabel(['exchange', ANY_UNTRACED], 'dex-router', TRACED)).toBe(true);
    expect(excludesLabel(['exchange', ANY_UNTRACED], 'exchange', TRACED)).toBe(true);
  });

  it('never excludes a label an exposure rule traces, unless the list names it', () => {
    expect(excludesLabel([ANY_UNTRACED], 'dprk-linked', TRACED)).toBe(false);
    expect(excludesLabel([ANY_UNTRACED], 'otc-desk', TRACED)).toBe(false);
    expect(excludesLabel(['otc-desk', ANY_UNTRACED], 'otc-desk', TRACED)).toBe(true);
  });

  it('never excludes a known risk label that no exposure rule traces: a scam contract is no service', () => {
    for (const risk of ['scam', 'stolen-funds', 'no-kyc-swap', 'issuer-blacklisted']) expect(excludesLabel([ANY_UNTRACED], risk, TRACED), risk).toBe(false);
    expect(excludesLabel(['scam', ANY_UNTRACED], 'scam', TRACED)).toBe(true); // named: the operator's choice
  });

  it('without any-untraced, an unnamed label is not excluded', () => {
    expect(excludesLabel(['exchange', 'service'], 'dex-router', TRACED)).toBe(false);
  });

  it('is refused in a list of labels to find: it would match nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-untraced-'));
    const rule = readFileSync('rules/mixer-exposure/exposure.yaml', 'utf8').replace('labels: [mixer]', `labels: [mixer, ${ANY_UNTRACED}]`);
    writeFileSync(join(dir, 'exposure.yaml'), rule);
    let error: unknown;
    try { loadRuleSet(dir); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(RuleSetError);
    expect(String((error as Error).message)).toContain('any-untraced stands for every label no exposure signal traces and is read only in excludeLabels; in labels it would match nothing');
  });
});
