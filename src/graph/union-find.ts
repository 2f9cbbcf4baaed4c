/**
 * Union-find over dense uint32 ids in growable typed arrays (8 bytes per address: parent and
 * size). Union by minimum id, as GraphSense does: a cluster's id is its smallest member id, so
 * it never changes when newer addresses join, and an absorbed cluster's id becomes an alias
 * that `find` resolves to the survivor.
 */
export class UnionFind {
  private parent = new Uint32Array(1024);
  private sizes = new Uint32Array(1024);
  private length = 0;

  private ensure(id: number): void {
    while (id >= this.length) {
      if (this.length === this.parent.length) this.grow();
      this.parent[this.length] = this.length;
      this.sizes[this.length] = 1;
      this.length++;
    }
  }

  private grow(): void {
    const capacity = this.parent.length * 2;
    const parent = new Uint32Array(capacity);
    parent.set(this.parent);
    const sizes = new Uint32Array(capacity);
    sizes.set(this.sizes);
    this.parent = parent;
    this.sizes = sizes;
  }

  find(id: number): number {
    this.ensure(id);
    const parent = this.parent;
    let x = id;
    while (parent[x] !== x) {
      const grand = parent[parent[x]!]!;
      parent[x] = grand; // path halving
      x = grand;
    }
    return x;
  }

  size(id: number): number {
    return this.sizes[this.find(id)]!;
  }

  /** Joins the clusters of a and b; returns [survivor, absorbed] or undefined when already one. */
  union(a: number, b: number): [number, number] | undefined {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return undefined;
    const survivor = Math.min(ra, rb);
    const absorbed = Math.max(ra, rb);
    this.parent[absorbed] = survivor;
    this.sizes[survivor] = this.sizes[survivor]! + this.sizes[absorbed]!;
    return [survivor, absorbed];
  }

  /** Bytes held by the arrays (for the memory benchmark). */
  get bytes(): number {
    return this.parent.byteLength + this.sizes.byteLength;
  }
}
