// Fraud proofs at the devnet task (MLP 784-128-10, H = 32, batch 256, real MNIST): the size of a
// Challenge tx and the time every node spends on it, through the VM's own rules (applyChallenge on a
// state where the part landed by applyParts: signature, bytes, paths, re-execution or the sum).
// Step proof: step 0 of a lane (the leaf's first two steps computed by the real step code), in parts
// of 1, 100 and 1,000 lanes (D's varints grow with the lanes). Aggregate proof: one index of parts of
// 10, 100 and 1,000 lanes (finals W_R + noise, D their exact sum). Goal (issue "validators"): a proof
// fits in a block (devnet maxBlockBytes) and verifies in well under a second.
import os from 'node:os';
import { PrivateKey } from '../consensus/crypto/index.ts';
import { matmulPlain } from '../consensus/matmul.ts';
import { pouwSpecOf, type TrainingParams } from '../consensus/params.ts';
import { checkpointRoot, initCheckpoint, weightsRoot } from '../consensus/training/checkpoint.ts';
import { encodeSignedPart, laneLeafBytesOfDigest, lanesRoot, signPart, stepsDigest, type LaneLeaf } from '../consensus/training/part.ts';
import { elementProof } from '../consensus/training/fraud.ts';
import { leafHash, proofFromHashes } from '../consensus/merkle.ts';
import { signTx } from '../consensus/crypto/signature.ts';
import { ChallengeKind, TypeTag, type ElementProof } from '../consensus/types.ts';
import { shardIndices, shardSeed } from '../consensus/training/shard.ts';
import { MNIST_MLP_H32 } from '../consensus/training/spec.ts';
import { runStep, type StepCommit } from '../consensus/training/step.ts';
import { stepBatch } from '../consensus/training/trajectory.ts';
import { loadDevnetSpec } from '../genesis/index.ts';
import { loadMnist } from '../genesis/datasets/mnist.ts';
import { mulberry32 } from '../test/helpers/prng.ts';
import { challengeSize, stepChallengeOfLeaves } from '../vm/fraud-proofs.ts';
import { accountKey, encodeAccount } from '../vm/keys.ts';
import { bondKey, encodeAmount } from '../vm/round/keys.ts';
import { applyParts } from '../vm/round/parts.ts';
import { openRoundEntries, readRound } from '../vm/round/state.ts';
import { State } from '../vm/state.ts';
import { applyChallenge } from '../vm/tx/challenge.ts';
import { StateView } from '../vm/view.ts';
import { quick, repeat } from './lib/repeat.ts';

const task = MNIST_MLP_H32;
const spec = loadDevnetSpec();
const devnet = spec.params;
const CHAIN_ID = devnet.chainId;

export default async function run(): Promise<void> {
  const { train } = loadMnist(); // registers the training set with the VM
  const T: TrainingParams = {
    task, pouw: pouwSpecOf(task, 4), roundBlocks: 6, challengeWindow: 6, minBond: 1n, bondPerLane: 1n, laneBudget: 1024,
    maxContributionBytes: 8 << 20, maxContributionsPerBlock: 64, ticketShareBps: 2000, unbondDelay: 18, datasetHash: devnet.training!.datasetHash,
  };
  const p = { ...devnet, training: T };
  const miner = PrivateKey.fromBytes(new Uint8Array(32).fill(7));
  const challenger = PrivateKey.fromBytes(new Uint8Array(32).fill(9));
  const ck = initCheckpoint(task);
  const baseRoot = checkpointRoot(task, ck);
  const rnd = mulberry32(42);

  // lane 0's first two steps, computed; the other steps copy step 1 (step 0's check reads steps 0 and 1)
  const seed = shardSeed(baseRoot, { round: 0, miner: miner.address(), lane: 0 });
  const idx = shardIndices(task, train.n, seed);
  const t0 = performance.now();
  const r0 = await runStep(task, train, ck.weights, 0, stepBatch(task, idx, 0), seed, matmulPlain);
  const r1 = await runStep(task, train, r0.weights, 1, stepBatch(task, idx, 1), seed, matmulPlain);
  const miningStepMs = (performance.now() - t0) / 2;
  const steps: StepCommit[] = [r0.commit, ...Array.from({ length: task.localSteps - 1 }, () => r1.commit)];
  const lane0: LaneLeaf = { finalRoot: weightsRoot(task, r1.weights), steps };

  const state = (k: number, leaves: LaneLeaf[], delta: Float64Array[]) => {
    const part = { round: 0, miner: miner.address(), laneStart: 0, laneCount: k, baseRoot, lanesRoot: lanesRoot(0, leaves), delta, openings: [] };
    const bytes = encodeSignedPart(signPart(part, miner, CHAIN_ID));
    const s0 = State.fromEntries([
      ...openRoundEntries(task, 0, 0, ck), [bondKey(miner.address()), encodeAmount(10n ** 13n)],
      [accountKey(challenger.address()), encodeAccount({ balance: 10n ** 15n, nonce: 0 })],
    ]);
    const v = new StateView(s0);
    applyParts(v, [bytes], T, readRound(s0)!, 1, CHAIN_ID);
    return { bytes, pre: v.toState() };
  };
  const noiseD = (k: number) => ck.weights.map((w) => Float64Array.from(w, () => Math.floor((rnd() * 2 - 1) * 2 ** 20 * Math.sqrt(k))));
  const fields = { chainId: CHAIN_ID, nonce: 0, fee: devnet.minFee };

  console.log(`  one local step at the devnet task, plain-JS reference product: ${miningStepMs.toFixed(0)} ms (the miner's own step through its backend is faster)`);
  console.log('  proof      lanes   tx bytes   % of devnet block   verify (min / median / max ms, through applyChallenge)');
  for (const k of quick ? [1, 100] : [1, 100, 1000]) {
    const leaves = [lane0, ...Array.from({ length: k - 1 }, (_, i) => ({ finalRoot: new Uint8Array(32).fill(i & 0xff), steps }))];
    const { bytes, pre } = state(k, leaves, noiseD(k));
    const tx = stepChallengeOfLeaves(task, { part: bytes, lane: 0, step: 0, leaves, weights: ck.weights }, fields, challenger);
    const st = await repeat(() => applyChallenge(new StateView(pre), tx, p, 2), { runs: quick ? 2 : 5 });
    const size = challengeSize(tx);
    console.log(`  step     ${String(k).padStart(6)}  ${String(size).padStart(9)}   ${((100 * size) / devnet.maxBlockBytes).toFixed(1).padStart(6)}%            ${st.min.toFixed(0)} / ${st.median.toFixed(0)} / ${st.max.toFixed(0)}`);
  }
  for (const k of quick ? [10, 100] : [10, 100, 1000]) {
    // lane by lane (a 1,000-lane part's finals would take 400 MB at once): its final weights, root, element proof, delta into D
    const index = 784 * 128 - 1;
    const digest = stepsDigest(steps);
    const delta = ck.weights.map((w) => new Float64Array(w.length));
    const lanes: { finalRoot: Uint8Array; element: ElementProof }[] = [];
    for (let j = 0; j < k; j++) {
      const f = ck.weights.map((w) => Int32Array.from(w, (x) => x + Math.floor((rnd() * 2 - 1) * 2 ** 20)));
      f.forEach((x, l) => {
        const d = delta[l]!;
        const b = ck.weights[l]!;
        for (let i = 0; i < x.length; i++) d[i] = d[i]! + x[i]! - b[i]!;
      });
      lanes.push({ finalRoot: weightsRoot(task, f), element: elementProof(task, f, index) });
    }
    const leaves = lanes.map((l) => ({ finalRoot: l.finalRoot, steps }));
    const { bytes, pre } = state(k, leaves, delta);
    const hashes = lanes.map((l, j) => leafHash(laneLeafBytesOfDigest(j, l.finalRoot, digest)));
    const proof = {
      kind: ChallengeKind.Aggregate as const, index, base: elementProof(task, ck.weights, index),
      lanes: lanes.map((l, j) => ({ finalRoot: l.finalRoot, stepsDigest: digest, siblings: proofFromHashes(hashes, j).siblings, element: l.element })),
    };
    const tx = signTx({ type: TypeTag.Challenge, ...fields, part: bytes, proof, sig: new Uint8Array(65) }, challenger);
    const st = await repeat(() => applyChallenge(new StateView(pre), tx, p, 2), { runs: quick ? 2 : 5 });
    const size = challengeSize(tx);
    console.log(`  aggregate${String(k).padStart(6)}  ${String(size).padStart(9)}   ${((100 * size) / devnet.maxBlockBytes).toFixed(1).padStart(6)}%            ${st.min.toFixed(0)} / ${st.median.toFixed(0)} / ${st.max.toFixed(0)}`);
  }
  console.log(`  (load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; maxChallengesPerBlock ${4}: a block's challenges verify in 4x the step figure at most)`);
}
