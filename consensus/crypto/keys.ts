// secp256k1 keys and addresses. Address = first 20 bytes of SHA-256(compressed public key).
import { randomBytes } from 'node:crypto';
import * as secp from '@noble/secp256k1';
import { sha256 } from '../hash.ts';
import { fromHex, to0x } from '../bytes.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';

export class PrivateKey {
  private constructor(readonly bytes: Uint8Array) {}

  /** A fresh key from the operating system's CSPRNG. */
  static random(): PrivateKey {
    for (;;) {
      const b = new Uint8Array(randomBytes(32));
      if (secp.utils.isValidSecretKey(b)) return new PrivateKey(b);
    }
  }

  /** 32 bytes in [1, n-1]; throws RangeError otherwise. */
  static fromBytes(b: Uint8Array): PrivateKey {
    if (b.length !== 32 || !secp.utils.isValidSecretKey(b)) throw new RangeError('not a valid secp256k1 private key');
    return new PrivateKey(new Uint8Array(b));
  }

  /** 33-byte compressed public key. */
  publicKey(): Uint8Array {
    return secp.getPublicKey(this.bytes, true);
  }

  address(): Uint8Array {
    return addressFromPublicKey(this.publicKey());
  }
}

export function addressFromPublicKey(pub33: Uint8Array): Uint8Array {
  if (pub33.length !== 33) throw new RangeError(`compressed public key must be 33 bytes, got ${pub33.length}`);
  return sha256(pub33).slice(0, 20);
}

export function addressToString(a: Uint8Array): string {
  return to0x(a);
}

/** Parses `0x` + 40 hex digits; throws CodecError otherwise. */
export function parseAddress(s: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(s)) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'address', reason: 'expected 0x and 40 hex digits' });
  return fromHex(s);
}
