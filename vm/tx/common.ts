// The rules every transaction type shares, cheapest first: chain id, amount > 0 (types with an amount), fee >= minFee,
// signature (low-S, recovers the sender), nonce == the sender's nonce. Writes nothing.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import { recoverTxSender, type SignatureBackend } from '../../consensus/crypto/signature.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { Tx } from '../../consensus/types.ts';
import type { Account } from '../keys.ts';
import type { StateView } from '../view.ts';

export const MAX_U64 = (1n << 64n) - 1n;

export interface TxOutcome {
  readonly sender: Uint8Array;
  readonly fee: bigint;
}

/** Checks the shared rules; returns the recovered sender and its account as it is now. */
export function checkSignedTx(view: StateView, tx: Tx, p: ChainParams, backend?: SignatureBackend): { sender: Uint8Array; from: Account } {
  if (tx.chainId !== p.chainId) throw new TxError(TxErrorCode.WRONG_CHAIN, { expected: p.chainId, got: tx.chainId });
  if ('amount' in tx && tx.amount === 0n) throw new TxError(TxErrorCode.ZERO_AMOUNT, {});
  if (tx.fee < p.minFee) throw new TxError(TxErrorCode.FEE_TOO_LOW, { expected: p.minFee, got: tx.fee });
  const sender = recoverTxSender(tx, backend);
  const from = view.getAccount(sender);
  if (tx.nonce !== from.nonce)
    throw new TxError(TxErrorCode.BAD_NONCE, { address: sender, expected: from.nonce, got: tx.nonce, reason: tx.nonce < from.nonce ? 'replayed' : 'gapped' });
  if (from.nonce >= Number.MAX_SAFE_INTEGER) throw new TxError(TxErrorCode.NONCE_OVERFLOW, { address: sender });
  return { sender, from };
}
