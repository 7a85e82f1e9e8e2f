import { TesseraError } from '../../consensus/errors.ts';

/** Why the mempool refused a transaction (consensus failures are TxErrors: HIGH_S, BAD_NONCE, ...). */
export enum MempoolErrorCode {
  /** The same tx (same hash) is already pooled. */
  ALREADY_KNOWN = 'MEMPOOL_ALREADY_KNOWN',
  /** Nonce leaves a gap after the account's pooled txs (or its head-state nonce). */
  NONCE_GAP = 'MEMPOOL_NONCE_GAP',
  /** Same sender and nonce as a pooled tx, but the fee is not higher. */
  FEE_TOO_LOW_TO_REPLACE = 'MEMPOOL_FEE_TOO_LOW_TO_REPLACE',
  /** The sender already has the per-account maximum of pooled txs. */
  ACCOUNT_FULL = 'MEMPOOL_ACCOUNT_FULL',
  /** The pool is full and the tx's fee does not beat the cheapest evictable tx. */
  POOL_FULL = 'MEMPOOL_POOL_FULL',
}

export interface MempoolErrorContext {
  txHash?: string;
  sender?: string;
  nonce?: number;
  expected?: number;
  fee?: bigint;
  need?: bigint;
  have?: bigint;
  limit?: number;
  cause?: unknown;
  reason?: string;
}

export class MempoolError extends TesseraError<MempoolErrorCode, MempoolErrorContext> {}
