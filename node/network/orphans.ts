// Blocks whose parent is not stored yet, held while their ancestors are fetched (Bitcoin Core
// caps its orphan pool at 100). Bounded by count and by bytes; when full the oldest entry goes.
// An orphan costs its sender nothing to make if the seal is not checked, so nothing here trusts
// it: it is imported (fully validated) only once its parent is.
import { toHex } from '../../consensus/bytes.ts';
import type { Block } from '../../consensus/types.ts';

export interface Orphan {
  readonly hash: Uint8Array;
  readonly block: Block;
  readonly bytes: number;
  /** The peer it came from (asked for its ancestors). */
  readonly from: string;
}

export interface OrphanPoolOpts {
  maxCount?: number;
  maxBytes?: number;
}

export class OrphanPool {
  private readonly byHash = new Map<string, Orphan>();
  private readonly byParent = new Map<string, Set<string>>();
  private bytes = 0;

  constructor(private readonly opts: OrphanPoolOpts = {}) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(toHex(hash));
  }

  /** Adds an orphan; returns how many old entries were evicted to make room (-1: already held). */
  add(o: Orphan): number {
    const h = toHex(o.hash);
    if (this.byHash.has(h)) return -1;
    const maxCount = this.opts.maxCount ?? 100;
    const maxBytes = this.opts.maxBytes ?? 64 * 1024 * 1024;
    let evicted = 0;
    while (this.byHash.size > 0 && (this.byHash.size >= maxCount || this.bytes + o.bytes > maxBytes)) {
      const oldest = this.byHash.values().next().value!;
      this.remove(oldest.hash);
      evicted++;
    }
    this.byHash.set(h, o);
    this.bytes += o.bytes;
    const p = toHex(o.block.header.parent);
    const set = this.byParent.get(p) ?? new Set<string>();
    set.add(h);
    this.byParent.set(p, set);
    return evicted;
  }

  /** Removes and returns the orphans whose parent is `parent`. */
  takeChildren(parent: Uint8Array): Orphan[] {
    const p = toHex(parent);
    const kids = [...(this.byParent.get(p) ?? [])].map((h) => this.byHash.get(h)!).filter(Boolean);
    for (const k of kids) this.remove(k.hash);
    return kids;
  }

  remove(hash: Uint8Array): void {
    const h = toHex(hash);
    const o = this.byHash.get(h);
    if (!o) return;
    this.byHash.delete(h);
    this.bytes -= o.bytes;
    const p = toHex(o.block.header.parent);
    const set = this.byParent.get(p);
    set?.delete(h);
    if (set && set.size === 0) this.byParent.delete(p);
  }
}
