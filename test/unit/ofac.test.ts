import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSdnFile, parseOfacXml, sdnLabels } from '../../src/intel/ofac.js';
import { fixtures, root } from '../helpers/sample.js';

describe('OFAC SDN import', () => {
  it('reads digital-currency ids from SDN.XML with party, uid and programs, skipping other ids', () => {
    const { format, entries, publishDate } = parseOfacXml(readFileSync(`${fixtures}/ofac/SDN.XML`, 'utf8'));
    expect(format).toBe('SDN');
    expect(publishDate).toBe('2026-08-20');
    expect(entries).toEqual([
      { address: '0x97b1043abd9e6fc31681635166d430a458d14f9c', asset: 'ETH', party: 'KIM, Sang Man', uid: '43377', programs: ['DPRK4'] },
      { address: '0x97b1043abd9e6fc31681635166d430a458d14f9c', asset: 'USDT', party: 'KIM, Sang Man', uid: '43377', programs: ['DPRK4'] },
      { address: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', asset: 'XBT', party: 'VALERIAN LABS, INC.', uid: '45314', programs: ['ILLICIT-DRUGS-EO14059'] },
    ]);
  });

  it('reads SDN_ADVANCED.XML: feature types by text, primary alias, programs from SanctionsEntries', () => {
    const { format, entries } = parseOfacXml(readFileSync(`${fixtures}/ofac/SDN_ADVANCED.XML`, 'utf8'));
    expect(format).toBe('SDN_ADVANCED');
    expect(entries).toEqual([
      { address: '0x901bb9583b24d97e995513c6778dc6888ab6870e', asset: 'ETH', party: 'LAZARUS GROUP', uid: '27307', programs: ['DPRK3'] },
      { address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', asset: 'TRX', party: 'SIM, Hyon Sop', uid: '42498', programs: ['NPWMD'] },
    ]);
  });

  it('rebuilds the data file with `tidewatch intel import-ofac` and marks DPRK-linked parties', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-ofac-')), 'sdn.json');
    execFileSync('node', ['--import', 'tsx', 'src/cli/main.ts', 'intel', 'import-ofac', `${fixtures}/ofac/SDN_ADVANCED.XML`, '--out', out], { cwd: root });
    const doc = loadSdnFile(out);
    expect(doc.entries.map((e) => [e.party, e.dprkLinked ?? false])).toEqual([['LAZARUS GROUP', true], ['SIM, Hyon Sop', true]]);
    const labels = sdnLabels(doc).map((l) => `${l.key} ${l.record.label}`);
    expect(labels).toContain('tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t dprk-linked');
    expect(labels).toContain('evm:0x901bb9583b24d97e995513c6778dc6888ab6870e sanctioned');
  });

  it('ships a data file whose SDN addresses all key to a chain family', () => {
    const doc = loadSdnFile();
    expect(doc.entries.length).toBeGreaterThan(900);
    const labels = sdnLabels(doc);
    expect(labels.filter((l) => l.record.label === 'dprk-linked').length).toBeGreaterThan(100);
    expect(labels.every((l) => /^(btc|evm|tron):/.test(l.key))).toBe(true);
  });
});
