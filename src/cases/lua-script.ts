/** The text of a Lua script in src/cases/lua/ (read from the source tree, which dist/ sits beside). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function luaScript(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../src/cases/lua/${name}.lua`, import.meta.url)), 'utf8');
}
