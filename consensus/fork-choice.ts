// Fork choice: the valid chain with the most cumulative work; ties keep the first seen.
// ForkChoice is an in-memory tree of valid block headers (hash, parent, height, total work):
// the node adds every block that passed validation and asks for the head and reorg paths.
import { toHex } from './bytes.ts';
import { blockWork } from './difficulty.ts';

/** True when a chain of `candidateWork` must replace the head of `headWork` (strictly more). */
export function isBetterChain(candidateWork: bigint, headWork: bigint): boolean {
  return candidateWork > headWork;
}

export interface ForkNode {
  readonly hash: Uint8Array;
  readonly parent: Uint8Array | null;
  readonly height: number;
  readonly totalWork: bigint;
}

export interface ReorgPath {
  /** Common ancestor of the two tips. */
  readonly ancestor: Uint8Array;
  /** Blocks to undo, tip first (from the old tip down to, not including, the ancestor). */
  readonly undo: readonly Uint8Array[];
  /** Blocks to apply, oldest first (after the ancestor up to the new tip). */
  readonly apply: readonly Uint8Array[];
}

export class ForkChoice {
  private readonly nodes = new Map<string, ForkNode>();
  private headKey: string;

  constructor(genesisHash: Uint8Array, genesisTarget: bigint) {
    const key = toHex(genesisHash);
    this.nodes.set(key, { hash: new Uint8Array(genesisHash), parent: null, height: 0, totalWork: blockWork(genesisTarget) });
    this.headKey = key;
  }

  has(hash: Uint8Array): boolean {
    return this.nodes.has(toHex(hash));
  }

  get(hash: Uint8Array): ForkNode | undefined {
    return this.nodes.get(toHex(hash));
  }

  totalWork(hash: Uint8Array): bigint | undefined {
    return this.get(hash)?.totalWork;
  }

  head(): ForkNode {
    return this.nodes.get(this.headKey)!;
  }

  /**
   * Adds a validated block whose parent is known. The head moves only to a chain with strictly
   * more work, so on a tie the block seen first stays head. Adding a known block is a no-op.
   */
  add(hash: Uint8Array, parent: Uint8Array, height: number, target: bigint): { headChanged: boolean; node: ForkNode } {
    const key = toHex(hash);
    const existing = this.nodes.get(key);
    if (existing) return { headChanged: false, node: existing };
    const p = this.nodes.get(toHex(parent));
    if (!p) throw new RangeError(`unknown parent ${toHex(parent).slice(0, 16)}`);
    if (height !== p.height + 1) throw new RangeError(`height ${height} after parent height ${p.height}`);
    const node: ForkNode = { hash: new Uint8Array(hash), parent: p.hash, height, totalWork: p.totalWork + blockWork(target) };
    this.nodes.set(key, node);
    const headChanged = isBetterChain(node.totalWork, this.head().totalWork);
    if (headChanged) this.headKey = key;
    return { headChanged, node };
  }

  /** Path from tip `from` to tip `to` through their common ancestor. */
  reorgPath(from: Uint8Array, to: Uint8Array): ReorgPath {
    let a = this.get(from);
    let b = this.get(to);
    if (!a || !b) throw new RangeError('unknown block');
    const undo: Uint8Array[] = [];
    const apply: Uint8Array[] = [];
    while (a.height > b.height) {
      undo.push(a.hash);
      a = this.get(a.parent!)!;
    }
    while (b.height > a.height) {
      apply.push(b.hash);
      b = this.get(b.parent!)!;
    }
    while (toHex(a.hash) !== toHex(b.hash)) {
      undo.push(a.hash);
      apply.push(b.hash);
      a = this.get(a.parent!)!;
      b = this.get(b.parent!)!;
    }
    apply.reverse();
    return { ancestor: a.hash, undo, apply };
  }
}

