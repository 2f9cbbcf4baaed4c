import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildSdnFile, DEFAULT_SDN_PATH, parseOfacXml, serialiseSdnFile } from '../intel/ofac.js';

export function registerIntel(program: Command): void {
  const intel = program.command('intel').description('manage intelligence data (sanctions lists, labels)');
  intel
    .command('import-ofac')
    .description("rebuild the OFAC SDN data file from OFAC's SDN_ADVANCED.XML or SDN.XML")
    .argument('<file>', 'SDN_ADVANCED.XML or SDN.XML')
    .option('--out <file>', 'where to write the data file', DEFAULT_SDN_PATH)
    .action((file: string, opts: { out: string }) => {
      const { format, entries, publishDate } = parseOfacXml(readFileSync(file, 'utf8'));
      if (entries.length === 0) throw new Error(`${file}: no "Digital Currency Address" entries found in this ${format} file`);
      const doc = buildSdnFile(entries, publishDate, `OFAC SDN digital-currency addresses imported from ${format} (published ${publishDate}).`);
      writeFileSync(opts.out, serialiseSdnFile(doc));
      const dprk = doc.entries.filter((e) => e.dprkLinked).length;
      console.log(`imported ${doc.entries.length} address entries (${dprk} DPRK-linked) from ${format} published ${publishDate} into ${opts.out}`);
    });
}
