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

let lastText = '';
let lastMs: number | undefined;

/** Parses a strict ISO-8601 UTC time to epoch milliseconds, or returns undefined. */
export function parseIsoUtc(text: string): number | undefined {
  // Validation and decoding both ask for the same string in a row: a one-entry memo halves the work.
  if (text === lastText) return lastMs;
  lastText = text;
  lastMs = parseUncached(text);
  return lastMs;
}

function parseUncached(text: string): number | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(m[8] === 'Z' ? text : text.slice(0, -6) + 'Z');
  if (Number.isNaN(ms)) return undefined;
  // V8 rolls 2025-02-30 over into March: the day must survive the round trip.
  if (new Date(ms).getUTCDate() !== Number(m[3])) return undefined;
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
