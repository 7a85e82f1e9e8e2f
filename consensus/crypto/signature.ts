// Transaction signatures: secp256k1 ECDSA over a 32-byte hash, 65 bytes r || s || recid,
// RFC 6979 deterministic nonces, low-S only. Recovery (which is also verification: a tx
// carries no sender) runs on native libsecp256k1 when it loads, else on @noble/secp256k1;
// both run behind the same pre-checks so that they give identical answers.
import * as secp from '@noble/secp256k1';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { bytesToBigInt } from '../bytes.ts';
import { TxError, TxErrorCode } from '../errors.ts';
import type { Tx } from '../types.ts';
import { txSigningHash } from '../encoding/tx.ts';
import { addressFromPublicKey, PrivateKey } from './keys.ts';
import { loadNative } from './native.ts';

secp.hashes.sha256 = nobleSha256;
secp.hashes.hmacSha256 = (key: Uint8Array, msg: Uint8Array) => hmac(nobleSha256, key, msg);

export type SignatureBackend = 'native' | 'noble';

export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const HALF_N = CURVE_N >> 1n;

/** The path recoverAddress takes by default. */
export function signatureBackend(): SignatureBackend {
  return loadNative() ? 'native' : 'noble';
}

/** Signs a 32-byte hash: 65 bytes r || s || recid, deterministic (RFC 6979), low-S. */
export function signHash(hash32: Uint8Array, key: PrivateKey): Uint8Array {
  if (hash32.length !== 32) throw new RangeError('hash must be 32 bytes');
  // noble's 'recovered' format is recid || r || s; ours puts the recovery id last.
  const rec = secp.sign(hash32, key.bytes, { prehash: false, lowS: true, format: 'recovered', extraEntropy: false });
  const out = new Uint8Array(65);
  out.set(rec.subarray(1, 65), 0);
  out[64] = rec[0]!;
  return out;
}

/** Structural checks shared by both paths; returns (r, s, recid). */
function precheck(sig: Uint8Array): { recid: number } {
  if (sig.length !== 65) throw new TxError(TxErrorCode.MALFORMED_SIGNATURE, { reason: `length ${sig.length}, expected 65` });
  const recid = sig[64]!;
  if (recid > 1) throw new TxError(TxErrorCode.MALFORMED_SIGNATURE, { reason: `recovery id ${recid}, expected 0 or 1` });
  const r = bytesToBigInt(sig.subarray(0, 32));
  const s = bytesToBigInt(sig.subarray(32, 64));
  if (r === 0n || r >= CURVE_N) throw new TxError(TxErrorCode.MALFORMED_SIGNATURE, { reason: 'r out of range' });
  if (s === 0n || s >= CURVE_N) throw new TxError(TxErrorCode.MALFORMED_SIGNATURE, { reason: 's out of range' });
  if (s > HALF_N) throw new TxError(TxErrorCode.HIGH_S, {});
  return { recid };
}

function recoverNoble(hash32: Uint8Array, sig: Uint8Array, recid: number): Uint8Array {
  const rec = new Uint8Array(65);
  rec[0] = recid;
  rec.set(sig.subarray(0, 64), 1);
  try {
    return secp.recoverPublicKey(rec, hash32, { prehash: false });
  } catch (e) {
    throw new TxError(TxErrorCode.BAD_SIGNATURE, { reason: 'no public key recovers' });
  }
}

function recoverNative(hash32: Uint8Array, sig: Uint8Array, recid: number): Uint8Array {
  const native = loadNative();
  if (!native) throw new Error('native secp256k1 is not available');
  try {
    return native.ecdsaRecover(sig.subarray(0, 64), recid, hash32, true);
  } catch {
    throw new TxError(TxErrorCode.BAD_SIGNATURE, { reason: 'no public key recovers' });
  }
}

/** Recovers the 33-byte compressed public key; throws TxError (MALFORMED_SIGNATURE, HIGH_S, BAD_SIGNATURE). */
export function recoverPublicKey(hash32: Uint8Array, sig: Uint8Array, backend: SignatureBackend = signatureBackend()): Uint8Array {
  if (hash32.length !== 32) throw new RangeError('hash must be 32 bytes');
  const { recid } = precheck(sig);
  return backend === 'native' ? recoverNative(hash32, sig, recid) : recoverNoble(hash32, sig, recid);
}

export function recoverAddress(hash32: Uint8Array, sig: Uint8Array, backend?: SignatureBackend): Uint8Array {
  return addressFromPublicKey(recoverPublicKey(hash32, sig, backend));
}

/** Returns a copy of `tx` signed by `key` (its sig field is ignored). */
export function signTx<T extends Tx>(tx: T, key: PrivateKey): T {
  const sig = signHash(txSigningHash(tx), key);
  return Object.freeze(Object.assign({}, tx, { sig }));
}

export function recoverTxSender(tx: Tx, backend?: SignatureBackend): Uint8Array {
  return recoverAddress(txSigningHash(tx), tx.sig, backend);
}

/** Throws TxError unless `sig` is a valid low-S signature of `hash32` by `signer` (an address). */
export function verifySignature(hash32: Uint8Array, sig: Uint8Array, signer: Uint8Array, backend?: SignatureBackend): void {
  const got = recoverAddress(hash32, sig, backend);
  if (got.length !== signer.length || !got.every((x, i) => x === signer[i]))
    throw new TxError(TxErrorCode.BAD_SIGNATURE, { address: signer, reason: 'signed by another key' });
}
