/**
 * Hot reload for `monitor`: a change anywhere in the rules folder re-validates the whole folder.
 * A valid set replaces the engine's rules at once; a broken one is refused with file, line and
 * reason, and the rules in force stay in force.
 */
import { watch, type FSWatcher } from 'node:fs';
import { loadRuleSet, RuleSetError, type LoadedRule } from './loader.js';

export interface ReloadEvents {
  applied(rules: LoadedRule[]): void;
  refused(error: RuleSetError | Error): void;
}

export class RuleReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string, private readonly events: ReloadEvents, private readonly debounceMs = 200) {}

  /** Validates the folder now; applies it only if every file is valid. Returns whether it applied. */
  reload(): boolean {
    try {
      this.events.applied(loadRuleSet(this.dir));
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
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
