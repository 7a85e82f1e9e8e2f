// The account-creation fee: a transfer whose recipient has no account pays accountCreationFee on
// top of its fee, burned; a transfer to an existing account does not. The pool counts it too.
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/errors.ts';
import { TxError, TxErrorCode } from '../../../consensus/errors.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { Mempool } from '../../../node/mempool/mempool.ts';
import { applyTxs } from '../../../vm/apply-block.ts';
import { accountKey, encodeAccount } from '../../../vm/keys.ts';
import { State } from '../../../vm/state.ts';
import { TEST_PARAMS, testKey, transfer } from '../../fixtures/chain.ts';

const P = { ...TEST_PARAMS, accountCreationFee: 500n };
const alice = testKey(0);
const known = testKey(1).address();
const fresh = testKey(2).address();
const pre = State.fromEntries([
  [accountKey(alice.address()), encodeAccount({ balance: 1_000n, nonce: 0 })],
  [accountKey(known), encodeAccount({ balance: 1n, nonce: 0 })],
]);
const ctx = { height: 1, miner: new Uint8Array(20).fill(9) };
const total = (s: State) => [...s.entries()].length;

describe('account-creation fee', () => {
  it('a transfer that creates an account pays the fee on top (burned); to an existing account it does not', () => {
    const toKnown = applyTxs(pre, ctx, [transfer(alice, known, 100n, 0)], P);
    expect(toKnown.state.getAccount(alice.address()).balance).toBe(1_000n - 100n - 10n);
    const toFresh = applyTxs(pre, ctx, [transfer(alice, fresh, 100n, 0)], P);
    expect(toFresh.state.getAccount(alice.address()).balance).toBe(1_000n - 100n - 10n - 500n);
    expect(toFresh.state.getAccount(fresh).balance).toBe(100n);
    expect(toFresh.fees).toBe(10n); // the miner gets the fee, not the creation fee
    expect(total(toFresh.state)).toBe(total(toKnown.state) + 1);
    // a second transfer to the same (now existing) account pays no creation fee
    const twice = applyTxs(pre, ctx, [transfer(alice, fresh, 100n, 0), transfer(alice, fresh, 100n, 1)], P);
    expect(twice.state.getAccount(alice.address()).balance).toBe(1_000n - 200n - 20n - 500n);
  });

  it('a sender that cannot pay it is refused, by the VM and by the pool', () => {
    const e = thrown(TxError, () => applyTxs(pre, ctx, [transfer(alice, fresh, 600n, 0)], P));
    expect([e.code, e.context.expected]).toEqual([TxErrorCode.INSUFFICIENT_BALANCE, 600n + 10n + 500n]);
    applyTxs(pre, ctx, [transfer(alice, known, 600n, 0)], P); // same amount to an existing account applies
    const pool = new Mempool({ chainId: P.chainId, minFee: P.minFee, accountCreationFee: P.accountCreationFee }, { logger: silentLogger });
    expect(thrown(TxError, () => pool.add(transfer(alice, fresh, 600n, 0), pre)).code).toBe(TxErrorCode.INSUFFICIENT_BALANCE);
    pool.add(transfer(alice, fresh, 100n, 0), pre);
    // the pending state knows the first transfer created the account: the second pays no creation fee
    pool.add(transfer(alice, fresh, 380n, 1), pre);
    expect(pool.size).toBe(2);
  });
});
