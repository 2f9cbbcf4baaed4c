/**
 * An alert's evidence as it stands when the alert is made. Signal results and their facts may
 * be views computed on read (a fan-in's addresses: a getter over the graph, which the engine's
 * copy of the result keeps as a getter), and an evidence path may name a whole result: an alert
 * is serialised after its message, by a sink, when later messages may have changed what those
 * getters read. Plain objects and arrays are copied with every field read now; anything
 * else (an exact decimal, a date) is kept as it is, as JSON.stringify would show it the same.
 */
export function snapshotEvidence(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => snapshotEvidence(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = snapshotEvidence((value as Record<string, unknown>)[key], depth + 1);
  return copy;
}

/** Evidence is a few levels deep (a result, its facts, a path's hops): deeper values are kept as they are. */
const MAX_DEPTH = 8;
