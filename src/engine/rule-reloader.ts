/**
 * Hot reload for `monitor`: a change anywhere in the rules folder re-validates the whole folder.
 * A valid set replaces the engine's rules at once; a broken one is refused with file, line and
 * reason, and the rules in force stay in force. A set is compiled before it is handed over, so a
 * rule that validates but cannot compile is refused here too, never half-applied, and so is a
 * rule changed without a new `version` (rule-versions.ts).
 */
import { watch, type FSWatcher } from 'node:fs';
import { compileRule } from './engine.js';
import { loadRuleSet, RuleSetError, type LoadedRule } from './loader.js';
import { refuseUnbumpedChanges } from './rule-versions.js';

export interface ReloadEvents {
  applied(rules: LoadedRule[]): void;
  refused(error: RuleSetError | Error): void;
}

export class RuleReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `inForce`: the rules the caller started with; a reload may not change one of them without a new version. */
  constructor(private readonly dir: string, private readonly events: ReloadEvents, private readonly debounceMs = 200, private inForce: readonly LoadedRule[] = []) {}

  /** Validates the folder now; applies it only if every file is valid. Returns whether it applied. */
  reload(): boolean {
    try {
      const rules = loadRuleSet(this.dir);
      rules.forEach((rule) => compileRule(rule));
      refuseUnbumpedChanges(this.inForce, rules);
      this.inForce = rules;
      this.events.applied(rules);
      return true;
    } catch (err) {
      this.events.refused(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  start(): void {
    this.watcher = watch(this.dir, { recursive: true }, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), this.debounceMs);
    });
    // A folder that disappears or cannot be watched any more must say so, not stop reloading silently.
    this.watcher.on('error', (err) => this.events.refused(new Error(`rules folder ${this.dir} can no longer be watched (${err.message}); the rules in force stay`)));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
