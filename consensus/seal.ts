// The seal: the proof that a header was mined. Header validation calls it last (it is the
// expensive check). The proof-of-useful-work seal ("pouw", consensus/pouw) implements this
// interface; TEST_SEAL exists for tests only and the node refuses to run with it.
import { sha256 } from './hash.ts';
import { bytesEqual } from './bytes.ts';
import { BlockError, BlockErrorCode } from './errors.ts';
import { headerWithoutSeal } from './encoding/header.ts';
import type { BlockHeader } from './types.ts';

export interface Seal {
  readonly name: string;
  /** True for seals that prove nothing; a node must refuse to run a real chain with them. */
  readonly testOnly: boolean;
  /** Throws BlockError(BAD_SEAL) when `header.seal` does not prove `header` on `parent`. */
  verify(header: BlockHeader, parent: BlockHeader): void;
}

/** TEST ONLY: the seal bytes are SHA-256(header without seal)[0..8]. Costs nothing to forge. */
export function testSealFor(header: BlockHeader): Uint8Array {
  return sha256(headerWithoutSeal(header)).slice(0, 8);
}

export const TEST_SEAL: Seal = Object.freeze({
  name: 'test',
  testOnly: true,
  verify(header: BlockHeader, _parent: BlockHeader): void {
    if (!bytesEqual(header.seal, testSealFor(header))) throw new BlockError(BlockErrorCode.BAD_SEAL, { height: header.height, reason: 'test seal mismatch' });
  },
});
