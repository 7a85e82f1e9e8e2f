// Header signatures: the header's miner signs headerSigningHash (consensus/encoding/header.ts), the
// same 65-byte low-S recoverable ECDSA as transactions. Checked in header validation after the cheap
// field checks and before the seal (whose ticket check recomputes a tile's transcript): a header
// whose signature does not recover to its miner costs one recovery, never a transcript.
import { BlockError, BlockErrorCode, TxError } from '../errors.ts';
import { headerSigningHash } from '../encoding/header.ts';
import type { BlockHeader } from '../types.ts';
import type { PrivateKey } from './keys.ts';
import { recoverAddress, signHash } from './signature.ts';

/** A copy of `h` signed by `key` (its sig field is ignored). `h.miner` must be the key's address. */
export function signHeader(h: BlockHeader, key: PrivateKey): BlockHeader {
  const addr = key.address();
  if (!addr.every((x, i) => x === h.miner[i])) throw new RangeError('signHeader: the key is not the header miner\'s');
  return Object.freeze({ ...h, sig: signHash(headerSigningHash(h), key) });
}

/** Throws BlockError(BAD_HEADER_SIGNATURE) unless `h.sig` is a valid signature of `h` by `h.miner`. */
export function verifyHeaderSignature(h: BlockHeader): void {
  let got: Uint8Array;
  try {
    got = recoverAddress(headerSigningHash(h), h.sig);
  } catch (e) {
    if (e instanceof TxError) throw new BlockError(BlockErrorCode.BAD_HEADER_SIGNATURE, { height: h.height, cause: e.code, address: h.miner });
    throw e;
  }
  if (got.length !== h.miner.length || !got.every((x, i) => x === h.miner[i]))
    throw new BlockError(BlockErrorCode.BAD_HEADER_SIGNATURE, { height: h.height, address: h.miner, got, reason: 'signed by another key than the header miner' });
}
