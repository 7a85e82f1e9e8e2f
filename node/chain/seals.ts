// Which Seal verifies a chain's headers, by the genesis params' sealName.
// The proof-of-useful-work seal's header format (winning ticket + Merkle proofs) arrives with
// the mining issue; until then this adapter stands in for it: it rejects every header with
// BAD_SEAL saying so, so a node runs (genesis, RPC, mempool) but cannot be fooled into accepting
// unproven blocks. The test seal is never returned here: the node refuses it.
import { BlockError, BlockErrorCode, TesseraError } from '../../consensus/errors.ts';
import type { Seal } from '../../consensus/seal.ts';
import type { BlockHeader } from '../../consensus/types.ts';

export enum SealErrorCode {
  /** The genesis names the test-only seal: a node binary never runs such a chain. */
  TEST_SEAL_REFUSED = 'SEAL_TEST_SEAL_REFUSED',
  /** The genesis names a seal this node does not know. */
  UNKNOWN_SEAL = 'SEAL_UNKNOWN',
}
export class SealError extends TesseraError<SealErrorCode, { sealName: string }> {}

export const POUW_SEAL_PENDING: Seal = Object.freeze({
  name: 'pouw',
  testOnly: false,
  verify(header: BlockHeader): void {
    throw new BlockError(BlockErrorCode.BAD_SEAL, { height: header.height, reason: 'proof-of-useful-work seal verification is not available yet in this node' });
  },
});

/** The seal for `sealName`; throws SealError for the test seal and unknown names. */
export function sealFor(sealName: string): Seal {
  if (sealName === 'pouw') return POUW_SEAL_PENDING;
  if (sealName === 'test') throw new SealError(SealErrorCode.TEST_SEAL_REFUSED, { sealName }, 'this genesis uses the test-only seal, which proves nothing; the node refuses to run it');
  throw new SealError(SealErrorCode.UNKNOWN_SEAL, { sealName }, `unknown seal "${sealName}" in the genesis params`);
}

/** Guard for any Seal handed to the node: test-only seals are refused. */
export function assertRealSeal(seal: Seal): void {
  if (seal.testOnly) throw new SealError(SealErrorCode.TEST_SEAL_REFUSED, { sealName: seal.name }, 'the node refuses to run with a test-only seal');
}
