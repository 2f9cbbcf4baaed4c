import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/sample.js';

const dir = `${root}src/cases/lua/`;
const scripts = readdirSync(dir).filter((f) => f.endsWith('.lua'));

/** Every command a script sends, with the expression it passes as the key (all the commands used take one key first). */
function keyArguments(lua: string): { command: string; key: string }[] {
  return [...lua.matchAll(/redis\.call\(\s*'(\w+)'\s*,\s*([^,)]+)/g)].map((m) => ({ command: m[1]!, key: m[2]!.trim() }));
}

describe('Lua scripts declare every key they touch (Redis Cluster routes and checks by KEYS)', () => {
  it('finds the case and suppression scripts', () => {
    expect(scripts.sort()).toEqual(['add-alert.lua', 'claim.lua', 'query.lua', 'record-suppressed.lua', 'reindex-case.lua', 'remove-archived.lua', 'transition.lua']);
  });

  it.each(scripts)('%s passes only KEYS[...] as a key, never a name it builds', (file) => {
    const calls = keyArguments(readFileSync(dir + file, 'utf8'));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !/^KEYS\[[^\]]+\]$/.test(c.key))).toEqual([]);
  });

  it('would catch a key built from ARGV (the check is not vacuous)', () => {
    expect(keyArguments("redis.call('XADD', ARGV[1] .. 'audit:' .. id, '*')")[0]!.key).toBe("ARGV[1] .. 'audit:' .. id");
  });
});
