/** The text of a Lua script in src/cases/lua/ (read from the source tree, which dist/ sits beside). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const read = (name: string): string => readFileSync(fileURLToPath(new URL(`../../src/cases/lua/${name}.lua`, import.meta.url)), 'utf8');

/** The script, after the preludes it uses: Redis runs one chunk, so functions shared by scripts are put before each. */
export function luaScript(name: string, ...preludes: string[]): string {
  return [...preludes, name].map(read).join('\n');
}
