/**
 * Union-find over dense uint32 ids in growable typed arrays (16 bytes per address: parent, size,
 * the naming member, and the next member of a circular list per cluster, so a cluster's members
 * can be listed in O(size)). Union by minimum id, as GraphSense does, so roots are cheap to find.
 * Ids are interning order, which differs between runs that see messages in another order, so
 * they are never shown: a cluster is named by a member its owner picks by content.
 */
export class UnionFind {
  private parent = new Uint32Array(1024);
  private sizes = new Uint32Array(1024);
  /** Per root: the member whose key is the cluster's name (the owner picks which; see EntityGraph). */
  private reprs = new Uint32Array(1024);
  /** Per id: the next member of its cluster, around a circle (derived: rebuilt on restore). */
  private next = new Uint32Array(1024);
  private length = 0;

  private ensure(id: number): void {
    while (id >= this.length) {
      if (this.length === this.parent.length) this.grow();
      this.parent[this.length] = this.length;
      this.sizes[this.length] = 1;
      this.reprs[this.length] = this.length;
      this.next[this.length] = this.length;
      this.length++;
    }
  }

  private grow(): void {
    const capacity = this.parent.length * 2;
    const parent = new Uint32Array(capacity);
    parent.set(this.parent);
    const sizes = new Uint32Array(capacity);
    sizes.set(this.sizes);
    const reprs = new Uint32Array(capacity);
    reprs.set(this.reprs);
    const next = new Uint32Array(capacity);
    next.set(this.next);
    this.parent = parent;
    this.sizes = sizes;
    this.reprs = reprs;
    this.next = next;
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

  /** The member that names the cluster of `id`. */
  repr(id: number): number {
    return this.reprs[this.find(id)]!;
  }

  /** Sets the naming member of the cluster whose root is `root`. */
  setRepr(root: number, member: number): void {
    this.reprs[root] = member;
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
    // Two circles become one by swapping one successor of each.
    const after = this.next[survivor]!;
    this.next[survivor] = this.next[absorbed]!;
    this.next[absorbed] = after;
    return [survivor, absorbed];
  }

  /** The members of the cluster of `id`, each once, starting at `id`. */
  *members(id: number): Generator<number> {
    this.ensure(id);
    let x = id;
    do {
      yield x;
      x = this.next[x]!;
    } while (x !== id);
  }

  /** Whether `id` is alone in its cluster (read without finding its root, so no path changes). */
  isSingleton(id: number): boolean {
    return id >= this.length || (this.parent[id] === id && this.sizes[id] === 1);
  }

  /**
   * Keeps the ids `remap` maps to a new id (-1 drops one), renumbered: every member of a cluster
   * of two or more must be kept, so clusters, their sizes and naming members carry over as they
   * are. `remap` preserves order, so a union still keeps the same survivor (the smaller id).
   */
  remap(remap: Int32Array, live: number): void {
    const old = { parent: this.parent, sizes: this.sizes, reprs: this.reprs, length: this.length };
    let capacity = 1024;
    while (capacity < live) capacity *= 2;
    this.parent = new Uint32Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.reprs = new Uint32Array(capacity);
    this.next = new Uint32Array(capacity);
    for (let id = 0; id < remap.length; id++) {
      const to = remap[id]!;
      if (to < 0) continue;
      const inside = id < old.length;
      // A kept member's parent and naming member are members of its cluster, so kept too (-1 never
      // happens while the caller keeps whole clusters; alone is the safe reading if it did).
      const parent = inside ? remap[old.parent[id]!]! : to;
      const repr = inside ? remap[old.reprs[id]!]! : to;
      this.parent[to] = parent >= 0 ? parent : to;
      this.sizes[to] = inside ? old.sizes[id]! : 1;
      this.reprs[to] = repr >= 0 ? repr : to;
    }
    this.length = live;
    this.rebuildMemberLists();
  }

  /** Bytes held by the arrays (for the memory benchmark). */
  get bytes(): number {
    return this.parent.byteLength + this.sizes.byteLength + this.reprs.byteLength + this.next.byteLength;
  }

  /** The live prefix of the arrays, for a checkpoint (views, not copies). */
  checkpointArrays(): { parent: Uint32Array; sizes: Uint32Array; reprs: Uint32Array } {
    return { parent: this.parent.subarray(0, this.length), sizes: this.sizes.subarray(0, this.length), reprs: this.reprs.subarray(0, this.length) };
  }

  /** Replaces the whole state with a checkpoint's arrays (equal lengths). */
  restoreArrays(parent: Uint32Array, sizes: Uint32Array, reprs: Uint32Array): void {
    while (this.parent.length < parent.length) this.grow();
    this.parent.set(parent);
    this.sizes.set(sizes);
    this.reprs.set(reprs);
    this.length = parent.length;
    this.rebuildMemberLists();
  }

  /**
   * Rebuilds the member circles from the parent links, without compressing any path (the parent
   * array is state a later checkpoint writes, and must read as the original's would).
   */
  private rebuildMemberLists(): void {
    const { parent, next } = this;
    for (let id = 0; id < this.length; id++) next[id] = id;
    for (let id = 0; id < this.length; id++) {
      let root = id;
      while (parent[root] !== root) root = parent[root]!;
      if (root === id) continue;
      next[id] = next[root]!;
      next[root] = id;
    }
  }
}
