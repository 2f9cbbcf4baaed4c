import { describe, expect, it } from 'vitest';
import { leaseMinutes } from '../../src/cli/cases-command.js';
import { connectRedis, redactedUrl } from '../../src/cli/redis-connection.js';

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
  });
});
