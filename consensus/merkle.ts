// Binary SHA-256 Merkle tree with domain separation (leaf 0x00, node 0x01) so a leaf can
// never pass for an inner node. An odd node at any level is carried up unchanged
// (Bitcoin duplicates it instead, which lets two different lists share one root).
// The root of an empty list is SHA-256(0x02).
// Hot path: the training step commits to every operand and product by its lines' root, thousands of
// leaves and nodes a step, so a level is one flat buffer of 32-byte hashes and each leaf or node is
// one node:crypto call over a reused message buffer, the digest written in place (hash.ts sha256Into).
import { sha256, sha256Into } from './hash.ts';

const EMPTY = new Uint8Array([2]);
const LEAF_TAG = 0;
const NODE_TAG = 1;

export function leafHash(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  leafInto(data, 0, data.length, out, 0);
  return out;
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  NODE_MSG.set(left, 1);
  NODE_MSG.set(right, 33);
  sha256Into(NODE_MSG, out, 0);
  return out;
}

export const EMPTY_ROOT = sha256(EMPTY);

let leafMsg = new Uint8Array(1024);
const NODE_MSG = new Uint8Array(65);
NODE_MSG[0] = NODE_TAG;

/** The leaf hash of bytes[off, off + len) into out[at, at + 32). */
function leafInto(bytes: Uint8Array, off: number, len: number, out: Uint8Array, at: number): void {
  if (leafMsg.length < len + 1) leafMsg = new Uint8Array(len + 1);
  const msg = leafMsg.subarray(0, len + 1);
  msg[0] = LEAF_TAG;
  msg.set(bytes.subarray(off, off + len), 1);
  sha256Into(msg, out, at);
}

/**
 * Leaf hashes of `count` lines of `len` bytes, line i at bytes[i·stride, i·stride + len), into a flat
 * buffer (hash i at 32·i): the lines of a row-major matrix (stride = len) without a view per line.
 */
export function leafHashesOfLines(bytes: Uint8Array, count: number, len: number, stride = len): Uint8Array {
  const out = new Uint8Array(32 * count);
  for (let i = 0; i < count; i++) leafInto(bytes, i * stride, len, out, 32 * i);
  return out;
}

/** Root over a flat buffer of `count` leaf hashes (hash i at 32·i); the buffer is not modified. */
export function rootOfFlatHashes(hashes: Uint8Array, count: number): Uint8Array {
  if (count === 0) return EMPTY_ROOT;
  if (count === 1) return hashes.slice(0, 32);
  // level by level into one buffer; from the second level on in place (node j is written after
  // hashes 2j and 2j + 1 were copied into the message)
  const level = new Uint8Array(32 * Math.ceil(count / 2));
  let src = hashes;
  let n = count;
  while (n > 1) {
    const half = n >> 1;
    for (let j = 0; j < half; j++) {
      NODE_MSG.set(src.subarray(64 * j, 64 * j + 64), 1);
      sha256Into(NODE_MSG, level, 32 * j);
    }
    if (n & 1) level.set(src.subarray(64 * half, 64 * half + 32), 32 * half); // carried up unchanged
    src = level;
    n = (n + 1) >> 1;
  }
  return level.slice(0, 32);
}

/** Root over leaves given as data (hashed with the leaf prefix here). */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  const flat = new Uint8Array(32 * leaves.length);
  for (let i = 0; i < leaves.length; i++) leafInto(leaves[i]!, 0, leaves[i]!.length, flat, 32 * i);
  return rootOfFlatHashes(flat, leaves.length);
}

/** Root over already leaf-hashed items. */
export function rootOfHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0]!;
  const flat = new Uint8Array(32 * hashes.length);
  for (let i = 0; i < hashes.length; i++) flat.set(hashes[i]!, 32 * i);
  return rootOfFlatHashes(flat, hashes.length);
}

/** Sibling hashes from the leaf up; a level where the node was carried up contributes nothing. */
export interface MerkleProof {
  readonly index: number;
  readonly count: number;
  readonly siblings: readonly Uint8Array[];
}

export function merkleProof(leaves: readonly Uint8Array[], index: number): MerkleProof {
  return MerkleTree.ofLeaves(leaves).proof(index);
}

export function proofFromHashes(hashes: readonly Uint8Array[], index: number): MerkleProof {
  return MerkleTree.ofHashes(hashes).proof(index);
}

/** Every level of one tree (level 0: the leaf hashes), kept for many proofs (a ticket proves 32 lines). */
export class MerkleTree {
  private constructor(private readonly levels: readonly Uint8Array[][]) {}

  static ofLeaves(leaves: readonly Uint8Array[]): MerkleTree {
    return MerkleTree.ofHashes(leaves.map(leafHash));
  }

  static ofHashes(hashes: readonly Uint8Array[]): MerkleTree {
    const levels: Uint8Array[][] = [hashes.slice()];
    for (let level = levels[0]!; level.length > 1; ) {
      const next: Uint8Array[] = [];
      for (let j = 0; j < level.length; j += 2) next.push(j + 1 < level.length ? nodeHash(level[j]!, level[j + 1]!) : level[j]!);
      levels.push(next);
      level = next;
    }
    return new MerkleTree(levels);
  }

  get count(): number {
    return this.levels[0]!.length;
  }

  get root(): Uint8Array {
    return this.count === 0 ? EMPTY_ROOT : this.levels[this.levels.length - 1]![0]!;
  }

  /** Sibling hashes from the leaf up; a level where the node was carried up contributes nothing. */
  proof(index: number): MerkleProof {
    const count = this.count;
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`leaf ${index} of ${count}`);
    const siblings: Uint8Array[] = [];
    let i = index;
    for (let l = 0; l < this.levels.length - 1; l++) {
      const level = this.levels[l]!;
      if ((i ^ 1) < level.length) siblings.push(level[i ^ 1]!);
      i >>= 1;
    }
    return { index, count, siblings };
  }
}

/** True when `leaf` (data, not yet hashed) sits at proof.index under `root`. */
export function verifyMerkleProof(root: Uint8Array, leaf: Uint8Array, proof: MerkleProof): boolean {
  return verifyLeafHash(root, leafHash(leaf), proof);
}

export function verifyLeafHash(root: Uint8Array, leafH: Uint8Array, proof: MerkleProof): boolean {
  const { index, count, siblings } = proof;
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index) || index < 0 || index >= count) return false;
  let h = leafH;
  let i = index;
  let n = count;
  let s = 0;
  while (n > 1) {
    const sib = i ^ 1;
    if (sib < n) {
      const other = siblings[s++];
      if (!other || other.length !== 32) return false;
      h = i & 1 ? nodeHash(other, h) : nodeHash(h, other);
    }
    i >>= 1;
    n = (n + 1) >> 1;
  }
  if (s !== siblings.length) return false;
  if (h.length !== root.length) return false;
  for (let k = 0; k < h.length; k++) if (h[k] !== root[k]) return false;
  return true;
}
