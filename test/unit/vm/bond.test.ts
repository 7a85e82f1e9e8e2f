import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/errors.ts';
import { signTx } from '../../../consensus/crypto/signature.ts';
import { decodeTx, encodeTx } from '../../../consensus/encoding/tx.ts';
import { TxError, TxErrorCode } from '../../../consensus/errors.ts';
import { TypeTag, type BondTx, type UnbondTx } from '../../../consensus/types.ts';
import { applyTxs } from '../../../vm/apply-block.ts';
import { rewardsKey, decodeRewards } from '../../../vm/keys.ts';
import { readBond } from '../../../vm/round/state.ts';
import { TEST_PARAMS, testKey } from '../../fixtures/chain.ts';
import { MINING_PARAMS, mineLane, miningGenesis } from '../../fixtures/mining.ts';
import { encodeTicket } from '../../../consensus/pouw/ticket.ts';

const K = testKey(5);
const M = testKey(6).address();
const g = miningGenesis([K.address(), M], [M]);

const bond = (type: TypeTag.Bond | TypeTag.Unbond, amount: bigint, nonce: number) =>
  signTx({ type, chainId: MINING_PARAMS.chainId, nonce, fee: 10n, amount, sig: new Uint8Array(65) } as BondTx | UnbondTx, K);

const txErr = (f: () => unknown): TxError => thrown(TxError, f);

describe('Bond / Unbond', () => {
  it('encode canonically, type byte first', () => {
    const tx = bond(TypeTag.Bond, 5_000n, 0);
    expect(encodeTx(tx)[1]).toBe(0x11);
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    const un = bond(TypeTag.Unbond, 7n, 3);
    expect(decodeTx(encodeTx(un))).toEqual(un);
  });

  it('Bond moves balance into the bond; Unbond locks it for unbondDelay; over-unbonding fails', async () => {
    const w = await mineLane(g.state, g.header, M, 0);
    const ctx = { height: 1, miner: M, seal: encodeTicket(w.tickets[0]!) };
    const bal0 = g.state.getAccount(K.address()).balance;
    const r = applyTxs(g.state, ctx, [bond(TypeTag.Bond, 5_000n, 0), bond(TypeTag.Unbond, 2_000n, 1)], MINING_PARAMS);
    expect(readBond(r.state, K.address())).toBe(3_000n);
    expect(r.state.getAccount(K.address()).balance).toBe(bal0 - 5_000n - 20n);
    const locked = decodeRewards(r.state.get(rewardsKey(1 + MINING_PARAMS.training!.unbondDelay))!);
    expect(locked).toEqual([{ address: K.address(), amount: 2_000n }]);
    const e = txErr(() => applyTxs(g.state, ctx, [bond(TypeTag.Bond, 5_000n, 0), bond(TypeTag.Unbond, 5_001n, 1)], MINING_PARAMS));
    expect([e.code, e.context.index]).toEqual([TxErrorCode.INSUFFICIENT_BOND, 1]);
  });

  it('is refused on a chain without training', () => {
    const e = txErr(() => applyTxs(g.state, { height: 1, miner: M }, [bond(TypeTag.Bond, 5n, 0)], TEST_PARAMS));
    expect(e.code).toBe(TxErrorCode.NO_TRAINING);
  });
});
