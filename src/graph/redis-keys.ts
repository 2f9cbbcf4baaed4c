/** The only place a Redis key of the cluster store is spelled; all share the `{graph}` hash tag. */
export function graphKeys(prefix: string) {
  const p = `${prefix}{graph}:`;
  return {
    prefix: p,
    next: `${p}next`,
    ids: `${p}ids`,
    parent: `${p}parent`,
    size: `${p}size`,
    changes: `${p}changes`,
    labels: (id: string) => `${p}labels:${id}`,
    labelled: (root: string) => `${p}labelled:${root}`,
  };
}
