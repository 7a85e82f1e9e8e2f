import { TesseraError } from '../../consensus/errors.ts';

/** Why the chain refused a block for chain reasons (consensus failures are BlockError/TxError/CodecError). */
export enum ChainErrorCode {
  /** The block is already stored (imported before, canonical or side branch). */
  ALREADY_KNOWN = 'CHAIN_ALREADY_KNOWN',
  /** Its parent is not stored: the block cannot be validated yet. */
  UNKNOWN_PARENT = 'CHAIN_UNKNOWN_PARENT',
  /** The block descends from a block already found invalid. */
  INVALID_ANCESTOR = 'CHAIN_INVALID_ANCESTOR',
  /** The datadir holds a chain with another genesis. */
  WRONG_GENESIS = 'CHAIN_WRONG_GENESIS',
  /** The chain was closed. */
  CLOSED = 'CHAIN_CLOSED',
  /** Too many blocks wait in the import queue; try again later. */
  QUEUE_FULL = 'CHAIN_QUEUE_FULL',
  /** The datadir's records contradict each other (e.g. stored state root != head's); see reason. */
  CORRUPT_DB = 'CHAIN_CORRUPT_DB',
  /**
   * Another block on the same parent with the same ticket (seal) is already stored or was found
   * invalid: one ticket seals one block. context.hash = this block, expected = the first block's hash;
   * reason 'equivocation' when this header too is signed by the ticket's miner (evidence kept).
   */
  DUPLICATE_TICKET = 'CHAIN_DUPLICATE_TICKET',
  /** The block (by hash), or its (parent, seal), failed before: context.cause = the remembered error code. */
  KNOWN_INVALID = 'CHAIN_KNOWN_INVALID',
  /** A reorg would re-apply a block whose part bodies this (non-archive) node pruned: deeper than the challenge window. */
  PRUNED = 'CHAIN_PRUNED',
}

export interface ChainErrorContext {
  hash?: string;
  parent?: string;
  height?: number;
  cause?: unknown;
  expected?: string;
  found?: string;
  limit?: number;
  reason?: string;
  /** QUEUE_FULL: which bound ('jobs' or 'bytes'). */
  unit?: string;
}

export class ChainError extends TesseraError<ChainErrorCode, ChainErrorContext> {}
