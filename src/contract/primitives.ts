import { z } from 'zod';

/** Chains the contract names. Every name but bitcoin and tron is an EVM chain. */
export const EVM_CHAINS = ['ethereum', 'polygon', 'arbitrum', 'base', 'bsc', 'optimism', 'avalanche'] as const;
export const CHAINS = ['bitcoin', 'tron', ...EVM_CHAINS] as const;
export type Chain = (typeof CHAINS)[number];
export type ChainFamily = 'btc' | 'evm' | 'tron';

export function chainFamily(chain: Chain): ChainFamily {
  if (chain === 'bitcoin') return 'btc';
  if (chain === 'tron') return 'tron';
  return 'evm';
}

export const chainSchema = z.enum(CHAINS, { error: (issue) => `unknown chain ${JSON.stringify(issue.input)}` });

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|\+00:00)$/;

/** Parses a strict ISO-8601 UTC time to epoch milliseconds, or returns undefined. */
export function parseIsoUtc(text: string): number | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  const d = new Date(ms);
  // Date.UTC silently rolls 2025-02-30 over into March: reject anything that did not round-trip.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return ms;
}

export const isoTime = z.string().refine((s) => parseIsoUtc(s) !== undefined, {
  message: 'not a strict ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.fff]Z)',
});

/** Largest whole part we accept: 10^30 units is far beyond any real supply, so larger is an input error. */
const DECIMAL = /^(0|[1-9]\d{0,29})(\.\d{1,18})?$/;

export const decimalString = z.string().regex(DECIMAL, {
  message: 'not a decimal string (digits, optional fraction of at most 18 places, no sign or exponent)',
});

export const positiveDecimal = decimalString.refine((s) => /[1-9]/.test(s), { message: 'amount must be positive' });

/** An integer count of base units (satoshis, wei) as a decimal string. */
export const unitString = z.string().regex(/^(0|[1-9]\d{0,77})$/, { message: 'not a non-negative integer string' });

export const eventIdSchema = z.string().min(1).max(128);
