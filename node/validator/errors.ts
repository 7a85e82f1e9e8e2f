import { TesseraError } from '../../consensus/errors.ts';

/** Why a node refused an attestation (gossip) or a validator could not check a part. */
export enum ValidatorErrorCode {
  /** The signature does not recover to the attestation's validator address. */
  BAD_SIGNATURE = 'VAL_BAD_SIGNATURE',
  /** A field out of its range for this chain's task: the step beyond H, a lane outside the part, ... */
  BAD_ATTESTATION = 'VAL_BAD_ATTESTATION',
  /** The part it names is not one this node knows (not landed, out of the window, or our chain lags). */
  UNKNOWN_PART = 'VAL_UNKNOWN_PART',
  /** This node already holds the same attestation (validator, part, lane, step). */
  DUPLICATE = 'VAL_DUPLICATE',
  /** The per-round or per-validator cap of stored attestations is reached. */
  STORE_FULL = 'VAL_STORE_FULL',
  /** The check could not run on our side (no W_R for the round, the part body pruned, ...). */
  CANNOT_CHECK = 'VAL_CANNOT_CHECK',
}

export interface ValidatorErrorContext {
  round?: number;
  lane?: number;
  step?: number;
  validator?: string;
  reason?: string;
  cause?: string;
}

export class ValidatorError extends TesseraError<ValidatorErrorCode, ValidatorErrorContext> {
  constructor(code: ValidatorErrorCode, context: ValidatorErrorContext = {}) {
    super(code, context);
    this.name = 'ValidatorError';
  }
}
