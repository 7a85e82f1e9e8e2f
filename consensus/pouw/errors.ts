// Typed errors of proof-of-useful-work verification: a closed enum of codes, typed context.
import { TesseraError } from '../errors.ts';

export enum PouwErrorCode {
  /** The claimed tile hash is above target·h·w·k. */
  ABOVE_TARGET = 'POUW_ABOVE_TARGET',
  /** A row of A or a column of B does not prove against the job's input root. */
  BAD_PROOF = 'POUW_BAD_PROOF',
  /** The recomputed transcript hash differs from the claimed one. */
  BAD_TRANSCRIPT = 'POUW_BAD_TRANSCRIPT',
  /** Shapes, tile position, spec parameters or line lengths are inconsistent. */
  BAD_SHAPE = 'POUW_BAD_SHAPE',
  /** An operand entry lies outside int7 [-63, 63]. */
  BAD_OPERAND = 'POUW_BAD_OPERAND',
  /** The job is too small to be a ticket job under the spec. */
  NOT_TICKET_JOB = 'POUW_NOT_TICKET_JOB',
}

export interface PouwErrorContext {
  field?: string;
  reason?: string;
  index?: number;
}

export class PouwError extends TesseraError<PouwErrorCode, PouwErrorContext> {}
