import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSdnFile, parseOfacXml, sdnLabels } from '../../src/intel/ofac.js';
import { fixtures, root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

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
    execFileSync('node', [TIDEWATCH, 'intel', 'import-ofac', `${fixtures}/ofac/SDN_ADVANCED.XML`, '--out', out], { cwd: root });
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

describe('OFAC publication dates, keys and the bundled snapshot', () => {
  it('reads the publication date of every schema: DateOfIssue, DatePublished, Publish_Date and ISO dates', async () => {
    const { publicationDate } = await import('../../src/intel/ofac.js');
    expect(parseOfacXml(readFileSync(`${fixtures}/ofac/SDN_ADVANCED.XML`, 'utf8')).publishDate).toBe('2026-08-20');
    expect(publicationDate('<Sanctions><DateOfIssue>\n <Year>2026</Year>\n <Month>8</Month>\n <Day>2</Day></DateOfIssue>')).toBe('2026-08-02');
    expect(publicationDate('<Sanctions><DatePublished><Year>2025</Year><Month>11</Month><Day>27</Day></DatePublished>')).toBe('2025-11-27');
    expect(publicationDate('<publshInformation><Publish_Date>8/20/2026</Publish_Date>')).toBe('2026-08-20');
    expect(publicationDate('<publicationInfo><dateOfIssue>2026-08-20T00:00:00</dateOfIssue>')).toBe('2026-08-20');
    expect(publicationDate('<sdnList><publshInformation></publshInformation>')).toBeUndefined();
  });

  it('names why each bundled entry it cannot key is left out; only unsupported chains and lost letter case remain', async () => {
    const { unkeyedEntries } = await import('../../src/intel/ofac.js');
    const unkeyed = unkeyedEntries(loadSdnFile());
    const caseLost = unkeyed.filter((u) => u.reason.startsWith('letter case lost'));
    expect(caseLost.map((u) => u.entry.address).sort()).toEqual(['15zt2mkuq5qy6dexfdcbtsevneogqqxrs4', '1buxxhcwzfukm9cuxnhag85ssxdkmrbxse', 'tpgxjjb6ajemsqfngbum6dmmxpha9getya']);
    const rest = unkeyed.filter((u) => !caseLost.includes(u));
    expect(rest.every((u) => u.reason === `${u.entry.asset} addresses are not on a supported chain (bitcoin, EVM, tron)`)).toBe(true);
    expect(unkeyed.length).toBe(52);
    expect(sdnLabels(loadSdnFile()).some((l) => l.key === 'btc:1G1V1b9s9uPsFCNL15ibZk44xsVygKsP2u')).toBe(true);
  });

  it('labels, ignoring case, the Bitcoin and Tron addresses of entries whose source lost their letter case (they labelled nothing)', async () => {
    const { buildSdnFile } = await import('../../src/intel/ofac.js');
    const { Pipeline } = await import('../../src/pipeline/pipeline.js');
    const { rules } = await import('../helpers/sample.js');
    const [btc, trx] = ['1G1V1b9s9uPsFCNL15ibZk44xsVygKsP2u', 'TA3rH2A7iHnm6pKH8gr9cK1EZnShnmZdFg'];
    const doc = buildSdnFile([
      { address: btc.toLowerCase(), asset: 'XBT', party: 'Lost Case BTC', uid: '1', programs: ['SDGT'] },
      { address: trx.toLowerCase(), asset: 'TRX', party: 'Lost Case TRX', uid: '2', programs: ['SDGT'] },
    ], '2026-08-20', 'test');
    const labels = sdnLabels(doc);
    expect(labels.map((l) => [l.key, l.caseInsensitive])).toEqual([[`btc:${btc.toLowerCase()}`, true], [`tron:${trx.toLowerCase()}`, true]]);
    const p = new Pipeline({ rules: rules(), labels });
    const deposit = (id: string, chain: string, asset: string, amount: string, from: string, to: string): string => JSON.stringify({
      schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: '2025-03-01T00:00:00Z', accountId: `acct-${id}`, chain, asset, amount, from: [from], to,
    });
    const critical = (line: string): string[] => p.process(line, { file: 't' }).alerts.filter((a) => a.severity === 'critical').map((a) => a.subject.accountId);
    expect(critical(deposit('btc', 'bitcoin', 'BTC', '0.1', btc, 'bc1qq2729c8gxkd86tcvkj6553jkquu0ayha87y40x'))).toEqual(['acct-btc']);
    expect(critical(deposit('trx', 'tron', 'USDT', '9000', trx, 'TV8HbrT3gjaMV1mbbXLL2fnQM413Nkyig4'))).toEqual(['acct-trx']);
    // Another address that only shares letters ignoring case is another key: nothing.
    expect(critical(deposit('other', 'bitcoin', 'BTC', '0.1', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'bc1qq2729c8gxkd86tcvkj6553jkquu0ayha87y40x'))).toEqual([]);
  });

  it('never overwrites the bundled snapshot unless --out names a file or --force is given', async () => {
    const { importTarget } = await import('../../src/cli/intel-command.js');
    const { DEFAULT_SDN_PATH } = await import('../../src/intel/ofac.js');
    expect(() => importTarget({})).toThrow(/refusing to overwrite the bundled SDN snapshot .*give --out <file>.*--force/);
    expect(importTarget({ force: true })).toBe(DEFAULT_SDN_PATH);
    expect(importTarget({ out: '/tmp/x.json' })).toBe('/tmp/x.json');
  });

  it('reports each imported address it cannot key, with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ofac-'));
    const xml = readFileSync(`${fixtures}/ofac/SDN.XML`, 'utf8').replace('Digital Currency Address - XBT', 'Digital Currency Address - XMR').replace('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL');
    writeFileSync(join(dir, 'SDN.XML'), xml);
    const out = execFileSync('node', [TIDEWATCH, 'intel', 'import-ofac', join(dir, 'SDN.XML'), '--out', join(dir, 'sdn.json')], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('keyed 2; not keyed 1:');
    expect(out).toMatch(/XMR {3}49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL {2}uid 45314: XMR addresses are not on a supported chain \(bitcoin, EVM, tron\)/);
  });
});

describe('an --ofac file that cannot be used', () => {
  it('is refused naming the flag and the file: missing, or not JSON', () => {
    expect(() => loadSdnFile('/nonexistent/sdn.json')).toThrow('--ofac /nonexistent/sdn.json: cannot read the SDN file (ENOENT)');
    const xml = join(mkdtempSync(join(tmpdir(), 'tw-ofac-')), 'SDN.XML');
    writeFileSync(xml, '<sdnList/>');
    expect(() => loadSdnFile(xml)).toThrow(/^--ofac .*SDN\.XML: not JSON .*tidewatch intel import-ofac/);
  });
});
