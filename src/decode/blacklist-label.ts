/**
 * A stablecoin issuer's blacklist log becomes a label event with history: `issuer-blacklisted`
 * from the block time, with source `<issuer>:<listing event>` (e.g. `tether:AddedBlackList`); a
 * removal (RemovedBlackList, UnBlacklisted) closes the label with the same source, so the label
 * keeps its history. A new label re-examines earlier transfers of the address (late evidence).
 */
import { displayAddress } from '../chain/address.js';
import { decodeBlacklistLog } from '../chain/issuer-blacklist.js';
import type { EvmLogMessage } from '../contract/schemas.js';
import type { LabelEvent } from './events.js';

export const ISSUER_BLACKLIST_LABEL = 'issuer-blacklisted';

const ISSUER_NAMES = { tether: 'Tether (USDT) blacklist', circle: 'Circle (USDC) blacklist' } as const;

export function blacklistLabelEvent(msg: EvmLogMessage, eventId: string, time: number): LabelEvent | undefined {
  const decoded = decodeBlacklistLog(msg.chain, msg.address, msg.topics, msg.data);
  if (!decoded) return undefined;
  const address = displayAddress(decoded.address);
  return {
    type: 'label',
    eventId,
    time,
    key: decoded.address,
    msg: {
      schema: 'intel.label.v1', chain: msg.chain, address, label: ISSUER_BLACKLIST_LABEL, entity: ISSUER_NAMES[decoded.issuer],
      source: `${decoded.issuer}:${decoded.listing}`, confidence: 1, observedAt: msg.blockTime, ...(decoded.removed ? { removed: true } : {}),
    },
    detail: { issuer: decoded.issuer, event: decoded.event, contract: displayAddress(decoded.contract), chain: msg.chain, txHash: msg.txHash, logIndex: msg.logIndex },
  };
}
