// Signed contributions in the VM: a block producer cannot put a contribution into a block in
// another bonded miner's name. Every forgery is rejected with BLOCK_CONTRIBUTION_BAD_SIGNATURE
// (or BLOCK_BAD_CONTRIBUTION where the bytes do not even decode as a signed contribution), the
// pre-state is unchanged, and the real miner's contribution and tickets still land afterwards.
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/errors.ts';
import { bigIntToBytes, bytesToBigInt, to0x } from '../../../consensus/bytes.ts';
import { decodeCanonical, encode, type Encodable } from '../../../consensus/codec.ts';
import { CURVE_N } from '../../../consensus/crypto/index.ts';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import {
  encodeContribution,
  encodeSignedContribution,
  signContribution,
  type SignedContribution,
} from '../../../consensus/training/contribution.ts';
import { contributionKey } from '../../../vm/round/keys.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { importMined, MINING_PARAMS, mineLane, minedBlock, miningGenesis } from '../../fixtures/mining.ts';

const keyA = testKey(1);
const keyB = testKey(2);
const A = keyA.address();
const B = keyB.address();
const U = testKey(3).address(); // funded, not bonded
const g = miningGenesis([A, B, U], [A, B]);
const p = MINING_PARAMS;
const rootBefore = g.state.root();

const blockErr = (f: () => unknown): BlockError => thrown(BlockError, f);

/** Applies through the same path a node uses: seal, then the state transition. */
const importBlock = (pre: State, parentHeader: typeof g.header, block: ReturnType<typeof minedBlock>['block']) => importMined(pre, parentHeader, block, p);

const withSig = (c: SignedContribution, sig: Uint8Array) => encodeSignedContribution({ ...c, sig });

describe('contribution signatures in the VM', () => {
  it("B's block carrying a contribution in A's name, signed by B, is rejected; A's own lands after", async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const wb = await mineLane(g.state, g.header, B, 0);
    // B takes A's work (or makes up its own) and signs it with B's key, miner field still A
    const forged = encodeSignedContribution(signContribution(wa.contribution, keyB, p.chainId));
    const e = blockErr(() => minedBlock(g.state, g.header, wb.tickets[0]!, { contributions: [forged] }));
    expect(e.code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
    expect([to0x(e.context.address!), to0x(e.context.expected as Uint8Array), to0x(e.context.got as Uint8Array), e.context.index]).toEqual([to0x(A), to0x(A), to0x(B), 0]);
    expect(g.state.root()).toEqual(rootBefore);

    // A's real contribution is not a duplicate of anything and lands with A's ticket
    const { block } = minedBlock(g.state, g.header, wa.tickets[0]!, { contributions: [wa.bytes] });
    const r = importBlock(g.state, g.header, block);
    expect(r.state.get(contributionKey(0, A, 0))).toEqual(wa.bytes);
    expect(g.state.root()).toEqual(rootBefore);
  });

  it('a contribution whose miner field was changed after signing is rejected', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const renamed = encodeSignedContribution({ ...wa.contribution, miner: B }); // A's sig, now claims B (bonded)
    const e = blockErr(() => minedBlock(g.state, g.header, wa.tickets[0]!, { contributions: [renamed] }));
    expect(e.code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
    expect(to0x(e.context.expected as Uint8Array)).toBe(to0x(B));
    expect(to0x(e.context.got as Uint8Array)).not.toBe(to0x(B));
    // any other field changed after signing fails the same way (here: the delta)
    const delta = wa.contribution.delta.map((d) => d.slice());
    delta[0]![0] = delta[0]![0]! + 1;
    const tampered = encodeSignedContribution({ ...wa.contribution, delta });
    expect(blockErr(() => minedBlock(g.state, g.header, wa.tickets[0]!, { contributions: [tampered] })).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
    expect(g.state.root()).toEqual(rootBefore);
  });

  it('a signature for another chain id is rejected', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const other = encodeSignedContribution(signContribution(wa.contribution, keyA, p.chainId + 1));
    expect(blockErr(() => minedBlock(g.state, g.header, wa.tickets[0]!, { contributions: [other] })).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
  });

  it('malformed and high-S signatures are rejected with the signature check\'s cause', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const t = wa.tickets[0]!;
    const sig = wa.contribution.sig;
    const reject = (bytes: Uint8Array) => blockErr(() => minedBlock(g.state, g.header, t, { contributions: [bytes] }));

    // the malleable twin (r, n - s, recid ^ 1) recovers to A too: rejected as high-S
    const s = bytesToBigInt(sig.subarray(32, 64));
    const twin = new Uint8Array(sig);
    twin.set(bigIntToBytes(CURVE_N - s, 32), 32);
    twin[64] = sig[64]! ^ 1;
    const high = reject(withSig(wa.contribution, twin));
    expect([high.code, high.context.cause]).toEqual([BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, 'TX_HIGH_S']);

    const badRecid = new Uint8Array(sig);
    badRecid[64] = 2;
    const zeroR = new Uint8Array(sig);
    zeroR.fill(0, 0, 32);
    for (const bad of [badRecid, zeroR, new Uint8Array(65)]) {
      const e = reject(withSig(wa.contribution, bad));
      expect([e.code, e.context.cause]).toEqual([BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, 'TX_MALFORMED_SIGNATURE']);
    }
    // a well-formed signature of nothing A signed: recovers to some other key, or to none
    const flipped = new Uint8Array(sig);
    flipped[5] ^= 1;
    expect(reject(withSig(wa.contribution, flipped)).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);

    // not a signed contribution at all: the unsigned 7-field form, or a sig of the wrong length
    const unsigned = reject(encodeContribution(wa.contribution));
    expect([unsigned.code, unsigned.context.cause]).toEqual([BlockErrorCode.BAD_CONTRIBUTION, 'CODEC_BAD_SHAPE']);
    const tuple = decodeCanonical(encodeContribution(wa.contribution)) as Encodable[]; // the encoder refuses a short sig: build it by hand
    const short = reject(encode([...tuple, sig.subarray(0, 64)]));
    expect([short.code, short.context.cause]).toEqual([BlockErrorCode.BAD_CONTRIBUTION, 'CODEC_BAD_SHAPE']);
    expect(g.state.root()).toEqual(rootBefore);
  });

  it('checks run cheapest first: round, lane and bond before the signature', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const wu = await mineLane(g.state, g.header, U, 0);
    const t = wa.tickets[0]!;
    const code = (bytes: Uint8Array) => blockErr(() => minedBlock(g.state, g.header, t, { contributions: [bytes] })).code;
    const junkSig = new Uint8Array(65);
    expect(code(withSig({ ...wa.contribution, round: 1 }, junkSig))).toBe(BlockErrorCode.CONTRIBUTION_WRONG_ROUND);
    expect(code(withSig({ ...wa.contribution, lane: 4 }, junkSig))).toBe(BlockErrorCode.CONTRIBUTION_BAD_LANE);
    expect(code(withSig(wu.contribution, junkSig))).toBe(BlockErrorCode.UNBONDED_MINER);
    // a forged copy of an included lane is a bad signature, not a duplicate
    const { block } = minedBlock(g.state, g.header, t, { contributions: [wa.bytes] });
    const s1 = importBlock(g.state, g.header, block).state;
    const wa2 = await mineLane(s1, block.header, A, 1);
    const e = blockErr(() => minedBlock(s1, block.header, wa2.tickets[0]!, { contributions: [withSig(wa.contribution, junkSig)] }));
    expect(e.code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
    expect(blockErr(() => minedBlock(s1, block.header, wa2.tickets[0]!, { contributions: [wa.bytes] })).code).toBe(BlockErrorCode.DUPLICATE_CONTRIBUTION);
  });
});
