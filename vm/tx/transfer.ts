// Transfer: moves `amount` from the signer to `to`, paying `fee` to the block's miner.
// Rules, cheapest first: chain id, amount > 0, fee >= minFee, signature (low-S, recovers the
// sender), nonce == sender's nonce, balance >= amount + fee. A failing rule throws a TxError
// before any write, so a failed transfer changes nothing.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import { recoverTxSender, type SignatureBackend } from '../../consensus/crypto/signature.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { TransferTx } from '../../consensus/types.ts';
import type { StateView } from '../view.ts';

export const MAX_U64 = (1n << 64n) - 1n;

export interface TxOutcome {
  readonly sender: Uint8Array;
  readonly fee: bigint;
}

export function applyTransfer(view: StateView, tx: TransferTx, p: ChainParams, backend?: SignatureBackend): TxOutcome {
  if (tx.chainId !== p.chainId) throw new TxError(TxErrorCode.WRONG_CHAIN, { expected: p.chainId, got: tx.chainId });
  if (tx.amount === 0n) throw new TxError(TxErrorCode.ZERO_AMOUNT, {});
  if (tx.fee < p.minFee) throw new TxError(TxErrorCode.FEE_TOO_LOW, { expected: p.minFee, got: tx.fee });
  const sender = recoverTxSender(tx, backend);
  const from = view.getAccount(sender);
  if (tx.nonce !== from.nonce)
    throw new TxError(TxErrorCode.BAD_NONCE, {
      address: sender,
      expected: from.nonce,
      got: tx.nonce,
      reason: tx.nonce < from.nonce ? 'replayed' : 'gapped',
    });
  if (from.nonce >= Number.MAX_SAFE_INTEGER) throw new TxError(TxErrorCode.NONCE_OVERFLOW, { address: sender });
  const cost = tx.amount + tx.fee;
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance });
  view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
  const to = view.getAccount(tx.to); // read after the debit: a self-transfer sees its own debit
  if (to.balance + tx.amount > MAX_U64) throw new TxError(TxErrorCode.BALANCE_OVERFLOW, { address: tx.to });
  view.putAccount(tx.to, { balance: to.balance + tx.amount, nonce: to.nonce });
  return { sender, fee: tx.fee };
}
