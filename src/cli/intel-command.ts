import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSdnFile, DEFAULT_SDN_PATH, parseOfacXml, serialiseSdnFile, unkeyedEntries } from '../intel/ofac.js';
import { inertText } from '../observability/terminal-text.js';

/** Where an import writes: an explicit --out, or the bundled snapshot only with --force. */
export function importTarget(opts: { out?: string; force?: boolean }): string {
  if (opts.out !== undefined) return opts.out;
  if (opts.force) return DEFAULT_SDN_PATH;
  throw new Error(`refusing to overwrite the bundled SDN snapshot ${DEFAULT_SDN_PATH}: give --out <file> (then replay --ofac / monitor --ofac <file>), or --force to replace it`);
}

export function registerIntel(program: Command): void {
  const intel = program.command('intel').description('manage intelligence data (sanctions lists, labels)');
  intel
    .command('import-ofac')
    .description("build an OFAC SDN data file from OFAC's SDN_ADVANCED.XML or SDN.XML; reports every address it cannot key, with the reason")
    .argument('<file>', 'SDN_ADVANCED.XML or SDN.XML')
    .option('--out <file>', 'where to write the data file (use it with replay --ofac and monitor --ofac)')
    .option('--force', 'replace the bundled snapshot (data/ofac-sdn.json) when no --out is given')
    .action((file: string, opts: { out?: string; force?: boolean }) => {
      if (!existsSync(file)) throw new Error(`OFAC file not found: ${file}`);
      const out = importTarget(opts);
      const { format, entries, publishDate } = parseOfacXml(readFileSync(file, 'utf8'));
      if (entries.length === 0) throw new Error(`${file}: no "Digital Currency Address" entries found in this ${format} file`);
      if (publishDate === 'unknown') console.error(`warning: ${file} carries no publication date (DateOfIssue, DatePublished or Publish_Date); the data file says "unknown"`);
      const doc = buildSdnFile(entries, publishDate, `OFAC SDN digital-currency addresses imported from ${format} (published ${publishDate}).`);
      writeFileSync(out, serialiseSdnFile(doc));
      const dprk = doc.entries.filter((e) => e.dprkLinked).length;
      const unkeyed = unkeyedEntries(doc);
      console.log(`imported ${doc.entries.length} address entries (${dprk} DPRK-linked) from ${format} published ${publishDate} into ${resolve(out)}`);
      console.log(`keyed ${doc.entries.length - unkeyed.length}; not keyed ${unkeyed.length}${unkeyed.length ? ':' : ''}`);
      for (const { entry, reason } of unkeyed) console.log(inertText(`  ${entry.asset.padEnd(5)} ${entry.address}  uid ${entry.uid}: ${reason}`));
    });
}
