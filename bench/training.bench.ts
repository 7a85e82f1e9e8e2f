// Integer training vs the float32 reference for the same number of samples, on the same data.
// Budget here: 3 miners x 20 rounds x H=8 x batch 256 = 122,880 samples (~15 epochs of the
// 8,004 training digits), products computed plainly (the ticket path gives the same bits).
import { matmulPlain } from '../consensus/matmul.ts';
import { initCheckpoint } from '../consensus/training/checkpoint.ts';
import { evaluate } from '../consensus/training/evaluate.ts';
import { outerUpdate } from '../consensus/training/outer.ts';
import { MNIST_MLP, type TrainingTask } from '../consensus/training/spec.ts';
import { runTrajectory } from '../consensus/training/trajectory.ts';
import { contributionOf, partOfLanes } from '../consensus/training/contribution.ts';
import { encodePart } from '../consensus/training/part.ts';
import { stepJobShapes } from '../consensus/training/step.ts';
import { loadMnist } from '../genesis/datasets/mnist.ts';
import { trainFloat } from './float-reference.ts';

const MINERS = 3;
const ROUNDS = 20;

/** A one-lane contribution part (D, lanes root, signature) in bytes against the MACs it took. */
export async function contributionSize(task: TrainingTask): Promise<void> {
  const { train } = loadMnist();
  const miner = new Uint8Array(20).fill(7);
  const ck = initCheckpoint(task);
  const t = await runTrajectory(task, train, ck, { round: 0, miner, lane: 0 }, matmulPlain);
  const bytes = encodePart(partOfLanes(task, ck.weights, [contributionOf(t)])).length + 65;
  let macsPerStep = 0;
  for (const [m, k, n] of stepJobShapes(task)) macsPerStep += m * k * n;
  const macs = macsPerStep * task.localSteps;
  console.log(
    `a one-lane part: ${bytes} bytes for ${(macs / 1e6).toFixed(1)} M MACs (H=${task.localSteps} x batch ${task.batch}): ` +
      `${((macs / bytes) / 1e3).toFixed(1)} k MACs per byte carried on chain`,
  );
}

async function integerRun(task: TrainingTask, rounds: number, miners: number): Promise<{ acc: number; secs: number }> {
  const { train, heldOut } = loadMnist();
  const t0 = process.hrtime.bigint();
  let ck = initCheckpoint(task);
  for (let r = 0; r < rounds; r++) {
    const deltas: Int32Array[][] = [];
    for (let m = 0; m < miners; m++) {
      const miner = new Uint8Array(20);
      miner[0] = m + 1;
      deltas.push((await runTrajectory(task, train, ck, { round: r, miner, lane: 0 }, matmulPlain)).delta as Int32Array[]);
    }
    ck = outerUpdate(task, ck, deltas);
  }
  const ev = await evaluate(task, ck.weights, heldOut);
  return { acc: ev.accuracyBp / 100, secs: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export default async function (): Promise<void> {
  const { train, heldOut } = loadMnist();
  const task = MNIST_MLP;
  const samples = MINERS * ROUNDS * task.localSteps * task.batch;
  const lr = task.lr.num / 2 ** task.lr.shift;
  const outer = task.outer;
  console.log(`budget: ${samples} samples (${MINERS} miners x ${ROUNDS} rounds x H=${task.localSteps} x batch ${task.batch}), held-out ${heldOut.n}`);

  await contributionSize(task);
  const int = await integerRun(task, ROUNDS, MINERS);
  const flt = trainFloat(
    {
      layers: task.layers, batch: task.batch, lr, samples, workers: MINERS, localSteps: task.localSteps, seed: 1,
      outer: { kind: outer.kind, lr: outer.lr.num / 2 ** outer.lr.shift, momentum: outer.momentum.num / 2 ** outer.momentum.shift },
    },
    train,
    heldOut,
  );
  const sgd = trainFloat({ layers: task.layers, batch: 32, lr: 0.1, samples, workers: 1, localSteps: 1, seed: 1, outer: { kind: 'mean', lr: 1, momentum: 0 } }, train, heldOut);
  const fa = flt.accuracy * 100;
  console.log(`integer (int7/int32, same DiLoCo schedule): ${int.acc.toFixed(2)}% held-out (${int.secs.toFixed(1)} s)`);
  console.log(`float32 reference, same schedule:           ${fa.toFixed(2)}% held-out`);
  console.log(`float32 plain SGD batch 32 lr 0.1:           ${(sgd.accuracy * 100).toFixed(2)}% held-out`);
  console.log(`integer - float (same schedule): ${(int.acc - fa).toFixed(2)} points; goal >= 95% and within 2 points: ${int.acc >= 95 && int.acc >= fa - 2 ? 'met' : 'NOT met'}`);
}
