// A mining node follows governance and the data registry, through the real binary (`tessera node
// --mine`, LevelDB, real MNIST, RPC on 127.0.0.1 port 0): 160 held-out digits are registered by a
// RegisterData tx and a NewTask proposal (other local steps and initial weights) passes while the
// node mines. Then, replaying the stored chain from genesis:
// - the node's parts of a round after the registration landed, and their lanes are the replay of
//   the round's shards over the registered training set (8,164 samples, the shard draws some of the
//   new ones), not over the genesis set;
// - after the switch the node's parts are for the new task: they decode with it, start from its
//   W_R, and their lanes are the replay of the new task's H local steps;
// - the new contributor is credited with samples used.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesEqual, fromHex, to0x } from '../../consensus/bytes.ts';
import { PrivateKey } from '../../consensus/crypto/keys.ts';
import { signTx } from '../../consensus/crypto/signature.ts';
import { decodeBlock } from '../../consensus/encoding/block.ts';
import { encodeTx } from '../../consensus/encoding/tx.ts';
import { matmulPlain } from '../../consensus/matmul.ts';
import { checkpointRoot } from '../../consensus/training/checkpoint.ts';
import { contributionOf, laneLeafOf } from '../../consensus/training/contribution.ts';
import type { Dataset } from '../../consensus/training/dataset.ts';
import { decodeSignedPart, lanesRoot, type SignedPart } from '../../consensus/training/part.ts';
import { shardIndices, shardSeed } from '../../consensus/training/shard.ts';
import { MNIST_MLP, type TrainingTask } from '../../consensus/training/spec.ts';
import { encodeTask } from '../../consensus/training/task-codec.ts';
import { runTrajectory } from '../../consensus/training/trajectory.ts';
import { ProposalKind, TypeTag, VoteOption, type Tx } from '../../consensus/types.ts';
import { loadMnist } from '../../genesis/datasets/mnist.ts';
import { buildGenesis, loadGenesisFile } from '../../genesis/index.ts';
import { ChainDb } from '../../node/db/db.ts';
import { applyBlock } from '../../vm/apply-block.ts';
import { readRegistry } from '../../vm/data/registry.ts';
import { trainingSetOf } from '../../vm/data/training-set.ts';
import { builtinDataset } from '../../genesis/build.ts';
import { taskAt } from '../../vm/governance/params.ts';
import { readCheckpoint, readRound } from '../../vm/round/state.ts';
import type { State } from '../../vm/state.ts';
import { rpcCall as rpc, startNode, stopNode, until, type NodeProcess } from './helpers/node-process.ts';
import { writeTestGenesis } from './helpers/nodes.ts';

const NEW_TASK: TrainingTask = Object.freeze({ ...MNIST_MLP, name: 'mnist-mlp-784-128-10/h4-test', localSteps: 4, initSeed: 'tessera/test/governed-task/init' }) as TrainingTask;
const NEW_SAMPLES = 160;

const running: NodeProcess[] = [];
let dir: string;
afterAll(async () => {
  for (const n of running) await stopNode(n);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One lane of `miner` in `round` replayed with the plain reference product: its leaf. */
async function replayLeaf(task: TrainingTask, data: Dataset, pre: State, miner: Uint8Array, lane: number) {
  const round = readRound(pre)!;
  const ck = readCheckpoint(pre, task);
  const traj = await runTrajectory(task, data, ck, { round: round.round, miner, lane }, matmulPlain);
  return laneLeafOf(task, ck.weights, contributionOf(traj));
}

interface LandedPart {
  part: SignedPart;
  /** The state the part was checked on (its block's parent state). */
  pre: State;
  task: TrainingTask;
  height: number;
}

describe('a mining node follows governance and the data registry', () => {
  it('trains on newly registered samples from the next round, and the new task after a switch', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-gov-mining-'));
    const { file: genesisFile, json: devnet } = await writeTestGenesis(dir, (g) => {
      g.params.initialTarget = '0x' + (1n << 225n).toString(16).padStart(64, '0');
      Object.assign(g.params.training, { task: MNIST_MLP.name, roundBlocks: 2 });
      Object.assign(g.params.governance, { minDeposit: '1000000', votingPeriod: 4, timelock: 1 });
    });
    const spec = loadGenesisFile(genesisFile);
    const keys = (devnet.devKeys as { privateKey: string; address: string }[]).map((k) => PrivateKey.fromBytes(fromHex(k.privateKey)));
    const minerAddr = devnet.devKeys[1].address as string;
    const keyFile = join(dir, 'miner.key');
    await writeFile(keyFile, `${devnet.devKeys[1].privateKey as string}\n`);
    const datadir = join(dir, 'data');
    const node = await startNode(['--mine', '--archive', '--miner-address', minerAddr, '--miner-key-file', keyFile, '--datadir', datadir, '--genesis', genesisFile, '--rpc', '127.0.0.1:0', '--log-format', 'json']);
    running.push(node);
    const send = (tx: Tx) => rpc(node.rpc, 'tx_send', [to0x(encodeTx(tx))]);
    const common = (k: PrivateKey, nonce: number, fee = 10_000n) => ({ chainId: spec.chainId, nonce, fee, sig: new Uint8Array(65) });

    // 160 digits nobody registered (the held-out split's first ones), under a new contributor
    const { heldOut } = loadMnist();
    const contributor = PrivateKey.fromBytes(new Uint8Array(32).fill(7)).address();
    const samples = new Uint8Array(heldOut.x.buffer, heldOut.x.byteOffset, NEW_SAMPLES * heldOut.dim).slice();
    const labels = heldOut.y.slice(0, NEW_SAMPLES);
    await send(signTx({ type: TypeTag.RegisterData, ...common(keys[0]!, 0, spec.params.minFee * BigInt(NEW_SAMPLES)), contributor, royaltyBps: 10_000, dim: heldOut.dim, samples, labels }, keys[0]!));
    await send(signTx({ type: TypeTag.Propose, ...common(keys[0]!, 1), amount: 1_000_000n, action: { kind: ProposalKind.NewTask, task: encodeTask(NEW_TASK) } }, keys[0]!));
    const prop = await until('the proposal on chain', async () => (await rpc(node.rpc, 'gov_list')).proposals?.[0], 60_000);
    for (const [i, k] of keys.entries()) await send(signTx({ type: TypeTag.Vote, ...common(k, i === 0 ? 2 : 0), proposal: 0, option: VoteOption.Yes }, k));
    const executed = await until('the task proposal executed', async () => {
      const p = await rpc(node.rpc, 'gov_show', [0]);
      if (['rejected', 'vetoed', 'no-quorum', 'failed'].includes(p.status)) throw new Error(`proposal ${p.status}`);
      return p.status === 'executed' ? p : undefined;
    }, 90_000);
    expect(prop.startHeight).toBeGreaterThan(0);
    // the switch at the first round boundary after executeAt (2-block rounds), then a whole round of the new task
    await until('a round of the new task', async () => ((await rpc(node.rpc, 'chain_head')).height >= executed.executeAt + 6 ? true : undefined), 90_000);
    const credited = await rpc(node.rpc, 'attribution_get', [to0x(contributor)]);
    expect(credited.registeredSamples).toBe(NEW_SAMPLES);
    expect(BigInt(credited.samplesUsed)).toBeGreaterThan(0n);
    await stopNode(node);

    // Replay the stored chain; keep the node's parts with the state they were checked on.
    const genesis = buildGenesis(spec);
    const db = new ChainDb({ path: join(datadir, 'chain') });
    await db.open();
    const parts: LandedPart[] = [];
    try {
      let state = genesis.state;
      for (let h = 1; ; h++) {
        const hash = await db.getCanonical(h);
        if (!hash) break;
        const block = decodeBlock((await db.getBlock(hash))!);
        const task = taskAt(state, spec.params.training!.task);
        for (const c of block.contributions) parts.push({ part: decodeSignedPart(task, c), pre: state, task, height: h });
        state = applyBlock(state, block, spec.params).state;
      }
    } finally {
      await db.close();
    }
    const miner = fromHex(minerAddr);
    const genesisSet = builtinDataset('mnist-train');

    // A part on the registered data, before the switch: its smallest one.
    const onNewData = parts.filter((p) => p.task.name === MNIST_MLP.name && readRegistry(p.pre)!.active === genesisSet.n + NEW_SAMPLES);
    expect(onNewData.length).toBeGreaterThan(0);
    const d = onNewData.sort((a, b) => a.part.laneCount - b.part.laneCount)[0]!;
    const set = trainingSetOf(d.pre, builtinDataset)!;
    expect(set.n).toBe(genesisSet.n + NEW_SAMPLES);
    const leaves = [];
    let drawsNew = 0;
    for (let l = d.part.laneStart; l < d.part.laneStart + d.part.laneCount; l++) {
      const seed = shardSeed(readRound(d.pre)!.checkpointRoot, { round: d.part.round, miner, lane: l });
      drawsNew += [...shardIndices(MNIST_MLP, set.n, seed)].filter((i) => i >= genesisSet.n).length;
      leaves.push(await replayLeaf(MNIST_MLP, set, d.pre, miner, l));
    }
    expect(drawsNew).toBeGreaterThan(0);
    expect(to0x(lanesRoot(d.part.laneStart, leaves))).toBe(to0x(d.part.lanesRoot));
    // ... and not the lanes the genesis set would give
    const onGenesisSet = await replayLeaf(MNIST_MLP, genesisSet, d.pre, miner, d.part.laneStart);
    expect(bytesEqual(onGenesisSet.finalRoot, leaves[0]!.finalRoot)).toBe(false);

    // After the switch: parts for the new task, from its W_R, lanes replayed with its H = 4 steps.
    const onNewTask = parts.filter((p) => p.task.name === NEW_TASK.name);
    expect(onNewTask.length).toBeGreaterThan(0);
    expect(onNewTask.every((p) => p.height > executed.executeAt)).toBe(true);
    const t = onNewTask.sort((a, b) => a.part.laneCount - b.part.laneCount)[0]!;
    expect(to0x(t.part.baseRoot)).toBe(to0x(checkpointRoot(NEW_TASK, readCheckpoint(t.pre, NEW_TASK))));
    const tset = trainingSetOf(t.pre, builtinDataset)!;
    const tleaves = [];
    for (let l = t.part.laneStart; l < t.part.laneStart + t.part.laneCount; l++) tleaves.push(await replayLeaf(NEW_TASK, tset, t.pre, miner, l));
    expect(tleaves[0]!.steps.length).toBe(NEW_TASK.localSteps);
    expect(to0x(lanesRoot(t.part.laneStart, tleaves))).toBe(to0x(t.part.lanesRoot));
    expect(node.log()).toContain('the round trains another task or training set');
  }, 300_000);
});
