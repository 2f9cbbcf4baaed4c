/**
 * account-linkage.shared-ip v6: the +15 for linked accounts declaring two or more KYC countries
 * applies only when the shared IP's country is one of them (a farm places its exit in a country
 * its personas claim), or when the session carries no IP country (version 5's reading). Travellers
 * on hotel Wi-Fi or in an airport lounge, far from the countries they declare, stay low. The
 * contract requires `ipCountry`, so the absent case is read here on the rule's own modifiers.
 */
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/engine/conditions.js';
import { rules } from '../helpers/sample.js';

const sharedIp = rules().find((r) => r.spec.id === 'account-linkage.shared-ip')!;
const modifiers = sharedIp.spec.score.modifiers.map((m) => ({ when: compileCondition(m.when), add: m.add }));

/** The rule's score with these linkage facts on a plain login (no VPN). */
function scoreWith(ip: { accounts: number; kycCountryCodes: string[]; ipCountry?: string }): number {
  const ctx = { event: { vpn: false }, signals: { ip: { ok: true, ...ip, kycCountries: ip.kycCountryCodes.length } } };
  return modifiers.reduce((score, m) => (m.when(ctx) ? score + m.add : score), sharedIp.spec.score.base);
}

describe('shared-ip: the IP country among the declared KYC countries', () => {
  it('keeps hotel Wi-Fi (IP in PT, guests declaring US, DE, JP) and an airport lounge (NL; FR, GB, IT, ES) low', () => {
    expect(scoreWith({ accounts: 3, kycCountryCodes: ['DE', 'JP', 'US'], ipCountry: 'PT' })).toBe(35);
    expect(scoreWith({ accounts: 4, kycCountryCodes: ['ES', 'FR', 'GB', 'IT'], ipCountry: 'NL' })).toBe(35);
  });

  it('raises accounts declaring several countries on an IP in one of them to medium, in any letter case', () => {
    expect(scoreWith({ accounts: 3, kycCountryCodes: ['CA', 'GB', 'US'], ipCountry: 'US' })).toBe(50);
    expect(scoreWith({ accounts: 3, kycCountryCodes: ['CA', 'GB', 'US'], ipCountry: 'gb' })).toBe(50);
  });

  it('keeps version 5 when the session carries no IP country, and a one-country household low', () => {
    expect(scoreWith({ accounts: 3, kycCountryCodes: ['CA', 'GB', 'US'] })).toBe(50);
    expect(scoreWith({ accounts: 3, kycCountryCodes: ['US'], ipCountry: 'US' })).toBe(35);
  });

  it('leaves five or more accounts to the count modifier alone', () => {
    expect(scoreWith({ accounts: 5, kycCountryCodes: ['DE', 'JP', 'US'], ipCountry: 'US' })).toBe(55);
    expect(scoreWith({ accounts: 5, kycCountryCodes: ['DE', 'JP', 'US'], ipCountry: 'PT' })).toBe(55);
  });
});
