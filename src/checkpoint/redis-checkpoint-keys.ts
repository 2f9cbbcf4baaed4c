/**
 * The only place a Redis key of the checkpoint store is spelled. An instance's checkpoints share
 * one hash tag, `{ckpt:<group>/<instance>}`, so the commit script's keys sit in one cluster slot;
 * the group's list of instances (for a moved instance to find its peers' checkpoints) has its own.
 */

/** Group and instance ids as key segments: no braces (they would break the hash tag), no spaces. */
export const keySegment = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

export function instanceCheckpointKeys(prefix: string, group: string, instance: string) {
  const p = `${prefix}{ckpt:${keySegment(group)}/${keySegment(instance)}}:`;
  return {
    prefix: p,
    /** Sorted set of committed checkpoint names, scored by their sequence number. */
    committed: `${p}committed`,
    /** Hash per committed checkpoint: upload (id of its chunks), chunks, bytes, committedAt (ms). */
    manifest: (name: string) => `${p}manifest:${name}`,
    /** The n-th piece of a checkpoint's bytes, under the id of the upload that wrote it. */
    chunk: (name: string, upload: string, n: number) => `${p}chunk:${name}:${upload}:${n}`,
  };
}

export type InstanceCheckpointKeys = ReturnType<typeof instanceCheckpointKeys>;

export function groupCheckpointKeys(prefix: string, group: string) {
  return {
    /** Set of the group's instance ids that have written a checkpoint. */
    instances: `${prefix}{ckpt-group:${keySegment(group)}}:instances`,
  };
}
