/**
 * The logins that wait for their account's first KYC record (pipeline/kyc-rejudgement.ts), since
 * format 11: each as [time, message] in the order they expire, after a head with the index's
 * newest time. They cannot be found again from the rule state: the histories keep logins only
 * when a rule selects them, and the recent logins only for ten minutes, so a monitor restored
 * between a farm's logins and its first deposits judged none of them again.
 */
import type { DecodeResult } from '../decode/decode.js';
import type { LoginEvent } from '../decode/events.js';
import type { KycRejudgement } from '../pipeline/kyc-rejudgement.js';
import { redecode, storedEvent } from './event-table.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { decodeClock, encodeClock, expectSection, openSection, readBatches, writeBatches } from './sections.js';

export async function writeKycPending(w: FrameWriter, kyc: KycRejudgement): Promise<void> {
  const { logins, newest } = kyc.checkpointEntries();
  await openSection(w, 'pipeline.kycPending', { newest: encodeClock(newest) });
  await writeBatches(w, logins, storedEvent);
}

export async function readKycPending(r: FrameReader, kyc: KycRejudgement, decode: (raw: string) => DecodeResult): Promise<void> {
  const head = await expectSection<{ newest: number | string }>(r, 'pipeline.kycPending');
  const logins: LoginEvent[] = [];
  for await (const row of readBatches<unknown>(r)) {
    const event = redecode(row, decode);
    if (typeof event === 'string') r.fail(`waiting login #${logins.length} does not restore: ${event}`);
    if (event.type !== 'login') r.fail(`waiting login #${logins.length} is a ${event.type}`);
    logins.push(event);
  }
  kyc.restore(logins, decodeClock(head.newest));
}
