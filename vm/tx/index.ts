// Dispatch by transaction type: one file per type.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import type { ChainParams } from '../../consensus/params.ts';
import { TypeTag, type Tx } from '../../consensus/types.ts';
import type { StateView } from '../view.ts';
import { applyTransfer, type TxOutcome } from './transfer.ts';

export { applyTransfer, MAX_U64, type TxOutcome } from './transfer.ts';

export function applyTx(view: StateView, tx: Tx, p: ChainParams, backend?: SignatureBackend): TxOutcome {
  switch (tx.type) {
    case TypeTag.Transfer:
      return applyTransfer(view, tx, p, backend);
    default:
      throw new TxError(TxErrorCode.UNKNOWN_TYPE, { got: String((tx as { type: unknown }).type) });
  }
}
