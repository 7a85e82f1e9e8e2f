import { describe, expect, it } from 'vitest';
import { encode } from '../../../../consensus/codec.ts';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import {
  CONTRIBUTION_SIGNING_TAG, contributionOf, contributionSigner, contributionSigningHash, decodeContribution, decodeDelta,
  decodeSignedContribution, encodeContribution, encodeDelta, encodeSignedContribution, signContribution,
} from '../../../../consensus/training/contribution.ts';
import { bytesToBigInt, u32be, utf8Bytes } from '../../../../consensus/bytes.ts';
import { HALF_N, loadNative, PrivateKey } from '../../../../consensus/crypto/index.ts';
import { sha256 } from '../../../../consensus/hash.ts';
import { runTrajectory } from '../../../../consensus/training/trajectory.ts';
import { paramCount } from '../../../../consensus/training/spec.ts';
import { TypeTag } from '../../../../consensus/types.ts';
import { miner, mnist, SMALL } from './fixtures.ts';

describe('contribution codec', async () => {
  const { train } = mnist();
  const t = await runTrajectory(SMALL, train, initCheckpoint(SMALL), { round: 7, miner: miner(4), lane: 1 }, matmulPlain);
  const c = contributionOf(t);
  const bytes = encodeContribution(c);

  it('round-trips, type byte first', () => {
    expect(bytes[0]).toBe(0x97); // msgpack fixarray of 7
    expect(bytes[1]).toBe(TypeTag.Contribution);
    const d = decodeContribution(SMALL, bytes);
    expect(d.round).toBe(7);
    expect(d.lane).toBe(1);
    expect(d.miner).toEqual(miner(4));
    expect(d.baseRoot).toEqual(t.baseRoot);
    expect(d.steps).toEqual(t.steps);
    expect(d.delta).toEqual(t.delta);
    expect(encodeContribution(d)).toEqual(bytes);
  });

  it('the delta is compact: zigzag varints, at most 5 bytes per weight', () => {
    const deltaBytes = encodeDelta(c.delta);
    expect(deltaBytes.length).toBeLessThan(5 * paramCount(SMALL));
    const extremes = [Int32Array.from([0, -1, 1, 63, -64, 2 ** 31 - 1, -(2 ** 31)])];
    const e = encodeDelta(extremes);
    expect(Array.from(e.subarray(0, 5))).toEqual([0, 1, 2, 126, 127]);
    const task = { ...SMALL, layers: [7, 1] };
    expect(decodeDelta(task, e)).toEqual(extremes);
  });

  it('rejects non-canonical bytes', () => {
    // trailing byte after the msgpack value
    expect(() => decodeContribution(SMALL, new Uint8Array([...bytes, 0]))).toThrow(/CODEC_MALFORMED|CODEC_NON_CANONICAL/);
    // the round as a 4-byte uint where a fixint is canonical
    const i = bytes.indexOf(7, 2);
    expect(i).toBe(2);
    const wide = new Uint8Array([...bytes.subarray(0, 2), 0xce, 0, 0, 0, 7, ...bytes.subarray(3)]);
    expect(() => decodeContribution(SMALL, wide)).toThrow(/CODEC_NON_CANONICAL/);
  });

  it('rejects a non-minimal or truncated delta, wrong type byte and wrong step counts', () => {
    const steps = c.steps.map((s) => [s.weightsRoot, ...s.jobs.flatMap((j) => [j.aRoot, j.bRoot, j.cRoot])]);
    const rebuild = (over: Partial<{ tag: number; steps: Uint8Array[][]; delta: Uint8Array }>) =>
      encode([over.tag ?? TypeTag.Contribution, c.round, c.miner, c.lane, c.baseRoot, over.steps ?? steps, over.delta ?? encodeDelta(c.delta)]);
    expect(decodeContribution(SMALL, rebuild({}))).toBeTruthy();
    const d = encodeDelta(c.delta);
    // value 0 written as two bytes 0x80 0x00
    const first = d[0]! < 0x80 ? 1 : 0;
    expect(first).toBe(1); // (fixture) the first varint is one byte long
    const nonMin = new Uint8Array([d[0]! | 0x80, 0x00, ...d.subarray(1)]);
    expect(() => decodeContribution(SMALL, rebuild({ delta: nonMin }))).toThrow(/TRAINING_BAD_CONTRIBUTION/);
    expect(() => decodeContribution(SMALL, rebuild({ delta: d.subarray(0, d.length - 1) }))).toThrow(/truncated/);
    expect(() => decodeContribution(SMALL, rebuild({ delta: new Uint8Array([...d, 0]) }))).toThrow(/trailing/);
    expect(() => decodeContribution(SMALL, rebuild({ tag: TypeTag.Ticket }))).toThrow(/type byte/);
    expect(() => decodeContribution(SMALL, rebuild({ steps: steps.slice(1) }))).toThrow(/steps/);
    expect(() => decodeContribution(SMALL, rebuild({ steps: steps.map((s) => s.slice(1)) }))).toThrow(/CODEC_BAD_SHAPE/);
    const overflow = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f, ...d.subarray(1)]);
    expect(() => decodeContribution(SMALL, rebuild({ delta: overflow }))).toThrow(/overflows/);
  });
});

describe('signed contribution', async () => {
  const { train } = mnist();
  const key = PrivateKey.fromBytes(sha256(utf8Bytes('contribution signer')));
  const other = PrivateKey.fromBytes(sha256(utf8Bytes('someone else')));
  const t = await runTrajectory(SMALL, train, initCheckpoint(SMALL), { round: 3, miner: key.address(), lane: 2 }, matmulPlain);
  const c = contributionOf(t);
  const CHAIN = 1337;
  const sc = signContribution(c, key, CHAIN);
  const bytes = encodeSignedContribution(sc);

  it('signs SHA-256("tessera/contribution/v1" || u32be(chainId) || unsigned encoding), deterministic and low-S', () => {
    expect(new TextDecoder().decode(CONTRIBUTION_SIGNING_TAG)).toBe('tessera/contribution/v1');
    expect(contributionSigningHash(c, CHAIN)).toEqual(sha256(utf8Bytes('tessera/contribution/v1'), u32be(CHAIN), encodeContribution(c)));
    expect(contributionSigningHash(c, CHAIN + 1)).not.toEqual(contributionSigningHash(c, CHAIN));
    expect(contributionSigningHash(sc, CHAIN)).toEqual(contributionSigningHash(c, CHAIN)); // the sig field is not signed
    expect(sc.sig.length).toBe(65);
    expect(bytesToBigInt(sc.sig.subarray(32, 64)) <= HALF_N).toBe(true);
    expect(signContribution(c, key, CHAIN).sig).toEqual(sc.sig); // RFC 6979
    expect(Object.isFrozen(sc)).toBe(true);
  });

  it('the on-chain encoding is the unsigned tuple plus the sig, and round-trips', () => {
    expect(bytes[0]).toBe(0x98); // msgpack fixarray of 8
    expect(bytes[1]).toBe(TypeTag.Contribution);
    const d = decodeSignedContribution(SMALL, bytes);
    expect([d.round, d.lane]).toEqual([3, 2]);
    expect(d.miner).toEqual(key.address());
    expect(d.delta).toEqual(c.delta);
    expect(d.sig).toEqual(sc.sig);
    expect(encodeSignedContribution(d)).toEqual(bytes);
    expect(contributionSigner(d, CHAIN)).toEqual(key.address());
  });

  it('recovers the signer on both signature paths (native libsecp256k1 and noble) alike', () => {
    expect(contributionSigner(sc, CHAIN, 'noble')).toEqual(key.address());
    expect(contributionSigner(signContribution(c, other, CHAIN), CHAIN, 'noble')).toEqual(other.address());
    expect(contributionSigner(sc, CHAIN + 1, 'noble')).not.toEqual(key.address());
    if (loadNative()) {
      expect(contributionSigner(sc, CHAIN, 'native')).toEqual(key.address());
      expect(contributionSigner(sc, CHAIN + 1, 'native')).toEqual(contributionSigner(sc, CHAIN + 1, 'noble'));
    }
  });

  it('the signed and unsigned forms are strict about each other and about the sig', () => {
    expect(() => decodeSignedContribution(SMALL, encodeContribution(c))).toThrow(/CODEC_BAD_SHAPE/);
    expect(() => decodeContribution(SMALL, bytes)).toThrow(/CODEC_BAD_SHAPE/);
    const tuple = [TypeTag.Contribution, c.round, c.miner, c.lane, c.baseRoot, c.steps.map((s) => [s.weightsRoot, ...s.jobs.flatMap((j) => [j.aRoot, j.bRoot, j.cRoot])]), encodeDelta(c.delta)];
    expect(decodeSignedContribution(SMALL, encode([...tuple, sc.sig]))).toBeTruthy();
    expect(() => decodeSignedContribution(SMALL, encode([...tuple, sc.sig.subarray(0, 64)]))).toThrow(/CODEC_BAD_SHAPE/);
    expect(() => decodeSignedContribution(SMALL, encode([...tuple, new Uint8Array([...sc.sig, 0])]))).toThrow(/CODEC_BAD_SHAPE/);
    expect(() => decodeSignedContribution(SMALL, encode([...tuple, sc.sig, sc.sig]))).toThrow(/CODEC_BAD_SHAPE/);
    expect(() => decodeSignedContribution(SMALL, new Uint8Array([...bytes, 0]))).toThrow(/CODEC_MALFORMED|CODEC_NON_CANONICAL/);
    expect(() => encodeSignedContribution({ ...c, sig: new Uint8Array(64) })).toThrow(RangeError);
  });
});
