// Binary SHA-256 Merkle tree with domain separation (leaf 0x00, node 0x01) so a leaf can
// never pass for an inner node. An odd node at any level is carried up unchanged
// (Bitcoin duplicates it instead, which lets two different lists share one root).
// The root of an empty list is SHA-256(0x02).
import { sha256 } from './hash.ts';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);
const EMPTY = new Uint8Array([2]);

export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE, left, right);
}

export const EMPTY_ROOT = sha256(EMPTY);

/** Root over leaves given as data (hashed with the leaf prefix here). */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  return rootOfHashes(leaves.map(leafHash));
}

/** Root over already leaf-hashed items. */
export function rootOfHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  let level = hashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    }
    level = next;
  }
  return level[0]!;
}

/** Sibling hashes from the leaf up; a level where the node was carried up contributes nothing. */
export interface MerkleProof {
  readonly index: number;
  readonly count: number;
  readonly siblings: readonly Uint8Array[];
}

export function merkleProof(leaves: readonly Uint8Array[], index: number): MerkleProof {
  return proofFromHashes(leaves.map(leafHash), index);
}

export function proofFromHashes(hashes: readonly Uint8Array[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) throw new RangeError(`leaf ${index} of ${hashes.length}`);
  const siblings: Uint8Array[] = [];
  let level = hashes.slice();
  let i = index;
  while (level.length > 1) {
    const sib = i ^ 1;
    if (sib < level.length) siblings.push(level[sib]!);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(j + 1 < level.length ? nodeHash(level[j]!, level[j + 1]!) : level[j]!);
    level = next;
    i >>= 1;
  }
  return { index, count: hashes.length, siblings };
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
