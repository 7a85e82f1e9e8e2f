import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, leafHash, merkleProof, merkleRoot, nodeHash, verifyMerkleProof } from '../../../consensus/merkle.ts';
import { sha256, noble, hmacSha256 } from '../../../consensus/hash.ts';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array([i, i * 7 & 0xff, 3]));

describe('merkle', () => {
  it('has fixed roots for 0, 1, 2, 3 leaves (domain-separated, odd node carried up)', () => {
    const l = leaves(3);
    expect(merkleRoot([])).toEqual(EMPTY_ROOT);
    expect(merkleRoot([l[0]!])).toEqual(sha256(new Uint8Array([0]), l[0]!));
    expect(merkleRoot(l.slice(0, 2))).toEqual(nodeHash(leafHash(l[0]!), leafHash(l[1]!)));
    expect(merkleRoot(l)).toEqual(nodeHash(nodeHash(leafHash(l[0]!), leafHash(l[1]!)), leafHash(l[2]!)));
  });

  it('does not give [a, b, c] and [a, b, c, c] the same root', () => {
    const l = leaves(3);
    expect(merkleRoot([...l, l[2]!])).not.toEqual(merkleRoot(l));
  });

  it('proves every leaf of trees of 1..17 leaves, and rejects a wrong leaf, index or sibling', () => {
    for (let n = 1; n <= 17; n++) {
      const l = leaves(n);
      const root = merkleRoot(l);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(l, i);
        expect(verifyMerkleProof(root, l[i]!, proof)).toBe(true);
        expect(verifyMerkleProof(root, new Uint8Array([255, 255]), proof)).toBe(false);
        if (n > 1) {
          expect(verifyMerkleProof(root, l[i]!, { ...proof, index: (i + 1) % n })).toBe(false);
          const sib = proof.siblings.map((s, j) => (j === 0 ? sha256(s) : s));
          expect(verifyMerkleProof(root, l[i]!, { ...proof, siblings: sib })).toBe(false);
          expect(verifyMerkleProof(root, l[i]!, { ...proof, siblings: [...proof.siblings, root] })).toBe(false);
        }
      }
    }
  });

  it('a leaf hash cannot pass for an inner node', () => {
    const l = leaves(2);
    const inner = new Uint8Array([...leafHash(l[0]!), ...leafHash(l[1]!)]);
    expect(verifyMerkleProof(merkleRoot(l), inner, { index: 0, count: 1, siblings: [] })).toBe(false);
  });
});

describe('hash twins', () => {
  it('node:crypto sha256 / hmac equal noble on many inputs', () => {
    for (let n = 0; n < 300; n += 37) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(sha256(data, data)).toEqual(noble.sha256(data, data));
      expect(sha256(data)).toEqual(noble.sha256(data)); // the one-shot path of a single part
      expect(sha256(data.subarray(1))).toEqual(noble.sha256(data.subarray(1))); // a view at an offset
      expect(hmacSha256(data.subarray(0, 16), data)).toEqual(noble.hmacSha256(data.subarray(0, 16), data));
    }
  });
});
