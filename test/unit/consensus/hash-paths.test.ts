// The hashing hot paths (one-shot digests written in place, the PRF's blocks, flat Merkle levels),
// against noble's SHA-256 and a plain list-of-arrays Merkle tree written here from the definition.
import { describe, expect, it } from 'vitest';
import { noble, sha256Into, sha256WordsInto } from '../../../consensus/hash.ts';
import { colsOf, rootByCols, rootByRows, rootInt32, rowsOf, matRootFromLines, MatRootKind } from '../../../consensus/matmul.ts';
import { EMPTY_ROOT, leafHashesOfLines, merkleRoot, MerkleTree, rootOfFlatHashes, rootOfHashes, verifyMerkleProof } from '../../../consensus/merkle.ts';
import { prfWords } from '../../../consensus/training/prf.ts';

const bytes = (n: number, salt = 0) => new Uint8Array(n).map((_, i) => (i * 131 + salt * 17 + (i >> 3)) & 0xff);

/** The tree from its definition: leaf = H(0x00 || line), node = H(0x01 || l || r), an odd node carried up. */
function refRoot(lines: Uint8Array[]): Uint8Array {
  if (lines.length === 0) return noble.sha256(new Uint8Array([2]));
  let level = lines.map((l) => noble.sha256(new Uint8Array([0]), l));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? noble.sha256(new Uint8Array([1]), level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

describe('sha256Into, sha256WordsInto (the one-shot hot path)', () => {
  it('equal noble on every length 0..300, read from views at odd offsets, written at an offset', () => {
    const data = bytes(310, 5);
    const out = new Uint8Array(40);
    const words = new Uint32Array(10);
    for (let len = 0; len <= 300; len++) {
      const view = data.subarray(3, 3 + len);
      const ref = noble.sha256(view);
      sha256Into(view, out, 5);
      expect(out.subarray(5, 37)).toEqual(ref);
      sha256WordsInto(view, words, 1);
      const dv = new DataView(ref.buffer, ref.byteOffset, 32);
      for (let j = 0; j < 8; j++) expect(words[1 + j]).toBe(dv.getUint32(4 * j));
    }
  });

  it('prfWords equals the stream of its definition, for any count and first block', () => {
    for (const seed of [bytes(32, 3), bytes(20, 4)]) {
      for (const [count, first] of [[1, 0], [8, 0], [13, 5], [300, 2], [9, 2 ** 32 - 1]] as const) {
        const got = prfWords(seed, count, first);
        expect(got.length).toBe(count);
        expect(got.buffer.byteLength).toBe(4 * count);
        for (let i = 0; i < count; i++) {
          const ctr = new Uint8Array(4);
          new DataView(ctr.buffer).setUint32(0, (first + Math.floor(i / 8)) >>> 0);
          const h = noble.sha256(seed, ctr);
          expect(got[i]).toBe(new DataView(h.buffer, h.byteOffset).getUint32(4 * (i % 8)));
        }
      }
    }
  });
});

describe('flat Merkle levels', () => {
  it('merkleRoot, rootOfHashes and leafHashesOfLines + rootOfFlatHashes equal the definition for 0..40 lines, short and long', () => {
    for (const len of [1, 10, 63, 64, 119, 320, 513, 785, 1100]) {
      for (let n = 0; n <= 40; n += n < 9 ? 1 : 7) {
        const flat = bytes(n * len, len + n);
        const lines = rowsOf(new Int8Array(flat.buffer), n, len);
        const ref = refRoot(lines);
        expect(merkleRoot(lines)).toEqual(ref);
        const leaves = leafHashesOfLines(flat, n, len);
        expect(rootOfFlatHashes(leaves, n)).toEqual(ref);
        expect(rootOfHashes(lines.map((l) => noble.sha256(new Uint8Array([0]), l)))).toEqual(ref);
      }
    }
    expect(rootOfFlatHashes(new Uint8Array(0), 0)).toEqual(EMPTY_ROOT);
  });

  it('reads strided lines and leaves the leaf buffer as it was', () => {
    const table = bytes(7 * 50, 4);
    const lines = Array.from({ length: 7 }, (_, i) => table.subarray(i * 50 + 3, i * 50 + 3 + 40));
    const leaves = leafHashesOfLines(table.subarray(3), 7, 40, 50);
    const copy = leaves.slice();
    expect(rootOfFlatHashes(leaves, 7)).toEqual(refRoot(lines));
    expect(leaves).toEqual(copy);
  });

  it('matrix roots (by rows, by columns, int32 rows) equal the root of their lines', () => {
    for (const [m, k] of [[1, 1], [5, 3], [33, 70], [64, 784], [784, 10]] as const) {
      const x = new Int8Array(bytes(m * k, m).buffer);
      expect(rootByRows(x, m, k)).toEqual(matRootFromLines(MatRootKind.Rows, m, k, refRoot(rowsOf(x, m, k))));
      expect(rootByCols(x, m, k)).toEqual(matRootFromLines(MatRootKind.Cols, m, k, refRoot(colsOf(x, m, k))));
      const c = new Int32Array(m * k).map((_, i) => (i * 2654435761) | 0);
      const rowsC = Array.from({ length: m }, (_, i) => new Uint8Array(c.buffer, i * k * 4, k * 4));
      expect(rootInt32(c, m, k)).toEqual(matRootFromLines(MatRootKind.Int32Rows, m, k, refRoot(rowsC)));
    }
  });

  it('one MerkleTree gives the root and a proof of every leaf (a ticket proves 32 lines from one tree)', () => {
    for (let n = 1; n <= 40; n += 3) {
      const lines = Array.from({ length: n }, (_, i) => bytes(9 + (i % 4), i));
      const tree = MerkleTree.ofLeaves(lines);
      expect(tree.root).toEqual(refRoot(lines));
      for (let i = 0; i < n; i++) expect(verifyMerkleProof(tree.root, lines[i]!, tree.proof(i))).toBe(true);
      expect(() => tree.proof(n)).toThrow(RangeError);
    }
    expect(MerkleTree.ofLeaves([]).root).toEqual(EMPTY_ROOT);
  });
});
