/**
 * Operator label names no exposure rule traces: the contract lets intelligence carry "a name of
 * the operator's own", and a label like `hack` or `frozen` that no exposure signal names raises
 * no exposure alert: `excludeLabels: [any-untraced]` even reads it as a service category
 * (label-exclusion.ts). A rule may still read it elsewhere (a condition on counterparty labels),
 * which the warning's wording allows for.
 * Counted per name so `replay` can say so, and the monitor can log the first of each (session 43
 * QA: such labels were silently ignored). Bounded: the first MAX_NAMES names, the rest counted
 * together.
 */
import { KNOWN_LABELS } from './known-labels.js';

const MAX_NAMES = 32;

export class UntracedLabels {
  private readonly counts = new Map<string, number>();
  /** Labels of names past MAX_NAMES. */
  private others = 0;

  constructor(private readonly traced: readonly string[]) {}

  /** Counts the label if no rule traces it and it is no known name; true the first time a name is seen. */
  note(label: string): boolean {
    if (KNOWN_LABELS.includes(label) || this.traced.includes(label)) return false;
    const n = this.counts.get(label);
    if (n !== undefined) { this.counts.set(label, n + 1); return false; }
    if (this.counts.size >= MAX_NAMES) { this.others++; return false; }
    this.counts.set(label, 1);
    return true;
  }

  /** Each name with its count, by name; `others` for names past the bound. */
  get summary(): { names: [string, number][]; others: number } {
    return { names: [...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), others: this.others };
  }
}
