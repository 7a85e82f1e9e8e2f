import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromHex, toHex, bytesToBigInt } from '../../../consensus/bytes.ts';
import { sha256 } from '../../../consensus/hash.ts';
import {
  addressFromPublicKey,
  addressToString,
  CURVE_N,
  HALF_N,
  parseAddress,
  PrivateKey,
  recoverAddress,
  recoverTxSender,
  signatureBackend,
  signHash,
  verifySignature,
  type SignatureBackend,
} from '../../../consensus/crypto/index.ts';
import { TxError } from '../../../consensus/errors.ts';
import { testKey, transfer } from '../../fixtures/chain.ts';

interface Vector {
  name: string;
  kind: string;
  hash: string;
  sig: string;
  signer: string;
  expect: string;
}
const vectors = (JSON.parse(readFileSync(new URL('../../fixtures/signature-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;

function answer(v: Vector, backend: SignatureBackend): string {
  try {
    verifySignature(fromHex(v.hash), fromHex(v.sig), fromHex(v.signer), backend);
    return 'valid';
  } catch (e) {
    if (e instanceof TxError) return e.code;
    throw e;
  }
}

describe('keys and addresses', () => {
  it('address = first 20 bytes of SHA-256(compressed pubkey), shown 0x hex', () => {
    const k = testKey(0);
    const pub = k.publicKey();
    expect(pub.length).toBe(33);
    expect([2, 3]).toContain(pub[0]);
    expect(k.address()).toEqual(sha256(pub).subarray(0, 20));
    expect(addressToString(k.address())).toMatch(/^0x[0-9a-f]{40}$/);
    expect(parseAddress(addressToString(k.address()))).toEqual(k.address());
    expect(() => parseAddress('0x1234')).toThrow();
    expect(addressFromPublicKey(pub)).toEqual(k.address());
  });

  it('random keys are distinct; invalid key bytes are refused', () => {
    expect(toHex(PrivateKey.random().bytes)).not.toBe(toHex(PrivateKey.random().bytes));
    expect(() => PrivateKey.fromBytes(new Uint8Array(32))).toThrow(RangeError);
    expect(() => PrivateKey.fromBytes(new Uint8Array(31).fill(1))).toThrow(RangeError);
  });
});

describe('signatures', () => {
  it('are deterministic (RFC 6979), low-S, 65 bytes r||s||recid', () => {
    const h = sha256(new Uint8Array([1, 2, 3]));
    for (let i = 0; i < 20; i++) {
      const k = testKey(i);
      const s1 = signHash(h, k);
      expect(s1).toEqual(signHash(h, k));
      expect(s1.length).toBe(65);
      expect(bytesToBigInt(s1.subarray(32, 64)) <= HALF_N).toBe(true);
      expect(s1[64]! <= 1).toBe(true);
      expect(recoverAddress(h, s1, 'noble')).toEqual(k.address());
    }
  });

  it('native libsecp256k1 is the active path here', () => {
    // The package ships a linux-x64 prebuilt; if this fails the node would run on noble (slow).
    expect(signatureBackend()).toBe('native');
  });

  it('both paths recover the sender of signed transfers', () => {
    const tx = transfer(testKey(3), testKey(4).address(), 5n, 0);
    expect(recoverTxSender(tx, 'native')).toEqual(testKey(3).address());
    expect(recoverTxSender(tx, 'noble')).toEqual(testKey(3).address());
  });

  it('the shared vector set covers every kind', () => {
    const kinds = new Set(vectors.map((v) => v.kind));
    expect([...kinds].sort()).toEqual(['high-s', 'malformed', 'valid', 'wrong-chain', 'wrong-key']);
  });

  for (const v of vectors) {
    it(`vector "${v.name}": native and noble both answer ${v.expect}`, () => {
      expect(answer(v, 'noble')).toBe(v.expect);
      expect(answer(v, 'native')).toBe(v.expect);
      if (v.expect === 'valid') {
        expect(recoverAddress(fromHex(v.hash), fromHex(v.sig), 'native')).toEqual(recoverAddress(fromHex(v.hash), fromHex(v.sig), 'noble'));
      }
    });
  }

  it('high-S twins of random signatures are refused by both paths', () => {
    for (let i = 0; i < 10; i++) {
      const h = sha256(new Uint8Array([i]));
      const sig = signHash(h, testKey(i));
      const s = bytesToBigInt(sig.subarray(32, 64));
      const twin = new Uint8Array(sig);
      const hs = CURVE_N - s;
      for (let j = 0; j < 32; j++) twin[63 - j] = Number((hs >> BigInt(8 * j)) & 0xffn);
      twin[64] = sig[64]! ^ 1;
      for (const b of ['native', 'noble'] as const) expect(() => recoverAddress(h, twin, b)).toThrow(/TX_HIGH_S/);
    }
  });
});
