// Attacks with and on Challenge txs (fraud proofs), through whole blocks on a real Chain over LevelDB
// (the mining test chain, challengeWindow 5). A malformed proof (a path that does not verify, a W_s
// that is not the step's committed input, shapes off the task, bytes of a part that never landed),
// a replayed challenge, a challenge after the window, a sixth challenge in a block: each is refused
// with its typed code and the head, the state and the db are unchanged; a challenger cannot turn a
// false claim into a void by choosing its evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TxErrorCode } from '../../consensus/errors.ts';
import { matmulPlain } from '../../consensus/matmul.ts';
import { challengeParams } from '../../consensus/params.ts';
import type { Checkpoint } from '../../consensus/training/checkpoint.ts';
import { weightsToBytes } from '../../consensus/training/fraud.ts';
import type { Tx } from '../../consensus/types.ts';
import { signTx } from '../../consensus/crypto/signature.ts';
import { aggregateChallenge, findLaneFraud, judge, roundBaseOf, stepChallengeOfLeaves, type TxFields } from '../../vm/fraud-proofs.ts';
import { testKey } from '../fixtures/chain.ts';
import { FRAUD_PARAMS as p, FraudChain, runLane, signedPart, TINY_DATA, type LaneData } from '../fixtures/fraud.ts';
import { closedRoundKey, partKey } from '../../vm/round/keys.ts';

const t = p.training!;
const task = t.task;
const kA = testKey(1);
const kB = testKey(2);
const kV = testKey(6);

let ch: FraudChain;
let W0: Checkpoint;
let aLanes: LaneData[];
let bLanes: LaneData[];
let aPart: Uint8Array;
let bPart: Uint8Array;
let fraudW: readonly Int32Array[];
let nonce = 0;
const f = (n = nonce): TxFields => ({ chainId: p.chainId, nonce: n, fee: p.minFee });

/** A block on the head carrying `txs` is refused with `code`; head, state root and db unchanged. */
async function refused(txs: Tx[], code: TxErrorCode): Promise<void> {
  const head = ch.chain.head().hash;
  const root = ch.state().root();
  const size = await ch.db.contentSize();
  await expect(ch.chain.importBlock(await ch.unchecked(txs))).rejects.toMatchObject({ code });
  expect(ch.chain.head().hash).toEqual(head);
  expect(ch.state().root()).toEqual(root);
  expect(await ch.db.contentSize()).toEqual(size);
}

const step = (o: Partial<{ part: Uint8Array; lane: number; step: number; weights: readonly Int32Array[] }> = {}) =>
  stepChallengeOfLeaves(task, { part: bPart, lane: 1, step: 0, leaves: bLanes.map((l) => l.leaf), weights: fraudW, ...o }, f(), kV);

beforeAll(async () => {
  ch = await FraudChain.open([kA, kB, kV, testKey(7)].map((k) => k.address()), [kA, kB].map((k) => k.address()));
  W0 = ch.round().base;
  aLanes = await Promise.all([0, 1].map((l) => runLane(t, W0, 0, kA.address(), l)));
  bLanes = [await runLane(t, W0, 0, kB.address(), 0), await runLane(t, W0, 0, kB.address(), 1, { kind: 'weights', step: 0 })];
  aPart = signedPart(p, W0, 0, kA, aLanes);
  bPart = signedPart(p, W0, 0, kB, bLanes);
  await ch.mine({ contributions: [aPart, bPart] }); // block 1
  const fraud = (await findLaneFraud(task, TINY_DATA, roundBaseOf(ch.state(), t, 0)!.base, W0.weights, { round: 0, miner: kB.address() }, 1, bLanes[1]!.leaf, matmulPlain))!;
  expect(fraud.step).toBe(0);
  fraudW = fraud.weights;
});
afterAll(async () => ch?.close());

describe('malformed challenges never land', () => {
  it('W_s that is not the committed input of the step (another step\'s, or W_R changed in one weight)', async () => {
    await refused([step({ step: 1 })], TxErrorCode.CHALLENGE_BAD_WEIGHTS); // W_0 offered for step 1
    const off = fraudW.map((w) => new Int32Array(w));
    off[0]![3]! += 1;
    await refused([step({ weights: off })], TxErrorCode.CHALLENGE_BAD_WEIGHTS);
  });

  it('a leaf or a path that does not verify against the part\'s lanesRoot', async () => {
    const good = step();
    if (good.proof.kind !== 0) throw new Error('step proof');
    const bad1 = signTx({ ...good, proof: { ...good.proof, siblings: [new Uint8Array(32).fill(7)] } }, kV);
    await refused([bad1], TxErrorCode.CHALLENGE_BAD_PATH);
    const steps = good.proof.steps.map((s, i) => (i === 1 ? s.map((h, j) => (j === 2 ? new Uint8Array(32) : h)) : s));
    await refused([signTx({ ...good, proof: { ...good.proof, steps } }, kV)], TxErrorCode.CHALLENGE_BAD_PATH);
    // the honest lane 0's leaf presented as lane 1's
    await refused([signTx({ ...good, proof: { ...good.proof, lane: 1, finalRoot: bLanes[0]!.leaf.finalRoot } }, kV)], TxErrorCode.CHALLENGE_BAD_PATH);
  });

  it('shapes off the task or the part: lane outside the part, step >= H, weights of another shape, a leaf of H - 1 steps', async () => {
    const good = step();
    if (good.proof.kind !== 0) throw new Error('step proof');
    await refused([signTx({ ...good, proof: { ...good.proof, lane: 2 } }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
    await refused([signTx({ ...good, proof: { ...good.proof, step: task.localSteps } }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
    await refused([signTx({ ...good, proof: { ...good.proof, weights: weightsToBytes(fraudW).slice(0, 1) } }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
    await refused([signTx({ ...good, proof: { ...good.proof, steps: good.proof.steps.slice(1) } }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
    await refused([signTx({ ...good, part: new Uint8Array([0x93, 1, 0, 3]) }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
  });

  it('bytes of a part that never landed: B\'s part with another D (re-signed), a part of a round not open yet', async () => {
    const other = signedPart(p, W0, 0, kB, bLanes, (D) => (D[0]![0]! += 1));
    await refused([step({ part: other })], TxErrorCode.CHALLENGE_UNKNOWN_PART);
    await refused([step({ part: signedPart(p, W0, 4, kB, bLanes) })], TxErrorCode.CHALLENGE_UNKNOWN_PART);
  });

  it('aggregate: a lane\'s final value taken from another lane, a lane left out, W_R\'s weight not W_R\'s', async () => {
    const good = aggregateChallenge(task, { part: aPart, index: 9, baseWeights: W0.weights, leaves: aLanes.map((l) => l.leaf), finals: aLanes.map((l) => l.final) }, f(), kV);
    if (good.proof.kind !== 1) throw new Error('aggregate proof');
    const lanes = good.proof.lanes;
    await refused([signTx({ ...good, proof: { ...good.proof, lanes: [lanes[0]!, { ...lanes[1]!, element: lanes[0]!.element }] } }, kV)], TxErrorCode.CHALLENGE_BAD_PATH);
    await refused([signTx({ ...good, proof: { ...good.proof, lanes: lanes.slice(0, 1) } }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
    await refused([signTx({ ...good, proof: { ...good.proof, base: lanes[0]!.element } }, kV)], TxErrorCode.CHALLENGE_BAD_PATH);
    await refused([signTx({ ...good, proof: { ...good.proof, index: 10_000 } }, kV)], TxErrorCode.CHALLENGE_MALFORMED);
    // well-formed, the claim false: it would land and cost the bond (not a void)
    expect(judge(ch.state(), p, good, ch.height() + 1)).toEqual({ fraud: false });
  });

  it('more than maxChallengesPerBlock in one block (each may re-execute a step)', async () => {
    const max = challengeParams(t).perBlock;
    // false claims against A's honest part, all well-formed: the first `max` would land, one more fails the block
    const txs: Tx[] = [];
    for (let i = 0; i <= max; i++)
      txs.push(aggregateChallenge(task, { part: aPart, index: i, baseWeights: W0.weights, leaves: aLanes.map((l) => l.leaf), finals: aLanes.map((l) => l.final) }, f(nonce + i), kV));
    await refused(txs, TxErrorCode.CHALLENGE_BLOCK_FULL);
  });

  it('a replayed challenge (in the same block, or once the part is void) and a challenge after the window', async () => {
    const first = step();
    const second = stepChallengeOfLeaves(task, { part: bPart, lane: 1, step: 0, leaves: bLanes.map((l) => l.leaf), weights: fraudW }, f(nonce + 1), kV);
    await refused([first, second], TxErrorCode.CHALLENGE_PART_VOID);
    await ch.mine({ txs: [first] }); // block 2: B's part void
    nonce++;
    await refused([second], TxErrorCode.CHALLENGE_PART_VOID);
    // round 0 closes at block 3; its window: heights 4..7 (rewards released at 3 + 5 = 8)
    await ch.mine();
    await ch.mine();
    await ch.mine();
    await ch.mine(); // block 6
    const late = aggregateChallenge(task, { part: aPart, index: 0, baseWeights: W0.weights, leaves: aLanes.map((l) => l.leaf), finals: aLanes.map((l) => l.final) }, f(), kV);
    expect(judge(ch.state(), p, late, 7)).toEqual({ fraud: false }); // the last height it could land
    await ch.mine(); // block 7
    expect(ch.height()).toBe(7);
    await refused([late], TxErrorCode.CHALLENGE_WINDOW_CLOSED); // at 8, the records still there
    await ch.mine(); // block 8 expires round 0's records
    expect(ch.state().get(closedRoundKey(0))).toBeUndefined();
    expect(ch.state().get(partKey(0, kA.address(), 0))).toBeUndefined();
    await refused([late], TxErrorCode.CHALLENGE_WINDOW_CLOSED);
  });
});
