// Bond: moves `amount` of the signer's balance into its mining bond (a contribution's miner needs
// bond >= minBond). Unbond: takes `amount` out of the bond; it is credited unbondDelay blocks later
// (locked like a reward, so a miner cannot dodge a slash by unbonding at once).
// Rules, cheapest first: chain has training, chain id, amount > 0, fee >= minFee, signature,
// nonce, balance (Bond: amount + fee; Unbond: fee) and bond (Unbond). No write before all pass.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import type { ChainParams } from '../../consensus/params.ts';
import { TypeTag, type BondTx, type UnbondTx } from '../../consensus/types.ts';
import { lockReward } from '../rewards.ts';
import { readBond, writeBond } from '../round/state.ts';
import type { StateView } from '../view.ts';
import { checkSignedTx, MAX_U64, type TxOutcome } from './common.ts';

export function applyBondTx(view: StateView, tx: BondTx | UnbondTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const t = p.training;
  if (!t) throw new TxError(TxErrorCode.NO_TRAINING, {});
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const bond = readBond(view, sender);
  if (tx.type === TypeTag.Bond) {
    const cost = tx.amount + tx.fee;
    if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance });
    if (bond + tx.amount > MAX_U64) throw new TxError(TxErrorCode.BALANCE_OVERFLOW, { address: sender });
    view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
    writeBond(view, sender, bond + tx.amount);
  } else {
    if (from.balance < tx.fee) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: tx.fee, got: from.balance });
    if (bond < tx.amount) throw new TxError(TxErrorCode.INSUFFICIENT_BOND, { address: sender, expected: tx.amount, got: bond });
    view.putAccount(sender, { balance: from.balance - tx.fee, nonce: from.nonce + 1 });
    writeBond(view, sender, bond - tx.amount);
    lockReward(view, height + t.unbondDelay, sender, tx.amount);
  }
  return { sender, fee: tx.fee };
}
