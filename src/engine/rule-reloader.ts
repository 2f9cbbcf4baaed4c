/**
 * Hot reload for `monitor`: a change anywhere in the rules folder re-validates the whole folder.
 * A valid set replaces the engine's rules at once; a broken one is refused with file, line and
 * reason, and the rules in force stay in force. A set is compiled before it is handed over, so a
 * rule that validates but cannot compile is refused here too, never half-applied, and so is a
 * rule changed without a new `version` (rule-versions.ts).
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { compileRule } from './engine.js';
import { listRuleFiles, loadRuleSet, RuleSetError, type LoadedRule } from './loader.js';
import { refuseUnbumpedChanges } from './rule-versions.js';

export interface ReloadEvents {
  applied(rules: LoadedRule[]): void;
  refused(error: RuleSetError | Error): void;
}

/** How often the folder's files are compared with what was last read (ms): the watcher's safety net. */
export const RULE_POLL_MS = 2000;

/**
 * The rule files as the file system lists them: path, inode, size and modification time each. A
 * file replaced by a rename (an editor's save, `git checkout`, a ConfigMap's symlink swap) gets a
 * new inode, so it shows even when its size and time do not change.
 */
export function folderSignature(dir: string): string {
  try {
    return listRuleFiles(dir).map((path) => {
      const s = statSync(path);
      return `${path}\t${s.ino}\t${s.size}\t${s.mtimeMs}`;
    }).join('\n');
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  }
}

export class RuleReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** The folder as last read by a reload (or at start). */
  private signature = '';

  /** `inForce`: the rules the caller started with; a reload may not change one of them without a new version. */
  constructor(private readonly dir: string, private readonly events: ReloadEvents, private readonly debounceMs = 200, private inForce: readonly LoadedRule[] = [], private readonly pollMs = RULE_POLL_MS) {}

  /** Validates the folder now; applies it only if every file is valid. Returns whether it applied. */
  reload(): boolean {
    this.signature = folderSignature(this.dir);
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
    this.signature = folderSignature(this.dir);
    this.watcher = watch(this.dir, { recursive: true }, () => this.soon());
    // Node's recursive watch on Linux watches each file: a file replaced by a rename is not seen
    // again after the first time (QA: a second deploy by rename changed nothing, silently). The
    // poll compares the folder's files with what the last reload read, and reloads on a difference.
    this.poll = setInterval(() => {
      if (folderSignature(this.dir) !== this.signature) this.soon();
    }, this.pollMs);
    this.poll.unref();
    // A folder that disappears or cannot be watched any more must say so, not stop reloading silently.
    this.watcher.on('error', (err) => this.events.refused(new Error(`rules folder ${this.dir} can no longer be watched (${err.message}); the rules in force stay`)));
  }

  /** A reload after the debounce (changes come in bursts: a deploy writes several files). */
  private soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), this.debounceMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.watcher?.close();
  }
}
