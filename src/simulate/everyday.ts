/**
 * The simulated stream as an exchange sees it: besides the planted cells and their lookalikes,
 * most customers pay popular unlabelled services that sweep their fresh deposit addresses into
 * one hot wallet, and so do the planted and lookalike accounts themselves. Some of those
 * ordinary customers carry one ordinary risk factor (a VPN, travel, a new account). This is
 * the stream of issue #12's precision bar; `tidewatch simulate` writes it unless `--services 0`.
 */
import { simulate, type SimTruth } from './scenarios.js';
import { servicesScenario, withServices } from './services.js';

export interface EverydayOptions {
  seed: number;
  scale: number;
  /** Popular services. @defaultValue 10 × scale */
  services?: number;
  /** Service customers besides the stream's own accounts. @defaultValue 25 per service */
  customers?: number;
  /** Share of service customers with one ordinary risk factor. @defaultValue 0.15 */
  riskyShare?: number;
}

export function simulateEveryday(opts: EverydayOptions): { lines: string[]; truth: SimTruth } {
  const base = simulate({ seed: opts.seed, scale: opts.scale });
  const services = opts.services ?? 10 * opts.scale;
  if (services === 0) return base;
  const alsoPaying = [...Object.keys(base.truth.accounts), ...base.truth.benign].sort();
  const scenario = servicesScenario({
    seed: opts.seed + 1, customers: opts.customers ?? 25 * services, services, start: Date.UTC(2025, 0, 6), days: 90,
    riskyShare: opts.riskyShare ?? 0.15, alsoPaying,
  });
  return withServices(base, scenario);
}
