/**
 * Known events planted at the end of the soak, each with the typology that must catch it: after
 * months of state churn, detection must still work.
 */
import { DAY, HOUR, evmAddress, login, prng, transfer } from '../simulate/builders.js';
import { loadSdnFile } from '../intel/ofac.js';
import type { Alert } from '../contract/schemas.js';

export interface PlantedEvent {
  name: string;
  typology: string;
  accounts: string[];
  lines: { time: number; line: string }[];
}

/** The SDN address the simulator plants too (KIM, Sang Man, DPRK4), checked against the bundled list. */
const SDN_EVM = '0x97b1043abd9e6fc31681635166d430a458d14f9c';

export function sdnPartyOf(address: string): string | undefined {
  return loadSdnFile().entries.find((e) => e.address.toLowerCase() === address.toLowerCase())?.party;
}

const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };

/** Three deposits of 9,500 USD within 7 days into an account with months of ordinary history. */
function structuringBurst(at: number, accountId: string): PlantedEvent {
  const rand = prng(91);
  const lines = [0, 2, 4].map((d, k) => {
    const time = at + d * DAY + HOUR;
    return { time, line: transfer({ eventId: `planted-structuring-${k}`, kind: 'deposit', time, accountId, chain: 'ethereum', asset: 'USDT', amount: 9_500, from: [evmAddress(rand)], to: evmAddress(rand), customer }, rand) };
  });
  return { name: 'structuring burst (3 x 9,500 USD in 4 days)', typology: 'structuring', accounts: [accountId], lines };
}

function sanctionedDeposit(at: number, accountId: string): PlantedEvent {
  const rand = prng(92);
  const time = at + 5 * DAY;
  const line = transfer({ eventId: 'planted-sdn-deposit', kind: 'deposit', time, accountId, chain: 'ethereum', asset: 'USDT', amount: 3_000, from: [SDN_EVM], to: evmAddress(rand), customer }, rand);
  return { name: `deposit from OFAC SDN address ${SDN_EVM} (${sdnPartyOf(SDN_EVM) ?? 'NOT in the bundled list'})`, typology: 'sanctions-exposure', accounts: [accountId], lines: [{ time, line }] };
}

/** Three fresh accounts on one new device within a day. */
function sharedDevice(at: number): PlantedEvent {
  const accounts = [1, 2, 3].map((k) => `acct-planted-farm-${k}`);
  const lines = accounts.map((accountId, k) => {
    const time = at + 5 * DAY + (k + 1) * HOUR;
    return { time, line: login(`planted-farm-${k}`, time, accountId, { ip: `203.0.113.${k + 50}`, ipCountry: 'US', vpn: false, deviceId: 'dev-planted-farm' }) };
  });
  return { name: 'three accounts on one device within 3 hours', typology: 'account-linkage', accounts, lines };
}

export function plantedEvents(at: number, structuringAccount: string, sanctionedAccount: string): PlantedEvent[] {
  return [structuringBurst(at, structuringAccount), sanctionedDeposit(at, sanctionedAccount), sharedDevice(at)];
}

/** The alerts that catch a planted event: its typology, on one of its accounts. */
export function catches(event: PlantedEvent, alerts: readonly Alert[]): Alert[] {
  return alerts.filter((a) => a.typology === event.typology && event.accounts.includes(a.subject.accountId));
}
