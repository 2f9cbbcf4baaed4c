/**
 * Checkpoint keys in Redis: an instance's keys share one hash tag whatever its group and
 * instance ids contain (a brace in an id would otherwise end the tag early and split the commit
 * script's keys over cluster slots), and two instances never share a key.
 */
import { describe, expect, it } from 'vitest';
import { groupCheckpointKeys, instanceCheckpointKeys } from '../../src/checkpoint/redis-checkpoint-keys.js';

const tagOf = (key: string): string | undefined => /\{([^}]*)\}/.exec(key)?.[1];

describe('checkpoint keys in Redis', () => {
  it('every key of one instance carries the same single hash tag, even for ids with braces and spaces', () => {
    const k = instanceCheckpointKeys('tw:', 'risk{eu}', 'pod 7/}x');
    const keys = [k.committed, k.manifest('checkpoint-000000000001.twc'), k.chunk('checkpoint-000000000001.twc', 'u-1', 0), k.chunk('checkpoint-000000000001.twc', 'u-1', 41)];
    for (const key of keys) {
      expect(key.startsWith('tw:')).toBe(true);
      expect(key.split('{').length).toBe(2);
      expect(key.split('}').length).toBe(2);
      expect(tagOf(key)).toBe(tagOf(k.committed));
    }
    expect(tagOf(k.committed)).toBe('ckpt:risk_eu_/pod_7__x');
  });

  it('two instances of a group have disjoint keys; the group list is apart from both', () => {
    const a = instanceCheckpointKeys('tw:', 'g', 'a');
    const b = instanceCheckpointKeys('tw:', 'g', 'b');
    expect(a.committed).not.toBe(b.committed);
    expect(a.chunk('n', 'u', 0)).not.toBe(b.chunk('n', 'u', 0));
    expect(groupCheckpointKeys('tw:', 'g').instances).toBe('tw:{ckpt-group:g}:instances');
  });
});
