// Bounds of fraud proofs: an aggregate proof over a part of maxPartLanes lanes, with the largest
// part, fits a challenge tx and a devnet block; aggregateProofBytes bounds the real encoding; a part
// of more lanes than maxPartLanes never lands (so no part is too large to be proven wrong).
import { describe, expect, it } from 'vitest';
import { encode } from '../../../consensus/codec.ts';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { MAX_CHALLENGE_TX_BYTES } from '../../../consensus/encoding/limits.ts';
import { aggregateProofBytes } from '../../../consensus/training/fraud.ts';
import { loadDevnetSpec } from '../../../genesis/index.ts';
import { aggregateChallenge } from '../../../vm/fraud-proofs.ts';
import { encodeTx } from '../../../consensus/encoding/tx.ts';
import { testKey } from '../../fixtures/chain.ts';
import { FRAUD_PARAMS, runLane, signedPart } from '../../fixtures/fraud.ts';
import { mineLane, minedBlock, miningGenesis } from '../../fixtures/mining.ts';
import { readCheckpoint } from '../../../vm/round/state.ts';
import { thrown } from '../../helpers/errors.ts';

describe('fraud-proof sizes', () => {
  it('the devnet: an aggregate proof of a part of maxPartLanes lanes, with a part of maxContributionBytes, fits a challenge tx and a block', () => {
    const p = loadDevnetSpec().params;
    const t = p.training!;
    expect(t.maxPartLanes).toBe(1024);
    const worst = aggregateProofBytes(t.task, t.maxPartLanes!) + t.maxContributionBytes + 256; // + the tx's other fields
    expect(worst).toBeLessThanOrEqual(MAX_CHALLENGE_TX_BYTES);
    expect(worst).toBeLessThan(p.maxBlockBytes);
    // and a step proof: the part and W_s (4 bytes a weight)
    expect(t.maxContributionBytes + 4 * (784 * 128 + 128 * 10) + 40 * 1024 + 256).toBeLessThanOrEqual(MAX_CHALLENGE_TX_BYTES);
  });

  it('aggregateProofBytes bounds the real encoding (tiny task, 1 to 9 lanes, every layer)', async () => {
    const t = FRAUD_PARAMS.training!;
    const g = miningGenesis([], []);
    const base = readCheckpoint(g.state, t.task);
    const k = testKey(3);
    const lanes = await Promise.all(Array.from({ length: 9 }, (_, l) => runLane(t, base, 0, k.address(), l)));
    for (const n of [1, 2, 5, 9])
      for (const index of [0, 255, 256, 319]) {
        const tx = aggregateChallenge(t.task, {
          part: signedPart(FRAUD_PARAMS, base, 0, k, lanes.slice(0, n)), index, baseWeights: base.weights, leaves: lanes.slice(0, n).map((l) => l.leaf), finals: lanes.slice(0, n).map((l) => l.final),
        }, { chainId: 1, nonce: 0, fee: 1n }, k);
        if (tx.proof.kind !== 1) throw new Error('aggregate');
        const proofBytes = encodeTx(tx).length - encode(tx.part).length - 100;
        expect(proofBytes).toBeLessThanOrEqual(aggregateProofBytes(t.task, n));
      }
  });

  it('a part of more lanes than maxPartLanes is refused (CONTRIBUTION_BAD_LANE); at the cap it lands', async () => {
    const p = { ...FRAUD_PARAMS, training: { ...FRAUD_PARAMS.training!, maxPartLanes: 2 } };
    const t = p.training;
    const k = testKey(1);
    const g = miningGenesis([k.address()], [k.address()], p);
    const base = readCheckpoint(g.state, t.task);
    const lanes = await Promise.all([0, 1, 2].map((l) => runLane(t, base, 0, k.address(), l)));
    const ticket = (await mineLane(g.state, g.header, testKey(9), 50, undefined, p)).tickets[0]!;
    const e = thrown(BlockError, () => minedBlock(g.state, g.header, ticket, { params: p, signer: testKey(9), contributions: [signedPart(p, base, 0, k, lanes)] }));
    expect([e.code, e.context.expected, e.context.got]).toEqual([BlockErrorCode.CONTRIBUTION_BAD_LANE, 2, 3]);
    expect(() => minedBlock(g.state, g.header, ticket, { params: p, signer: testKey(9), contributions: [signedPart(p, base, 0, k, lanes.slice(0, 2))] })).not.toThrow();
  });
});
