import { TesseraError } from '../../consensus/errors.ts';
import { BackendErrorCode } from './types.ts';

export class BackendError extends TesseraError<BackendErrorCode, { backend: string; reason?: string }> {}
export { BackendErrorCode };
