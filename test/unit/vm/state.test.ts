import { describe, expect, it } from 'vitest';
import { State } from '../../../vm/state.ts';
import { StateView } from '../../../vm/view.ts';
import { decodeStateDiff, encodeStateDiff } from '../../../vm/diff.ts';
import { accountKey, encodeAccount } from '../../../vm/keys.ts';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { testKey } from '../../fixtures/chain.ts';
import { mulberry32 } from '../../helpers/prng.ts';
import { concatBytes, toHex, u32be, u64be } from '../../../consensus/bytes.ts';
import { sha256 } from '../../../consensus/hash.ts';
import { compareLeafPaths, smtBuild, smtDepth, smtLeaf } from '../../../vm/smt.ts';

const A = testKey(0).address();
const B = testKey(1).address();
const C = testKey(2).address();
const base = State.fromEntries([
  [accountKey(A), encodeAccount({ balance: 100n, nonce: 0 })],
  [accountKey(B), encodeAccount({ balance: 5n, nonce: 3 })],
]);

describe('state', () => {
  it('root is deterministic and independent of insertion order', () => {
    const other = State.fromEntries([...base.entries()].reverse());
    expect(other.root()).toEqual(base.root());
    expect(State.empty().root()).not.toEqual(base.root());
    expect(base.getAccount(A)).toEqual({ balance: 100n, nonce: 0 });
    expect(base.getAccount(C)).toEqual({ balance: 0n, nonce: 0 });
  });

  it('checkpoint / revert drops writes; commit keeps them; nested frames compose', () => {
    const v = new StateView(base);
    v.checkpoint();
    v.putAccount(A, { balance: 1n, nonce: 1 });
    v.checkpoint();
    v.putAccount(B, { balance: 9n, nonce: 4 });
    v.putAccount(C, { balance: 7n, nonce: 0 });
    v.revert();
    expect(v.getAccount(B)).toEqual({ balance: 5n, nonce: 3 });
    expect(v.getAccount(C)).toEqual({ balance: 0n, nonce: 0 });
    expect(v.getAccount(A)).toEqual({ balance: 1n, nonce: 1 });
    v.checkpoint();
    v.putAccount(C, { balance: 7n, nonce: 0 });
    v.commit();
    v.revert(); // the outer frame: drops A's and C's writes
    expect(v.getAccount(A)).toEqual({ balance: 100n, nonce: 0 });
    expect(v.getAccount(C)).toEqual({ balance: 0n, nonce: 0 });
    expect(v.diff().changes).toEqual([]);
    expect(v.root()).toEqual(base.root());
    expect(() => v.revert()).toThrow();
  });

  it('the base state is never modified by a view', () => {
    const root = base.root();
    const v = new StateView(base);
    v.putAccount(A, { balance: 0n, nonce: 0 });
    v.putAccount(C, { balance: 1n, nonce: 0 });
    expect(base.getAccount(A).balance).toBe(100n);
    expect(State.fromEntries(base.entries()).root()).toEqual(root);
    expect(v.root()).not.toEqual(root);
  });

  it('diff lists before/after per key; applyDiff and revertDiff are inverses; it survives encoding', () => {
    const v = new StateView(base);
    v.putAccount(A, { balance: 0n, nonce: 0 }); // zero account: deleted
    v.putAccount(B, { balance: 6n, nonce: 3 });
    v.putAccount(C, { balance: 1n, nonce: 0 }); // created
    const d = decodeStateDiff(encodeStateDiff(v.diff()));
    expect(d.changes.length).toBe(3);
    const byKey = new Map(d.changes.map((c) => [Buffer.from(c.key).toString('hex'), c]));
    expect(byKey.get(Buffer.from(accountKey(A)).toString('hex'))!.after).toBeNull();
    expect(byKey.get(Buffer.from(accountKey(C)).toString('hex'))!.before).toBeNull();
    const post = base.applyDiff(d);
    expect(post.root()).toEqual(v.toState().root());
    expect(post.getAccount(C).balance).toBe(1n);
    const back = post.revertDiff(d);
    expect(back.root()).toEqual(base.root());
    // Applying a diff to a state it was not made from is refused.
    try {
      post.applyDiff(d);
      expect.unreachable();
    } catch (e) {
      expect((e as BlockError).code).toBe(BlockErrorCode.STATE_MISMATCH);
    }
  });
});

describe('state tree (persistent sparse Merkle tree)', () => {
  const key = (i: number) => accountKey(sha256(u32be(i)).subarray(0, 20));
  const val = (i: number, v: number) => encodeAccount({ balance: BigInt(v) + 1n, nonce: i % 3 });
  const winKeyOf = (round: number, i: number) => concatBytes(new Uint8Array([0x07]), u64be(round), u32be(i));

  it('the root is a function of the entries only: any history of puts and deletes gives the root of a fresh build', () => {
    const next01 = mulberry32(1313);
    const rng = { int: (n: number) => Math.floor(next01() * n) };
    let s = State.fromEntries(Array.from({ length: 300 }, (_, i) => [key(i), val(i, i)] as [Uint8Array, Uint8Array]));
    const model = new Map<string, [Uint8Array, Uint8Array]>([...s.entries()].map(([k, v]) => [toHex(k), [k, v]]));
    for (let round = 0; round < 20; round++) {
      const changes = new Map<string, Uint8Array | null>();
      for (let j = 0; j < 25; j++) {
        const i = rng.int(400);
        const k = rng.int(4) === 0 ? winKeyOf(round % 3, i) : key(i);
        const v = rng.int(3) === 0 ? null : val(i, rng.int(1_000_000));
        changes.set(toHex(k), v);
        if (v === null) model.delete(toHex(k));
        else model.set(toHex(k), [k, v]);
      }
      const before = s.root();
      const after = s.withChanges(changes);
      expect(s.root()).toEqual(before); // the old version is untouched
      s = after;
      expect(s.size).toBe(model.size);
      expect(s.root()).toEqual(State.fromEntries(model.values()).root());
    }
    // prefix index: the non-account keys under a prefix, in byte order
    for (const r of [0, 1, 2]) {
      const prefix = concatBytes(new Uint8Array([0x07]), u64be(r));
      const want = [...model.values()].map(([k]) => toHex(k)).filter((k) => k.startsWith(toHex(prefix))).sort();
      expect(s.keysWithPrefix(prefix).map(toHex)).toEqual(want);
    }
    expect([...s.entries()].map(([k]) => toHex(k))).toEqual([...model.keys()].sort());
  });

  it('deleting every entry gives the empty root; accounts are not listed by prefix', () => {
    const s = State.fromEntries([[key(1), val(1, 1)], [key(2), val(2, 2)], [winKeyOf(0, 1), val(0, 0)]]);
    const empty = s.withChanges(new Map([key(1), key(2), winKeyOf(0, 1)].map((k) => [toHex(k), null])));
    expect(empty.root()).toEqual(State.empty().root());
    expect(empty.size).toBe(0);
    expect(() => s.keysWithPrefix(new Uint8Array([0x01]))).toThrow(RangeError);
  });

  it('paths stay short: at 20,000 random keys no leaf is deeper than 2·log2(N) + 8', () => {
    const n = 20_000;
    const leaves = Array.from({ length: n }, (_, i) => smtLeaf(key(i), val(i, i))).sort(compareLeafPaths);
    expect(smtDepth(smtBuild(leaves))).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 8);
  });
});
