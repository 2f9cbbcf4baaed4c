import { describe, expect, it } from 'vitest';
import { archiveCutoff, leaseMinutes } from '../../src/cli/cases-command.js';
import { connectRedis, redactedUrl } from '../../src/cli/redis-connection.js';

const DAY = 86_400_000;

describe('cases CLI input errors', () => {
  it('names --lease and the bad value instead of sending NaN to Redis', () => {
    expect(() => leaseMinutes('abc')).toThrow('--lease: whole minutes from 1 to 10080, not "abc"');
    expect(() => leaseMinutes('0')).toThrow(/--lease/);
    expect(() => leaseMinutes('1.5')).toThrow(/--lease/);
    expect(() => leaseMinutes('20000')).toThrow(/--lease/);
    expect(leaseMinutes('30')).toBe(30);
  });

  it('says Redis cannot be reached and names REDIS_URL, with its password hidden', async () => {
    await expect(connectRedis('redis://tidewatch:s3cret@127.0.0.1:1')).rejects.toThrow(/^cannot reach Redis at REDIS_URL=redis:\/\/\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(redactedUrl('rediss://u:p@h:6380/0')).toBe('rediss://***@h:6380/0');
    // A password holding @ or / is hidden whole (the part after its first @ was printed).
    expect(redactedUrl('redis://u:p@ss/w@rd@h:6379/2')).toBe('redis://***@h:6379/2');
    // ioredis also reads a password from the query string (session 33 QA: printed in clear).
    expect(redactedUrl('redis://h:6379/0?password=s3cret&family=4')).toBe('redis://h:6379/0?password=***&family=***');
    await expect(connectRedis('redis://127.0.0.1:1?password=s3cret')).rejects.toThrow(/REDIS_URL=redis:\/\/127\.0\.0\.1:1\?password=\*\*\*: /);
  });

  it('names REDIS_URL for a URL that cannot be parsed (a bad port, a malformed %-escape), with its password hidden', async () => {
    await expect(connectRedis('redis://:pw@127.0.0.1:notaport')).rejects.toThrow(/^invalid configuration: REDIS_URL: not a Redis URL that can be opened \(Invalid URL\): redis:\/\/\*\*\*@127\.0\.0\.1:notaport$/);
    await expect(connectRedis('redis://:secret%zzpw@127.0.0.1:6379')).rejects.toThrow(/^invalid configuration: REDIS_URL: .*URI malformed.*redis:\/\/\*\*\*@127/);
  });

  it('archives cases closed CASE_ARCHIVE_AFTER_DAYS ago or earlier, never a --before later than that (a case closed seconds ago left the store)', () => {
    const now = Date.parse('2026-03-01T00:00:00.000Z');
    expect(archiveCutoff(undefined, 30, now)).toBe(now - 30 * DAY);
    expect(archiveCutoff('2026-01-15', 30, now)).toBe(Date.parse('2026-01-15'));
    expect(archiveCutoff(new Date(now - 30 * DAY).toISOString(), 30, now)).toBe(now - 30 * DAY);
    expect(() => archiveCutoff('2099-01-01', 30, now)).toThrow(/^--before 2099-01-01 is later than CASE_ARCHIVE_AFTER_DAYS \(30\) days ago \(2026-01-30T00:00:00.000Z\)/);
    expect(() => archiveCutoff(new Date(now - 30 * DAY + 1).toISOString(), 30, now)).toThrow(/CASE_ARCHIVE_AFTER_DAYS/);
    expect(() => archiveCutoff('yesterday', 30, now)).toThrow('--before: an ISO date such as 2025-01-31, not "yesterday"');
  });
});
