/**
 * The checkpoint header: what wrote it, when, under which rules, and how far into the input it
 * reaches. `positions` is the caller's: file lines for a replay, offsets per topic-partition for
 * the monitor. The rules are not in the checkpoint (they come from the rules folder); their
 * fingerprint is, so a restore under other rules can say so.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { LoadedRule } from '../engine/loader.js';
import { CheckpointError } from './errors.js';

export const FORMAT = 'tidewatch-checkpoint';
/**
 * Raised on any change a reader of the previous version would misread. 3: retained events as
 * [time, message as retained] (src/engine/retained-fields.ts), market-valued transfers as
 * [time, message, usd, source], flow-edge amounts as decimal strings, and the price book. 4: an
 * id memory's bucket carries its sealed, sorted fingerprints beside its table. 5: a retained
 * transfer's row may carry a fifth element, the time its account first dealt with its
 * counterparty ([time, message, usd, source, dealtSince]; src/engine/dealt-since.ts). 6: the
 * rule state ends with the accounts' login signs (src/engine/login-signs.ts). 7: an address's
 * per-address byte carries a second bit, that it joined its cluster as a forwarder
 * (EntityGraph.markForwarder; a reader of 6 took a forwarder that is also the exchange's own
 * for not own), and the per-address arrays end with each address's forward parent, the address
 * it swept into (EntityGraph.forwardParent; `forwardParents: true` in the section's head). 8: the
 * rule state ends with the IP block sightings (src/engine/subnet-sightings.ts; `subnets: true` in
 * the clock section's head). 9: the rule state ends with the requests the completed withdrawals
 * in the histories settled (withdrawal-settlement.ts; `settlements: true` in the clock section's
 * head), each request among the retained events. 10: the pipeline section's head lists the
 * transfers whose verdict is held (`heldRejudgements`: [account, event id, time] each;
 * src/pipeline/held-rejudgements.ts); a reader of 9 would drop them, and their alerts with them.
 * 11: the pipeline ends with the logins waiting for their account's first KYC record
 * (`kycPending: true` in the pipeline section's head; kyc-pending-section.ts); a reader of 10
 * would drop them, and the re-judgements a first deposit after the restore makes.
 */
export const FORMAT_VERSION = 11;

/**
 * Versions this build restores: the current one and those before it that it reads exactly, so
 * that an upgrade resumes from the checkpoints the previous releases wrote instead of re-reading
 * input history (which retention may have deleted). 3 differs from 4 only in id-memory buckets,
 * which carry no sealed fingerprints there; 3 and 4 differ from 5 only in carrying no first
 * dealings (their transfers then know the dealings their history holds, as those builds did);
 * 3 to 5 carry no login signs (noted again from the logins read after the restore); 3 to 6 carry
 * no forwarder marks nor forward parents (a label on an address merged as a forwarder before the
 * restore holds for its whole cluster, as those builds read it; forwards read after it are
 * marked and noted); 3 to 7 carry no IP block sightings (the index starts empty and fills from the
 * logins and transfers read after the restore, as the login signs did); 3 to 8 carry no
 * settlements (a completion restored keeps no request, and a withdrawal read late into its group
 * pairs it again from the requests the history holds); 3 to 9 hold no verdict (those builds
 * judged a transfer again behind a late event at once: nothing waits); 3 to 10 keep no login waiting for
 * a first KYC record (none is judged again by a KYC record read after the restore, as those builds did).
 */
export const READABLE_VERSIONS: readonly number[] = [3, 4, 5, 6, 7, 8, 9, 10, FORMAT_VERSION];

export interface RuleFingerprint {
  /** sha256 over `ids`. */
  fingerprint: string;
  /** `id@version:hash` of each rule, sorted. */
  ids: string[];
}

export interface CheckpointHeader {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  tidewatch: string;
  /** Byte order of the typed arrays inside. */
  endianness: 'LE' | 'BE';
  rules: RuleFingerprint;
  positions: unknown;
  /** Present on a whole state folded from a journal chain in the background (fold.ts): what it replaces. */
  folded?: FoldedFrom;
}

/**
 * What a folded whole state was made from: the whole state a journal chain extends and the
 * chain's segments up to `through` (its last), applied in order. Its positions are `through`'s.
 * A later segment that extends `through` extends the folded state too (journalChain).
 */
export interface FoldedFrom {
  /** The whole state the fold restored: the chain's own base, or an earlier fold of it. */
  base: string;
  /** The whole state the folded segments' links name as their base (where the chain began). */
  chain: string;
  through: string;
  segments: number;
  messages: number;
}

export function ruleFingerprint(rules: readonly LoadedRule[]): RuleFingerprint {
  const ids = rules.map((r) => `${r.spec.id}@${r.spec.version}:${r.hash}`).sort();
  return { fingerprint: createHash('sha256').update(ids.join('\n')).digest('hex'), ids };
}

let version: string | undefined;
/** The package version (read once; the same path from src/ under tsx and from dist/). */
export function tidewatchVersion(): string {
  return (version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
}

export function buildHeader(rules: readonly LoadedRule[], positions: unknown, createdAt: Date, folded?: FoldedFrom): CheckpointHeader {
  const header: CheckpointHeader = { format: FORMAT, version: FORMAT_VERSION, createdAt: createdAt.toISOString(), tidewatch: tidewatchVersion(), endianness: endianness(), rules: ruleFingerprint(rules), positions };
  if (folded) header.folded = folded;
  return header;
}

/** Refuses a header this build cannot read. */
export function checkHeader(header: Partial<CheckpointHeader>, location: string): CheckpointHeader {
  if (header?.format !== FORMAT) throw new CheckpointError(location, 'its header is not a Tidewatch checkpoint header');
  if (!READABLE_VERSIONS.includes(header.version as number)) throw new CheckpointError(location, `format version ${String(header.version)} (written by tidewatch ${String(header.tidewatch)}); this build reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS[READABLE_VERSIONS.length - 1]!}`);
  if (header.endianness !== endianness()) throw new CheckpointError(location, `written on a ${String(header.endianness)} machine; this one is ${endianness()}`);
  return header as CheckpointHeader;
}

/** A warning when the rules in force differ from the checkpoint's, naming what changed; undefined when equal. */
export function ruleDrift(header: CheckpointHeader, rules: readonly LoadedRule[], location: string): string | undefined {
  const now = ruleFingerprint(rules);
  if (now.fingerprint === header.rules.fingerprint) return undefined;
  const before = new Set(header.rules.ids);
  const after = new Set(now.ids);
  const added = now.ids.filter((id) => !before.has(id));
  const dropped = header.rules.ids.filter((id) => !after.has(id));
  return `checkpoint ${location} was written under other rules (state built by them is kept): added or changed ${added.join(', ') || 'none'}; removed or changed ${dropped.join(', ') || 'none'}`;
}
