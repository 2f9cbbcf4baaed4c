import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files below `dir` that `keep` takes, depth first with each folder's names sorted: rule and
 * case files are read in the same order whatever order the file system lists them in. A folder is
 * entered when `enter` takes its name (every folder by default).
 */
export function filesUnder(dir: string, keep: (path: string, name: string, folder: string) => boolean, enter: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (enter(name)) walk(path);
      } else if (keep(path, name, folder)) out.push(path);
    }
  };
  walk(dir);
  return out;
}
