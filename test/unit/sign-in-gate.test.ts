/**
 * Password checks run two at a time, eight more wait, and the rest are refused as busy at once
 * (session 44 security QA: 99 parallel wrong sign-ins made a right one wait 12 s, and the page
 * too); the per-address sign-in limit keys an IPv6 client on its /64.
 */
import { describe, expect, it } from 'vitest';
import { addressKeyOf, SignInBusyError, SignInGate } from '../../src/console/sign-in-gate.js';

/** A check that finishes when told to, recording how many run at once. */
function controlled(gauge: { now: number; most: number }) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => { finish = resolve; });
  const check = async (): Promise<string> => {
    gauge.now++;
    gauge.most = Math.max(gauge.most, gauge.now);
    await done;
    gauge.now--;
    return 'checked';
  };
  return { check, finish };
}

describe('the sign-in gate', () => {
  it('runs two checks at once, queues eight in order, refuses the eleventh as busy, and lets the queue through', async () => {
    const gate = new SignInGate(2, 8);
    const gauge = { now: 0, most: 0 };
    const checks = Array.from({ length: 10 }, () => controlled(gauge));
    const results = checks.map((c) => gate.run(c.check));
    await expect(gate.run(async () => 'never')).rejects.toBeInstanceOf(SignInBusyError);
    for (const c of checks) { c.finish(); await Promise.resolve(); }
    expect(await Promise.all(results)).toEqual(Array(10).fill('checked'));
    expect(gauge.most).toBe(2);
    expect(await gate.run(async () => 'free again')).toBe('free again');
  });

  it('frees its place when a check throws', async () => {
    const gate = new SignInGate(1, 0);
    await expect(gate.run(async () => { throw new Error('redis down'); })).rejects.toThrow('redis down');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});

describe('the address a sign-in limit keys on', () => {
  it('is an IPv4 address as it is, an IPv4-mapped one as IPv4, and an IPv6 address its /64', () => {
    expect(addressKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKeyOf('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKeyOf('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(addressKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(addressKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
