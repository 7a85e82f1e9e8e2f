// A persistent sparse Merkle tree over the state: the path of an entry is SHA-256(key), read
// bit by bit from the most significant; a subtree holding one entry is that entry's leaf, so a
// path is as deep as the longest prefix its key hash shares with another's (about log2 N, and
// an attacker needs 2^d hashes of grinding to make one path d bits deeper).
//   empty subtree  32 zero bytes
//   leaf           SHA-256(0x00 || SHA-256(key) || value)
//   inner node     SHA-256(0x01 || left || right)
// The root depends only on the set of entries. Nodes are never changed once built (the hash is
// memoised on first use): an update copies the O(log N) nodes on its path and shares the rest
// with the previous version, so a block's cost is proportional to the keys it touches.
import { sha256, ZERO_HASH } from '../consensus/hash.ts';

const LEAF = new Uint8Array([0]);
const INNER = new Uint8Array([1]);

/**
 * A leaf keeps SHA-256(key) || key || value in one array (one allocation per entry: at a million
 * accounts the per-object overhead is most of the memory). Its hash is not kept: it is one SHA-256
 * away, and only the leaves next to a changed path are hashed again.
 */
export interface SmtLeaf {
  readonly leaf: true;
  /** kh (32) || key || value */
  readonly b: Uint8Array;
  /** Key length. */
  readonly kl: number;
}

export interface SmtInner {
  readonly leaf: false;
  readonly l: SmtNode | null;
  readonly r: SmtNode | null;
  h: Uint8Array | undefined;
}

export type SmtNode = SmtLeaf | SmtInner;

export function keyHash(key: Uint8Array): Uint8Array {
  return sha256(key);
}

export function smtLeaf(key: Uint8Array, value: Uint8Array, kh = keyHash(key)): SmtLeaf {
  const b = new Uint8Array(32 + key.length + value.length);
  b.set(kh, 0);
  b.set(key, 32);
  b.set(value, 32 + key.length);
  return { leaf: true, b, kl: key.length };
}

export const leafKh = (l: SmtLeaf): Uint8Array => l.b.subarray(0, 32);
export const leafKey = (l: SmtLeaf): Uint8Array => l.b.subarray(32, 32 + l.kl);
export const leafValue = (l: SmtLeaf): Uint8Array => l.b.subarray(32 + l.kl);

function khEqual(l: SmtLeaf, kh: Uint8Array): boolean {
  const b = l.b;
  for (let i = 0; i < 32; i++) if (b[i] !== kh[i]) return false;
  return true;
}

function inner(l: SmtNode | null, r: SmtNode | null): SmtInner {
  return { leaf: false, l, r, h: undefined };
}

/** Orders leaves by key hash. */
export function compareLeafPaths(x: SmtLeaf, y: SmtLeaf): number {
  const a = x.b;
  const b = y.b;
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function bit(kh: Uint8Array, depth: number): number {
  return (kh[depth >> 3]! >> (7 - (depth & 7))) & 1;
}

export function smtHash(n: SmtNode | null): Uint8Array {
  if (n === null) return ZERO_HASH;
  if (n.leaf) return sha256(LEAF, n.b.subarray(0, 32), leafValue(n));
  if (n.h === undefined) n.h = sha256(INNER, smtHash(n.l), smtHash(n.r));
  return n.h;
}

export function smtGet(root: SmtNode | null, kh: Uint8Array): SmtLeaf | undefined {
  let n = root;
  for (let d = 0; n !== null; d++) {
    if (n.leaf) return khEqual(n, kh) ? n : undefined;
    n = bit(kh, d) ? n.r : n.l;
  }
  return undefined;
}

/** Two leaves with distinct paths under one subtree at `depth`. */
function split(a: SmtLeaf, b: SmtLeaf, depth: number): SmtInner {
  const ba = bit(a.b, depth);
  if (ba !== bit(b.b, depth)) return ba ? inner(b, a) : inner(a, b);
  const down = split(a, b, depth + 1);
  return ba ? inner(null, down) : inner(down, null);
}

/** Inserts or replaces `leaf`; returns the new subtree (the old one is unchanged). */
export function smtPut(n: SmtNode | null, leaf: SmtLeaf, depth = 0): SmtNode {
  if (n === null) return leaf;
  if (n.leaf) return khEqual(n, leaf.b) ? leaf : split(n, leaf, depth);
  return bit(leaf.b, depth) ? inner(n.l, smtPut(n.r, leaf, depth + 1)) : inner(smtPut(n.l, leaf, depth + 1), n.r);
}

/** Removes the entry at `kh` (no-op when absent); a subtree left with one leaf collapses to it. */
export function smtDelete(n: SmtNode | null, kh: Uint8Array, depth = 0): SmtNode | null {
  if (n === null) return null;
  if (n.leaf) return khEqual(n, kh) ? null : n;
  const right = bit(kh, depth) === 1;
  const child = right ? n.r : n.l;
  const next = smtDelete(child, kh, depth + 1);
  if (next === child) return n;
  const l = right ? n.l : next;
  const r = right ? next : n.r;
  if (l === null && (r === null || r.leaf)) return r;
  if (r === null && l !== null && l.leaf) return l;
  return inner(l, r);
}

/** Builds the tree of leaves sorted by key hash (distinct), in O(N) hashes once hashed. */
export function smtBuild(sorted: readonly SmtLeaf[], lo = 0, hi = sorted.length, depth = 0): SmtNode | null {
  if (hi - lo === 0) return null;
  if (hi - lo === 1) return sorted[lo]!;
  let mid = lo;
  while (mid < hi && bit(sorted[mid]!.b, depth) === 0) mid++;
  return inner(smtBuild(sorted, lo, mid, depth + 1), smtBuild(sorted, mid, hi, depth + 1));
}

export function* smtLeaves(n: SmtNode | null): Generator<SmtLeaf> {
  if (n === null) return;
  if (n.leaf) {
    yield n;
    return;
  }
  yield* smtLeaves(n.l);
  yield* smtLeaves(n.r);
}

/** Depth of the deepest leaf (tests and benches). */
export function smtDepth(n: SmtNode | null): number {
  if (n === null || n.leaf) return 0;
  return 1 + Math.max(smtDepth(n.l), smtDepth(n.r));
}
