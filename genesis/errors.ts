import { TesseraError } from '../consensus/errors.ts';

export enum GenesisErrorCode {
  MISSING_FIELD = 'GENESIS_MISSING_FIELD',
  BAD_FIELD = 'GENESIS_BAD_FIELD',
  DUPLICATE_ALLOCATION = 'GENESIS_DUPLICATE_ALLOCATION',
  /** A listed dev key's address is not the address of its private key. */
  KEY_MISMATCH = 'GENESIS_KEY_MISMATCH',
  /** unbondDelay <= roundBlocks + challengeWindow: a miner could unbond before a challenge of its last round can slash it. */
  UNBOND_DELAY_TOO_SHORT = 'GENESIS_UNBOND_DELAY_TOO_SHORT',
  /** The training data this node has does not hash to the genesis's datasetHash. */
  DATASET_MISMATCH = 'GENESIS_DATASET_MISMATCH',
}

export class GenesisError extends TesseraError<GenesisErrorCode, { path: string; reason?: string }> {
  constructor(code: GenesisErrorCode, context: { path: string; reason?: string }) {
    super(code, context);
    this.name = 'GenesisError';
  }
}
