// Contribution parts (v2) at scale: chain bytes per round and round-close time for 10, 100, 1,000
// and 10,000 lanes from 1, 4 and 16 miners, through the real part encoding, signatures and VM
// (applyParts for every part, then closeRound), on the devnet task (H = 32, 101,632 weights).
// Lanes are synthetic: a part's D is the sum of its k lanes, each lane a shared direction c
// (|c| < 2^20 master units, what honest H = 32 lanes move: docs/mining-vm.md) plus its own noise
// (|n| < 2^18), so D grows like k, the pessimistic case for its varints. Each miner sends one part
// per block of the round (6 blocks on the devnet), so parts per round = miners x 6 at most.
// The state is the devnet genesis's (its data registry of 4 registrations, 8,004 MNIST samples) with
// the 16 miners bonded and a round pool, so the close pays the data share: attribution of every
// finalized lane's shard (vm/attribution/attribute.ts) is part of the close (and of applying parts,
// where a part's shards are counted when it lands).
// Goal (issue "aggregated contribution parts"): bytes follow parts, not lanes; round close < 1 s at
// 10,000 lanes. Also: D's encoding against the alternatives, on the same synthetic parts.
import os from 'node:os';
import { PrivateKey } from '../consensus/crypto/index.ts';
import { initCheckpoint } from '../consensus/training/checkpoint.ts';
import { encodeAggDelta, encodeSignedPart, signPart, type ContributionPart } from '../consensus/training/part.ts';
import { layerCount, layerSize, MNIST_MLP_H32 } from '../consensus/training/spec.ts';
import type { TrainingParams } from '../consensus/params.ts';
import { pouwSpecOf } from '../consensus/params.ts';
import { mulberry32 } from '../test/helpers/prng.ts';
import { bondKey, encodeAmount } from '../vm/round/keys.ts';
import { closeRound } from '../vm/round/close.ts';
import { applyParts } from '../vm/round/parts.ts';
import { openRoundEntries, readRound } from '../vm/round/state.ts';
import { StateView } from '../vm/view.ts';
import { buildGenesis, loadDevnetSpec } from '../genesis/index.ts';
import { dataShareHook } from '../vm/rewards-split.ts';
import { writeRound } from '../vm/round/state.ts';
import { readRegistry } from '../vm/data/registry.ts';
import type { ChainParams } from '../consensus/params.ts';

const task = MNIST_MLP_H32;
const ROUND_BLOCKS = 6;
const T: TrainingParams = {
  task, pouw: pouwSpecOf(task, 4), roundBlocks: ROUND_BLOCKS, challengeWindow: 6, minBond: 1n, bondPerLane: 1n, laneBudget: 1024,
  maxContributionBytes: 1 << 30, maxContributionsPerBlock: 64, ticketShareBps: 2000, unbondDelay: 18, datasetHash: new Uint8Array(32),
};
const CHAIN_ID = 7001;

function syntheticD(rnd: () => number, c: readonly Float64Array[], k: number): Float64Array[] {
  return c.map((cl) => {
    const d = new Float64Array(cl.length);
    // k lanes of c + noise: k·c + (sum of k noises ~ uniform of width 2^18·sqrt(k))
    const w = Math.floor(2 ** 18 * Math.sqrt(k));
    for (let i = 0; i < d.length; i++) d[i] = k * cl[i]! + Math.floor((rnd() * 2 - 1) * w);
    return d;
  });
}

function zigzagNeighbourBytes(d: readonly Float64Array[]): number {
  const diffs = d.map((l) => l.map((v, i) => (i === 0 ? v : v - l[i - 1]!)));
  return encodeAggDelta(diffs).length;
}

export default async function (): Promise<void> {
  const rnd = mulberry32(8);
  const c = Array.from({ length: layerCount(task) }, (_, l) => new Float64Array(layerSize(task, l)).map(() => Math.floor((rnd() * 2 - 1) * 2 ** 20)));
  const ck = initCheckpoint(task);
  const keys = Array.from({ length: 16 }, (_, i) => PrivateKey.fromBytes(new Uint8Array(32).fill(i + 1)));
  const spec = loadDevnetSpec();
  const P: ChainParams = { ...spec.params, training: T };
  const gv = new StateView(buildGenesis(spec).state);
  for (const [k, v] of openRoundEntries(task, 0, 0, ck)) gv.set(k, v);
  for (const k of keys) gv.set(bondKey(k.address()), encodeAmount(1n << 40n));
  writeRound(gv, { ...readRound(gv)!, pool: 10n ** 15n });
  const base = gv.toState();
  const round = readRound(base)!;
  console.log(`devnet genesis state (data registry: 8,004 samples in 4 registrations, data share ${P.governance!.dataShareBps / 100}%), task ${task.name}: ${layerSize(task, 0) + layerSize(task, 1)} weights, H = ${task.localSteps}; one part per miner per block, ${ROUND_BLOCKS} blocks per round; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine)`);
  console.log('lanes  miners  parts  chain bytes/round  bytes/lane  apply parts (ms)  round close (ms)');
  const encodings: string[] = [];
  for (const lanes of [10, 100, 1_000, 10_000]) {
    for (const miners of [1, 4, 16]) {
      if (miners > lanes) continue;
      // lanes split evenly over miners, each miner's over up to ROUND_BLOCKS parts
      const parts: { key: PrivateKey; start: number; count: number; block: number }[] = [];
      for (let m = 0; m < miners; m++) {
        const mine = Math.floor(lanes / miners) + (m < lanes % miners ? 1 : 0);
        const nParts = Math.min(ROUND_BLOCKS, mine);
        let start = 0;
        for (let b = 0; b < nParts; b++) {
          const count = Math.floor(mine / nParts) + (b < mine % nParts ? 1 : 0);
          parts.push({ key: keys[m]!, start, count, block: b });
          start += count;
        }
      }
      let bytes = 0;
      const byBlock: Uint8Array[][] = Array.from({ length: ROUND_BLOCKS }, () => []);
      for (const p of parts) {
        const part: ContributionPart = {
          round: 0, miner: p.key.address(), laneStart: p.start, laneCount: p.count, baseRoot: round.checkpointRoot,
          lanesRoot: new Uint8Array(32).fill(p.start & 0xff), delta: syntheticD(rnd, c, p.count), openings: [],
        };
        const enc = encodeSignedPart(signPart(part, p.key, CHAIN_ID));
        if (lanes === 1_000 && miners === 4 && encodings.length === 0)
          encodings.push(`D of a ${p.count}-lane part: zigzag varint ${encodeAggDelta(part.delta).length} B (chosen), varint of neighbour differences ${zigzagNeighbourBytes(part.delta)} B, fixed int64 ${8 * (layerSize(task, 0) + layerSize(task, 1))} B`);
        bytes += enc.length;
        byBlock[p.block]!.push(enc);
      }
      const view = new StateView(base);
      const t0 = performance.now();
      byBlock.forEach((list, h) => applyParts(view, list, T, round, h + 1, CHAIN_ID));
      const t1 = performance.now();
      const open = readRound(view)!;
      const out = closeRound(view, T, open, ROUND_BLOCKS, dataShareHook(view, P, open.round));
      const t2 = performance.now();
      if (out.lanes !== lanes) throw new Error(`closed ${out.lanes} lanes, expected ${lanes}`);
      const attributed = readRegistry(view)!.attributed - readRegistry(base)!.attributed;
      if (attributed !== BigInt(lanes * task.localSteps * task.batch)) throw new Error(`attributed ${attributed} samples, expected ${lanes} lanes' worth`);
      console.log(
        `${String(lanes).padStart(5)}  ${String(miners).padStart(6)}  ${String(parts.length).padStart(5)}  ${String(bytes).padStart(17)}  ${String(Math.round(bytes / lanes)).padStart(10)}  ${(t1 - t0).toFixed(0).padStart(16)}  ${(t2 - t1).toFixed(0).padStart(16)}`,
      );
    }
  }
  for (const e of encodings) console.log(e);
}
