import { describe, expect, it } from 'vitest';
import { State } from '../../../vm/state.ts';
import { StateView } from '../../../vm/view.ts';
import { decodeStateDiff, encodeStateDiff } from '../../../vm/diff.ts';
import { accountKey, encodeAccount } from '../../../vm/keys.ts';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { testKey } from '../../fixtures/chain.ts';

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
