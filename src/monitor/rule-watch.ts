/**
 * The monitor's rules in force, as operators see them: the rules-in-force gauge (labelled with
 * the rule set's fingerprint), the reload counter, the rule audit (who ran which rules, when,
 * from which files) and the watch of the rules folder that hot-reloads a changed rule set (a
 * refused one leaves the rules in force as they are; engine/rule-reloader.ts validates).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ruleFingerprint } from '../checkpoint/header.js';
import type { LoadedRule } from '../engine/loader.js';
import { ruleFileRecords, type RuleAuditEntry, type RuleAuditSink } from '../engine/rule-audit.js';
import { RuleReloader } from '../engine/rule-reloader.js';
import type { Metrics } from '../observability/metrics.js';

export interface RuleWatchOptions {
  /** The folder watched; none: the rules given at start stay, and nothing is audited. */
  rulesDir: string | undefined;
  ruleAudit: RuleAuditSink | undefined;
  instanceId: string;
  logger: Logger;
  metrics: Pick<Metrics, 'rulesInForce' | 'ruleReloads'> | undefined;
  /** The rules in force now. */
  current(): readonly LoadedRule[];
  /** Puts a validated rule set in force (the caller swaps its pipeline's rules and ends its checkpoint chain). */
  apply(rules: LoadedRule[]): void;
}

export type RuleAuditDetails = Pick<RuleAuditEntry, 'added' | 'removed' | 'reason'>;

export class RuleWatch {
  private reloader: RuleReloader | undefined;

  constructor(private readonly options: RuleWatchOptions) {}

  /** Sets the gauge, audits the start and watches the folder (when one is given). */
  start(): void {
    this.noteRulesInForce();
    const { rulesDir, logger, metrics } = this.options;
    if (!rulesDir) return;
    this.audit('start');
    this.reloader = new RuleReloader(rulesDir, {
      applied: (rules) => {
        const change = ruleChanges(this.options.current(), rules);
        this.options.apply(rules);
        this.noteRulesInForce('applied');
        logger.info({ rules: rules.length, ...change }, 'rules reloaded');
        // A file rewritten as it was reloads the same rules: nothing to record.
        if (change.added.length > 0 || change.removed.length > 0) this.audit('reload', change);
      },
      refused: (err) => {
        metrics?.ruleReloads.inc({ outcome: 'refused' });
        logger.error({ err: err.message }, 'rule change refused; the rules in force stay');
        this.audit('refused', { reason: err.message });
      },
    }, undefined, this.options.current());
    this.reloader.start();
  }

  stop(): void {
    this.reloader?.stop();
  }

  /** The rules-in-force gauge (one series, labelled with the fingerprint), and the reload counter when a reload applied them. */
  private noteRulesInForce(outcome?: 'applied'): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const rules = this.options.current();
    metrics.rulesInForce.reset();
    metrics.rulesInForce.set({ fingerprint: ruleFingerprint(rules).fingerprint.slice(0, 16) }, rules.length);
    if (outcome) metrics.ruleReloads.inc({ outcome });
  }

  /** Appends to the rule audit, when one is wired; a failed write is logged, never fatal. */
  private audit(event: RuleAuditEntry['event'], details: RuleAuditDetails = {}): void {
    const { ruleAudit, rulesDir, logger, instanceId } = this.options;
    if (!ruleAudit || !rulesDir) return;
    const rules = this.options.current();
    const entry: RuleAuditEntry = { at: new Date().toISOString(), event, instance: instanceId, host: hostname(), fingerprint: ruleFingerprint(rules).fingerprint, rules: rules.length, ...details, files: ruleFileRecords(rulesDir) };
    ruleAudit(entry).catch((err: Error) => logger.warn({ err: err.message, event }, 'the rule audit could not be written'));
  }
}

/** What a reload changed, by `id@version`: for the log line, so an operator sees what is now in force. */
export function ruleChanges(before: readonly LoadedRule[], after: readonly LoadedRule[]): { added: string[]; removed: string[] } {
  const name = (r: LoadedRule): string => `${r.spec.id}@${r.spec.version}`;
  const was = new Set(before.map(name));
  const now = new Set(after.map(name));
  return { added: [...now].filter((n) => !was.has(n)).sort(), removed: [...was].filter((n) => !now.has(n)).sort() };
}
