// Transfer: moves `amount` from the signer to `to`, paying `fee` to the block's miner.
// Rules, cheapest first: chain id, amount > 0, fee >= minFee, signature (low-S, recovers the
// sender), nonce == sender's nonce, balance >= amount + fee (+ accountCreationFee when `to` has no
// account yet: that part is burned). A failing rule throws a TxError before any write, so a failed
// transfer changes nothing.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { TransferTx } from '../../consensus/types.ts';
import type { StateView } from '../view.ts';
import { accountExists } from '../keys.ts';
import { checkSignedTx, MAX_U64, type TxOutcome } from './common.ts';

export function applyTransfer(view: StateView, tx: TransferTx, p: ChainParams, backend?: SignatureBackend): TxOutcome {
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const creates = !accountExists(view.getAccount(tx.to));
  const cost = tx.amount + tx.fee + (creates ? p.accountCreationFee : 0n);
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance });
  view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
  const to = view.getAccount(tx.to); // read after the debit: a self-transfer sees its own debit
  if (to.balance + tx.amount > MAX_U64) throw new TxError(TxErrorCode.BALANCE_OVERFLOW, { address: tx.to });
  view.putAccount(tx.to, { balance: to.balance + tx.amount, nonce: to.nonce });
  return { sender, fee: tx.fee };
}
