// The native libsecp256k1 binding (the `secp256k1` package, CommonJS, prebuilt binary). Loaded
// with createRequire; `secp256k1/bindings` is the native addon only (the package's index falls
// back to a slow pure-JS `elliptic` build silently, which we never want on the hot path).
import { createRequire } from 'node:module';

export interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
}

let loaded: NativeSecp256k1 | null | undefined;
let loadError: string | undefined;

/** The native binding, or null when it does not load here. */
export function loadNative(): NativeSecp256k1 | null {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    loaded = require('secp256k1/bindings') as NativeSecp256k1;
  } catch (e) {
    loaded = null;
    loadError = (e as Error).message;
  }
  return loaded;
}

export function nativeLoadError(): string | undefined {
  loadNative();
  return loadError;
}
