import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/sample.js';

const dir = `${root}src/cases/lua/`;
const scripts = readdirSync(dir).filter((f) => f.endsWith('.lua'));

/** Every command a script sends, with the expression it passes as the key (all the commands used take one key first). */
function keyArguments(lua: string): { command: string; key: string }[] {
  return [...lua.matchAll(/redis\.call\(\s*'(\w+)'\s*,\s*([^,)]+)/g)].map((m) => ({ command: m[1]!, key: m[2]!.trim() }));
}

/** A prelude that computes from a case document only (the queue priority): no Redis command in it. */
const PURE_PRELUDE = 'priority.lua';

/** A prelude's functions that take a key as their first parameter, named `key` (retention.lua). */
const PRELUDE = 'retention.lua';
const preludeFunctions = [...readFileSync(dir + PRELUDE, 'utf8').matchAll(/local function (\w+)\(key\b/g)].map((m) => m[1]!);

/** Every call of a prelude function, with the expression passed as its key. */
function preludeKeyArguments(lua: string): { fn: string; key: string }[] {
  return preludeFunctions.flatMap((fn) => [...lua.matchAll(new RegExp(`\\b${fn}\\(\\s*([^,)]+)`, 'g'))].filter((m) => !lua.slice(Math.max(0, m.index! - 15), m.index!).includes('function')).map((m) => ({ fn, key: m[1]!.trim() })));
}

describe('Lua scripts declare every key they touch (Redis Cluster routes and checks by KEYS)', () => {
  it('finds the case and suppression scripts', () => {
    expect(scripts.sort()).toEqual(['add-alert.lua', 'claim.lua', 'priority.lua', 'query.lua', 'record-suppressed.lua', 'reindex-case.lua', 'remove-archived.lua', 'retention.lua', 'set-retention.lua', 'transition.lua']);
    expect(preludeFunctions).toEqual(['retentionInForce', 'keepAtLeast']);
  });

  it.each(scripts.filter((f) => f !== PRELUDE && f !== PURE_PRELUDE))('%s passes only KEYS[...] as a key, never a name it builds, to commands and to the prelude', (file) => {
    const lua = readFileSync(dir + file, 'utf8');
    const calls = [...keyArguments(lua), ...preludeKeyArguments(lua)];
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !/^KEYS\[[^\]]+\]$/.test(c.key))).toEqual([]);
  });

  it(`${PURE_PRELUDE} is pure: it sends no command at all, so it can touch no key`, () => {
    const lua = readFileSync(dir + PURE_PRELUDE, 'utf8');
    expect(lua).toContain('local function queue_priority');
    expect(lua).not.toMatch(/redis\.(p?call)\b/);
  });

  it(`${PRELUDE} sends commands only to the key its functions are given`, () => {
    const calls = keyArguments(readFileSync(dir + PRELUDE, 'utf8'));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.key !== 'key')).toEqual([]);
    expect(preludeKeyArguments(readFileSync(dir + 'transition.lua', 'utf8')).map((c) => c.fn)).toEqual(['retentionInForce', 'keepAtLeast']);
  });

  it('would catch a key built from ARGV (the check is not vacuous)', () => {
    expect(keyArguments("redis.call('XADD', ARGV[1] .. 'audit:' .. id, '*')")[0]!.key).toBe("ARGV[1] .. 'audit:' .. id");
    expect(preludeKeyArguments("local r = retentionInForce(ARGV[1] .. 'retention', 5)")[0]!.key).toBe("ARGV[1] .. 'retention'");
  });
});
