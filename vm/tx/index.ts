// Dispatch by transaction type: one file per type.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import type { ChainParams } from '../../consensus/params.ts';
import { TypeTag, type Tx } from '../../consensus/types.ts';
import type { StateView } from '../view.ts';
import { applyBondTx } from './bond.ts';
import { applyTransfer } from './transfer.ts';
import { applyEquivocation } from './equivocation.ts';
import { applyChallenge } from './challenge.ts';
import type { TxOutcome } from './common.ts';
import { applyRegisterData } from '../data/registry.ts';
import { applyPayRoyalty } from '../data/royalty.ts';
import { applyDeposit, applyPropose, applyVote } from '../governance/txs.ts';

export { applyTransfer } from './transfer.ts';
export { checkSignedTx, MAX_U64, type TxOutcome } from './common.ts';
export { applyBondTx } from './bond.ts';
export { applyEquivocation, checkEvidence, offenceKey } from './equivocation.ts';
export { applyChallenge, challengedPart, judgeChallenge } from './challenge.ts';

/**
 * `height`: the including block's height (Unbond locks its amount relative to it; proposals and votes
 * are timed by it); default 0. `p`: the parameters in effect at that height (paramsAt).
 */
export function applyTx(view: StateView, tx: Tx, p: ChainParams, backend?: SignatureBackend, height = 0): TxOutcome {
  switch (tx.type) {
    case TypeTag.Transfer:
      return applyTransfer(view, tx, p, backend);
    case TypeTag.Bond:
    case TypeTag.Unbond:
      return applyBondTx(view, tx, p, height, backend);
    case TypeTag.RegisterData:
      return applyRegisterData(view, tx, p, height, backend);
    case TypeTag.PayRoyalty:
      return applyPayRoyalty(view, tx, p, backend);
    case TypeTag.Propose:
      return applyPropose(view, tx, p, height, backend);
    case TypeTag.Deposit:
      return applyDeposit(view, tx, p, height, backend);
    case TypeTag.Vote:
      return applyVote(view, tx, p, height, backend);
    case TypeTag.Equivocation:
      return applyEquivocation(view, tx, p, height, backend);
    case TypeTag.Challenge:
      return applyChallenge(view, tx, p, height, backend);
    default:
      throw new TxError(TxErrorCode.UNKNOWN_TYPE, { got: String((tx as { type: unknown }).type) });
  }
}
