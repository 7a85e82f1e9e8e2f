// Which Seal verifies a chain's headers, by the genesis params' sealName. The node binary
// never runs the test seal. A "pouw" chain whose genesis has no `training` section cannot
// verify tickets (the seal needs the task); the node then still serves genesis, RPC and the
// mempool, but rejects every block with BAD_SEAL saying why, never accepting unproven blocks.
import { BlockError, BlockErrorCode, TesseraError } from '../../consensus/errors.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { Seal } from '../../consensus/seal.ts';
import { POUW_SEAL_NAME, sealFor } from '../../consensus/seal-pouw.ts';
import type { BlockHeader } from '../../consensus/types.ts';

export enum SealErrorCode {
  /** The genesis names the test-only seal: a node binary never runs such a chain. */
  TEST_SEAL_REFUSED = 'SEAL_TEST_SEAL_REFUSED',
  /** The genesis names a seal this node does not know. */
  UNKNOWN_SEAL = 'SEAL_UNKNOWN',
}
export class SealError extends TesseraError<SealErrorCode, { sealName: string }> {}

function unverifiable(reason: string): Seal {
  return Object.freeze({
    name: POUW_SEAL_NAME,
    testOnly: false,
    verify(header: BlockHeader): void {
      throw new BlockError(BlockErrorCode.BAD_SEAL, { height: header.height, reason });
    },
  });
}

/** The seal for a chain's params; throws SealError for the test seal and unknown names. */
export function sealForChain(p: ChainParams): Seal {
  if (p.sealName === 'test') throw new SealError(SealErrorCode.TEST_SEAL_REFUSED, { sealName: p.sealName }, 'this genesis uses the test-only seal, which proves nothing; the node refuses to run it');
  if (p.sealName === POUW_SEAL_NAME && !p.training) return unverifiable('the genesis has no training section, so proof-of-useful-work tickets cannot be verified');
  let seal: Seal;
  try {
    seal = sealFor(p);
  } catch {
    throw new SealError(SealErrorCode.UNKNOWN_SEAL, { sealName: p.sealName }, `unknown seal "${p.sealName}" in the genesis params`);
  }
  assertRealSeal(seal);
  return seal;
}

/** Guard for any Seal handed to the node: test-only seals are refused. */
export function assertRealSeal(seal: Seal): void {
  if (seal.testOnly) throw new SealError(SealErrorCode.TEST_SEAL_REFUSED, { sealName: seal.name }, 'the node refuses to run with a test-only seal');
}
