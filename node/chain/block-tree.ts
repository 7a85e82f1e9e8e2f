// The in-memory tree of stored blocks (canonical and side branches): header and cumulative work
// per hash. Rebuilt from the db's blockIndex bucket at start. Fork choice over it: the most
// cumulative work wins, ties keep the first seen (the head moves only on strictly more work).
import { toHex } from '../../consensus/bytes.ts';
import type { BlockHeader } from '../../consensus/types.ts';

export interface TreeNode {
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly header: BlockHeader;
  readonly totalWork: bigint;
}

export class BlockTree {
  private readonly nodes = new Map<string, TreeNode>();
  /** hash hex -> time of block 1 on that block's branch (memo of block1Time). */
  private readonly block1Times = new Map<string, number>();

  get size(): number {
    return this.nodes.size;
  }

  add(hash: Uint8Array, header: BlockHeader, totalWork: bigint): TreeNode {
    const node: TreeNode = { hash, hashHex: toHex(hash), header, totalWork };
    this.nodes.set(node.hashHex, node);
    return node;
  }

  get(hash: Uint8Array): TreeNode | undefined {
    return this.nodes.get(toHex(hash));
  }

  delete(hash: Uint8Array): void {
    this.nodes.delete(toHex(hash));
    this.block1Times.delete(toHex(hash));
  }

  parentOf(n: TreeNode): TreeNode | undefined {
    return n.header.height === 0 ? undefined : this.get(n.header.parent);
  }

  /** Time of block 1 on `n`'s branch (the ASERT anchor); undefined for genesis. Memoised per block. */
  block1Time(n: TreeNode): number | undefined {
    const walked: TreeNode[] = [];
    let cur: TreeNode | undefined = n;
    let time: number | undefined;
    while (cur && cur.header.height > 1) {
      const known = this.block1Times.get(cur.hashHex);
      if (known !== undefined) {
        time = known;
        break;
      }
      walked.push(cur);
      cur = this.parentOf(cur);
    }
    if (time === undefined) {
      if (!cur || cur.header.height === 0) return undefined;
      time = cur.header.time;
    }
    for (const w of walked) this.block1Times.set(w.hashHex, time);
    return time;
  }

  /** Times of up to `span` blocks ending with `n`, oldest first. */
  ancestorTimes(n: TreeNode, span: number): number[] {
    const out: number[] = [];
    let cur: TreeNode | undefined = n;
    while (cur && out.length < span) {
      out.push(cur.header.time);
      cur = this.parentOf(cur);
    }
    return out.reverse();
  }

  /**
   * From tip `from` to tip `to`: the blocks to undo (from's side, tip first) and to apply
   * (to's side, oldest first) around their common ancestor.
   */
  path(from: TreeNode, to: TreeNode): { ancestor: TreeNode; undo: TreeNode[]; apply: TreeNode[] } {
    const undo: TreeNode[] = [];
    const apply: TreeNode[] = [];
    let a: TreeNode = from;
    let b: TreeNode = to;
    const up = (n: TreeNode): TreeNode => {
      const p = this.parentOf(n);
      if (!p) throw new Error(`block tree is missing the parent of ${n.hashHex}`);
      return p;
    };
    while (a.header.height > b.header.height) {
      undo.push(a);
      a = up(a);
    }
    while (b.header.height > a.header.height) {
      apply.push(b);
      b = up(b);
    }
    while (a.hashHex !== b.hashHex) {
      undo.push(a);
      apply.push(b);
      a = up(a);
      b = up(b);
    }
    return { ancestor: a, undo, apply: apply.reverse() };
  }

  /** Every stored descendant of `n` (for dropping the subtree of an invalid block). */
  descendants(n: TreeNode): TreeNode[] {
    const out: TreeNode[] = [];
    const frontier = [n.hashHex];
    const children = new Map<string, TreeNode[]>();
    for (const x of this.nodes.values()) {
      if (x.header.height === 0) continue;
      const k = toHex(x.header.parent);
      const list = children.get(k);
      if (list) list.push(x);
      else children.set(k, [x]);
    }
    while (frontier.length) {
      for (const c of children.get(frontier.pop()!) ?? []) {
        out.push(c);
        frontier.push(c.hashHex);
      }
    }
    return out;
  }
}
