// Typed errors of the training rules.
import { TesseraError } from '../errors.ts';

export enum TrainingErrorCode {
  /** The task spec is not usable (shape, formats, batch not a power of two, ...). */
  BAD_SPEC = 'TRAINING_BAD_SPEC',
  /** A tensor, dataset or checkpoint does not have the shape the task says. */
  BAD_SHAPE = 'TRAINING_BAD_SHAPE',
  /** A contribution's fields do not fit the task (steps, jobs, delta length). */
  BAD_CONTRIBUTION = 'TRAINING_BAD_CONTRIBUTION',
  /** A MatmulFn returned a product of the wrong size. */
  BAD_PRODUCT = 'TRAINING_BAD_PRODUCT',
  /** A fraud-proof claim does not start from the committed weights of its step. */
  BAD_CHALLENGE = 'TRAINING_BAD_CHALLENGE',
  /** An outer update was asked with no contribution, or contributions of another round/base. */
  BAD_OUTER = 'TRAINING_BAD_OUTER',
}

export interface TrainingErrorContext {
  what: string;
  reason?: string;
  step?: number;
  index?: number;
}

export class TrainingError extends TesseraError<TrainingErrorCode, TrainingErrorContext> {}
