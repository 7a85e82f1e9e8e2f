import { TesseraError } from '../consensus/errors.ts';

export enum GenesisErrorCode {
  MISSING_FIELD = 'GENESIS_MISSING_FIELD',
  BAD_FIELD = 'GENESIS_BAD_FIELD',
  DUPLICATE_ALLOCATION = 'GENESIS_DUPLICATE_ALLOCATION',
  /** A listed dev key's address is not the address of its private key. */
  KEY_MISMATCH = 'GENESIS_KEY_MISMATCH',
}

export class GenesisError extends TesseraError<GenesisErrorCode, { path: string; reason?: string }> {
  constructor(code: GenesisErrorCode, context: { path: string; reason?: string }) {
    super(code, context);
    this.name = 'GenesisError';
  }
}
