/**
 * OFAC SDN digital-currency addresses: the compact data file shipped in data/ofac-sdn.json, the
 * labels it yields, and importers that rebuild it from OFAC's own SDN_ADVANCED.XML and SDN.XML.
 * Screening keys on the address form, not the ticker: an EVM address listed under ETH, USDT or
 * ARB is one key on every EVM chain; a T… address listed under USDT or XBT is Tron.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { addressKeyByForm } from '../chain/address.js';
import type { LabelRecord } from '../graph/labels.js';

export interface SdnEntry {
  address: string;
  asset: string;
  party: string;
  uid: string;
  programs: string[];
  dprkLinked?: boolean;
  caseUnknown?: boolean;
}

export interface SdnFile {
  description: string;
  source: string;
  publishDate: string;
  entries: SdnEntry[];
}

export const DEFAULT_SDN_PATH = fileURLToPath(new URL('../../data/ofac-sdn.json', import.meta.url));

/** SDN uids designated for DPRK conduct under a non-DPRK program tag (Treasury jy1435: SIM Hyon Sop, NPWMD). */
const DPRK_BY_DESIGNATION = new Set(['42498']);

export function isDprkLinked(programs: readonly string[], uid: string): boolean {
  return programs.some((p) => /^DPRK\d*$/.test(p)) || DPRK_BY_DESIGNATION.has(uid);
}

export function loadSdnFile(path = DEFAULT_SDN_PATH): SdnFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--ofac ${path}: cannot read the SDN file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: SdnFile;
  try {
    doc = JSON.parse(text) as SdnFile;
  } catch (err) {
    throw new Error(`--ofac ${path}: not JSON (${(err as Error).message}); import an OFAC XML file with \`tidewatch intel import-ofac\``);
  }
  if (!Array.isArray(doc.entries)) throw new Error(`${path}: no "entries" array`);
  return doc;
}

export interface SdnLabel {
  key: string;
  record: LabelRecord;
  /**
   * The key is all lower case because the source lost the address's letter case: it labels the
   * address whose key matches ignoring case, when the graph first meets it (EntityGraph.id).
   */
  caseInsensitive?: true;
}

/**
 * The labels an SDN file yields: `sanctioned` for every address, and `dprk-linked` for DPRK
 * programs. The snapshot carries no listing dates, so its labels hold from the epoch on.
 * Addresses whose letter case OFAC's source lost are keyed case-insensitively where the form allows.
 */
export function sdnLabels(doc: SdnFile): SdnLabel[] {
  const out: SdnLabel[] = [];
  const seen = new Set<string>();
  for (const e of doc.entries) {
    const exact = addressKeyByForm(e.address);
    const lowered = exact ? undefined : caseLostKey(e.address);
    const key = exact ?? lowered;
    if (!key) continue;
    const detail = { party: e.party, sdnUid: e.uid, programs: e.programs, asset: e.asset, list: `OFAC SDN ${doc.publishDate}` };
    const labels = ['sanctioned', ...(e.dprkLinked || isDprkLinked(e.programs, e.uid) ? ['dprk-linked'] : [])];
    for (const label of labels) {
      const id = `${key}|${label}|${e.uid}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ key, record: { label, entity: e.party, source: doc.source, confidence: 1, from: 0, detail }, ...(lowered ? { caseInsensitive: true as const } : {}) });
    }
  }
  return out;
}

const DIGITAL = /^Digital Currency Address - (\S+)$/;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'object' && v !== null && '#text' in v ? String((v as { '#text': unknown })['#text']) : String(v ?? '')).trim();

type Node = Record<string, unknown>;

/** Parses OFAC's legacy SDN.XML (sdnList/sdnEntry/idList/id). */
export function parseSdnXml(xml: string): SdnEntry[] {
  const doc = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false }).parse(xml) as Node;
  const list = doc.sdnList as Node | undefined;
  if (!list) throw new Error('not an SDN.XML document: no <sdnList> root');
  const out: SdnEntry[] = [];
  for (const entry of asArray(list.sdnEntry as Node | Node[])) {
    const party = entry.sdnType === 'Individual' && entry.firstName ? `${text(entry.lastName)}, ${text(entry.firstName)}` : text(entry.lastName);
    const programs = asArray((entry.programList as Node | undefined)?.program).map(text);
    for (const id of asArray((entry.idList as Node | undefined)?.id as Node | Node[])) {
      const m = DIGITAL.exec(text(id.idType));
      if (m) out.push({ address: text(id.idNumber), asset: m[1]!, party, uid: text(entry.uid), programs });
    }
  }
  return out;
}

/** Parses OFAC's SDN_ADVANCED.XML: feature types by text, addresses per DistinctParty, programs per SanctionsEntry. */
export function parseSdnAdvancedXml(xml: string): SdnEntry[] {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false,
    isArray: (name) => ['FeatureType', 'DistinctParty', 'Profile', 'Feature', 'FeatureVersion', 'VersionDetail', 'Identity', 'Alias', 'DocumentedName', 'DocumentedNamePart', 'SanctionsEntry', 'SanctionsMeasure'].includes(name) });
  const doc = parser.parse(xml) as Node;
  const root = doc.Sanctions as Node | undefined;
  if (!root) throw new Error('not an SDN_ADVANCED.XML document: no <Sanctions> root');
  const featureTypes = new Map<string, string>();
  const refs = root.ReferenceValueSets as Node | undefined;
  for (const ft of asArray((refs?.FeatureTypeValues as Node | undefined)?.FeatureType as Node[])) {
    const m = DIGITAL.exec(text(ft));
    if (m) featureTypes.set(String(ft['@ID']), m[1]!);
  }
  const programsByProfile = new Map<string, string[]>();
  for (const se of asArray((root.SanctionsEntries as Node | undefined)?.SanctionsEntry as Node[])) {
    const programs = asArray(se.SanctionsMeasure as Node[]).map((m) => text(m.Comment)).filter((c) => c.length > 0);
    programsByProfile.set(String(se['@ProfileID']), [...(programsByProfile.get(String(se['@ProfileID'])) ?? []), ...programs]);
  }
  const out: SdnEntry[] = [];
  for (const party of asArray((root.DistinctParties as Node | undefined)?.DistinctParty as Node[])) {
    for (const profile of asArray(party.Profile as Node[])) {
      const primary = asArray(asArray(profile.Identity as Node[])[0]?.Alias as Node[]).find((a) => a['@Primary'] === 'true');
      const parts = asArray(asArray(primary?.DocumentedName as Node[])[0]?.DocumentedNamePart as Node[]).map((p) => text(p.NamePartValue));
      const name = parts.length > 1 ? `${parts[parts.length - 1]}, ${parts.slice(0, -1).join(' ')}` : parts[0] ?? '';
      const programs = programsByProfile.get(String(profile['@ID'])) ?? [];
      for (const feature of asArray(profile.Feature as Node[])) {
        const asset = featureTypes.get(String(feature['@FeatureTypeID']));
        if (!asset) continue;
        for (const version of asArray(feature.FeatureVersion as Node[])) {
          for (const detail of asArray(version.VersionDetail as Node[])) {
            const address = text(detail);
            if (address) out.push({ address, asset, party: name, uid: String(party['@FixedRef']), programs });
          }
        }
      }
    }
  }
  return out;
}

/** Builds the compact file from parsed entries (either XML format), sorted and marked DPRK-linked. */
export function buildSdnFile(entries: SdnEntry[], publishDate: string, description: string): SdnFile {
  const unique = new Map<string, SdnEntry>();
  for (const e of entries) {
    const entry: SdnEntry = { ...e, ...(isDprkLinked(e.programs, e.uid) ? { dprkLinked: true } : {}) };
    unique.set(`${e.address.toLowerCase()}|${e.asset}|${e.uid}`, entry);
  }
  const sorted = [...unique.values()].sort((a, b) => a.address.toLowerCase().localeCompare(b.address.toLowerCase()) || a.asset.localeCompare(b.asset) || a.uid.localeCompare(b.uid));
  return { description, source: 'ofac-sdn', publishDate, entries: sorted };
}

export function serialiseSdnFile(doc: SdnFile): string {
  return `{\n"description": ${JSON.stringify(doc.description)},\n"source": ${JSON.stringify(doc.source)},\n"publishDate": ${JSON.stringify(doc.publishDate)},\n"entries": [\n${doc.entries.map((e) => JSON.stringify(e)).join(',\n')}\n]\n}\n`;
}

/**
 * The list's publication date as YYYY-MM-DD, whatever the schema writes: `<DateOfIssue>` or
 * `<DatePublished>` with Year/Month/Day children (SDN_ADVANCED.XML), `<Publish_Date>` as
 * MM/DD/YYYY (SDN.XML), or an ISO date (`<dateOfIssue>2026-08-20T00:00:00</dateOfIssue>`, the
 * enhanced XML). Undefined when the file carries none.
 */
export function publicationDate(xml: string): string | undefined {
  const pad = (n: string): string => n.padStart(2, '0');
  const parts = /<(DateOfIssue|DatePublished)\b[^>]*>\s*<Year>(\d{4})<\/Year>\s*<Month>(\d{1,2})<\/Month>\s*<Day>(\d{1,2})<\/Day>/i.exec(xml);
  if (parts) return `${parts[2]}-${pad(parts[3]!)}-${pad(parts[4]!)}`;
  const us = /<(Publish_Date|DateOfIssue|DatePublished)\b[^>]*>\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*</i.exec(xml);
  if (us) return `${us[4]}-${pad(us[2]!)}-${pad(us[3]!)}`;
  const iso = /<(Publish_Date|DateOfIssue|DatePublished)\b[^>]*>\s*(\d{4})-(\d{2})-(\d{2})/i.exec(xml);
  if (iso) return `${iso[2]}-${iso[3]}-${iso[4]}`;
  return undefined;
}

/** Detects the XML format and parses it; the date is 'unknown' when the file carries none. */
export function parseOfacXml(xml: string): { format: 'SDN_ADVANCED' | 'SDN'; entries: SdnEntry[]; publishDate: string } {
  const publishDate = publicationDate(xml) ?? 'unknown';
  if (/<Sanctions[\s>]/.test(xml)) return { format: 'SDN_ADVANCED', entries: parseSdnAdvancedXml(xml), publishDate };
  return { format: 'SDN', entries: parseSdnXml(xml), publishDate };
}

/** Tickers of chains Tidewatch has no address form for (their entries cannot be keyed). */
const UNSUPPORTED_FORM = /^(XMR|SOL|LTC|DOGE|BCH|DASH|ZEC|XRP|BNB|BTG|XVG|BSV)$/;
/** A base58 bitcoin (1…, 3…) or tron (T…) address whose letters were all lower-cased. */
const LOWERED_BASE58 = /^[13t][1-9a-z]{25,34}$/;

/**
 * The lower-cased key of a base58 Bitcoin (1…, 3…) or Tron (t…) address whose letter case the
 * source lost, or undefined: such an entry labels, ignoring case, the address the graph meets.
 */
function caseLostKey(address: string): string | undefined {
  if (address !== address.toLowerCase() || !LOWERED_BASE58.test(address)) return undefined;
  return `${address.startsWith('t') ? 'tron' : 'btc'}:${address}`;
}

/** Why an entry yields no exact label (undefined when it keys to a supported chain). */
export function unkeyedReason(e: SdnEntry): string | undefined {
  if (addressKeyByForm(e.address)) return undefined;
  if (e.address === e.address.toLowerCase() && LOWERED_BASE58.test(e.address)) {
    return 'letter case lost in the source (base58 is case-sensitive, so the checksum cannot be verified): matched ignoring case; re-import from OFAC\'s XML';
  }
  if (UNSUPPORTED_FORM.test(e.asset)) return `${e.asset} addresses are not on a supported chain (bitcoin, EVM, tron)`;
  return `not a valid bitcoin, EVM or tron address (listed under ${e.asset})`;
}

/** The entries that yield no label, each with its reason, in file order. */
export function unkeyedEntries(doc: SdnFile): { entry: SdnEntry; reason: string }[] {
  return doc.entries.flatMap((entry) => {
    const reason = unkeyedReason(entry);
    return reason ? [{ entry, reason }] : [];
  });
}
