// Mining end to end, in one run: a mining node (the TesseraNode class, real LevelDB, the miner in
// its worker thread on the best backend) on the devnet genesis as it is (10 s blocks, 60 s rounds;
// TESSERA_BENCH_MINING_SCALE=S divides block time, lanes and difficulty by S for a quicker, less
// faithful run: a lane takes as long as ever, so scaled rounds hold S times fewer lanes), then:
//  - chain growth (bytes of the canonical blocks per hour of block time);
//  - useful-work fraction: MACs of own lanes (in parts) that landed in rounds that closed, over all
//    MACs the miner computed between the first and the last round close (goal >= 95%); also with
//    the ticket path's noise + decode overhead counted as computed;
//  - block verification (seal recompute + state transition, replayed) against block compute time
//    (the mean interval between mined blocks);
//  - the chain's training throughput (samples per second into the model) against the plain
//    trainer's (the same lanes through the same backend's plain products, no tickets) (goal >= 0.9),
//    and the ticket trainer's (the same lanes through the ticket path, no node) to split the gap.
// Repetition (bench/lib/repeat.ts): the plain trainer is timed in runs of 2 lanes, half of them before
// the node runs and half after (the load moves); the chain's throughput is one sample per round (close
// to close, >= 5 rounds by default: TESSERA_BENCH_MINING_SECONDS, 420 s). The ratio is stated with the
// medians, its spread as chain min / plain max .. chain max / plain min. --quick: 45 s at scale 5.
// Surplus compute (the miner has far more compute than v1's lane cap let a round use):
// TESSERA_BENCH_MINING_TASK=<task name> runs another registered task (e.g. mnist-mlp-784-128-10/v1,
// H = 8: lanes 4x shorter, so a 60 s round holds several times v1's maxLanes of 128), and
// TESSERA_BENCH_MINING_THREADS=<n> sets the wasm threads. Then, per round (close to close): the
// useful-work fraction (median and spread over the rounds), the lanes trained, and the filler MACs
// (none while a task is open: filler runs only without one).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateKey } from '../consensus/crypto/index.ts';
import { initCheckpoint } from '../consensus/training/checkpoint.ts';
import { runTrajectory } from '../consensus/training/trajectory.ts';
import { stepJobShapes } from '../consensus/training/step.ts';
import type { MatmulFn } from '../consensus/matmul.ts';
import { sealFor } from '../consensus/seal-pouw.ts';
import { encodeBlock } from '../consensus/encoding/block.ts';
import { buildGenesis, parseGenesis } from '../genesis/index.ts';
import { loadMnist } from '../genesis/datasets/mnist.ts';
import { createBackend } from '../miner/backends/index.ts';
import { applyBlock } from '../vm/apply-block.ts';
import { readRound } from '../vm/round/state.ts';
import { createLogger } from '../node/log/logger.ts';
import { TesseraNode } from '../node/node.ts';
import os from 'node:os';
import { fmt, goal, loadNow, quick, ratioStats, RUNS, stats, type Stats } from './lib/repeat.ts';
import { ticketMatmul } from '../miner/ticket-matmul.ts';

const SCALE = Number(process.env.TESSERA_BENCH_MINING_SCALE ?? (quick ? 5 : 1));
const RUN_SECONDS = Number(process.env.TESSERA_BENCH_MINING_SECONDS ?? (quick ? 45 : 420));
const TASK = process.env.TESSERA_BENCH_MINING_TASK;
/**
 * TESSERA_BENCH_MINING_EASIER=X multiplies the initial target by X (block time and rounds unchanged):
 * for a machine whose ticket rate is X times below the one the devnet's initial target was set for
 * (a shared machine), so that blocks and round closes come at the devnet's pace within the run.
 */
const EASIER = BigInt(process.env.TESSERA_BENCH_MINING_EASIER ?? '1');
const THREADS = process.env.TESSERA_BENCH_MINING_THREADS ? Number(process.env.TESSERA_BENCH_MINING_THREADS) : undefined;
/** TESSERA_BENCH_MINING_PLAIN=0: no plain-trainer comparison (a run for the useful-work fraction and chain growth only). */
const PLAIN = process.env.TESSERA_BENCH_MINING_PLAIN !== '0';
const GOAL = 0.9;
/** v1's lane cap (per-lane contributions, before parts): a round took at most this many lanes. */
const V1_MAX_LANES = 128;

/**
 * Samples per second of the plain trainer (one figure per run of `lanes` lanes, after a warm-up lane)
 * and of the ticket trainer: the same lanes through the ticket path (ticketMatmul, a target no tile
 * meets), no node. The two are timed alternately within each run, so their ratio (run by run) is the
 * ticket path's own cost on the training step, apart from the node's.
 */
async function trainerSamplesPerSecond(runs: number, lanes = 2): Promise<{ plain: number[]; ticket: number[] }> {
  const { train } = loadMnist();
  const spec = parseGenesis(JSON.parse(await readFile(new URL('../genesis/devnet.json', import.meta.url), 'utf8')));
  const { task, pouw } = spec.params.training!;
  const backend = await createBackend('auto');
  try {
    const mm: MatmulFn = (j) => backend.matmul(j.a, j.b, j.m, j.k, j.n);
    const ck = initCheckpoint(task);
    const miner = new Uint8Array(20).fill(3);
    const ticketMm = (lane: number) => ticketMatmul({ parent: new Uint8Array(32).fill(7), miner, round: 0, lane, target: 0n, spec: pouw }, backend);
    await runTrajectory(task, train, ck, { round: 0, miner, lane: 99 }, mm); // warm-up
    await runTrajectory(task, train, ck, { round: 0, miner, lane: 98 }, ticketMm(98));
    const plain: number[] = [], ticket: number[] = [];
    for (let r = 0; r < runs; r++) {
      for (const [out, ticketPath] of [[plain, false], [ticket, true]] as const) {
        const t0 = performance.now();
        for (let l = 0; l < lanes; l++) {
          const lane = r * lanes + l;
          await runTrajectory(task, train, ck, { round: 0, miner, lane }, ticketPath ? ticketMm(lane) : mm);
        }
        out.push((lanes * task.localSteps * task.batch) / ((performance.now() - t0) / 1000));
      }
    }
    const ratio = ratioStats(stats(plain), stats(ticket), (p, t) => t / p);
    console.log(`plain trainer (${backend.name} products, no tickets): ${fmt(stats(plain), 'samples/s', 0)} over ${runs} runs of ${lanes} lanes (${loadNow()})`);
    console.log(`ticket trainer (the same lanes through the ticket path, no node): ${fmt(stats(ticket), 'samples/s', 0)}; against the plain trainer run by run ${fmt(ratio, '', 2)}`);
    return { plain, ticket };
  } finally {
    await backend.close();
  }
}

export default async function (): Promise<void> {
  const plainRuns = Math.max(1, Math.ceil(RUNS / 2) + (quick ? 0 : 1));
  const before = PLAIN ? await trainerSamplesPerSecond(plainRuns, quick ? 1 : 2) : { plain: [], ticket: [] };

  const json = JSON.parse(await readFile(new URL('../genesis/devnet.json', import.meta.url), 'utf8'));
  json.time = Math.floor(Date.now() / 1000);
  json.params.blockTimeSeconds = json.params.blockTimeSeconds / SCALE;
  json.params.initialTarget = '0x' + (BigInt(json.params.initialTarget) * BigInt(SCALE) * EASIER).toString(16).padStart(64, '0');
  if (TASK) json.params.training.task = TASK;
  const spec = parseGenesis(json);
  const t = spec.params.training!;
  console.log(`devnet${SCALE !== 1 ? ` scaled ${SCALE}x` : ''} (task ${t.task.name}, H=${t.task.localSteps}${THREADS ? `, ${THREADS} threads` : ''}${EASIER !== 1n ? `, initial target x${EASIER}` : ''}): ${spec.params.blockTimeSeconds} s blocks, rounds of ${t.roundBlocks} blocks, ${t.maxContributionsPerBlock} parts per block; running ${RUN_SECONDS} s (${loadNow()})`);
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-mining-'));
  const node = new TesseraNode(
    // an archive node: the replay below needs the part bodies that pruning drops after the window
    { datadir: dir, genesis: spec, archive: true, rpc: { host: '127.0.0.1', port: 0 }, mining: { miner: spec.devKeys[0]!.address, key: PrivateKey.fromBytes(spec.devKeys[0]!.privateKey), backend: 'auto', ...(THREADS ? { threads: THREADS } : {}) } },
    { logger: createLogger({ level: 'warn', format: 'pretty' }) },
  );
  let tp: { all: number; perRound: Stats; secs: number; samples: number; loads: Stats; computed: number } | undefined;
  const closes: { at: number; round: number; landed: number; computed: number; overhead: number; filler: number; lost: number; abandoned: number; contributions: number; load: number }[] = [];
  try {
    await node.start();
    const chain = node.chain!;
    let lastRound = 0;
    let contributionsLanded = 0;
    const end = Date.now() + RUN_SECONDS * 1000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      const round = readRound(chain.state())!.round;
      if (round !== lastRound) {
        const st = node.mining!.status;
        const m = st.miner!;
        closes.push({
          at: performance.now(), round, landed: st.landedMacs, computed: m.laneMacs + m.lostMacs + m.fillerMacs, overhead: m.overheadMacs, filler: m.fillerMacs, lost: m.lostMacs,
          abandoned: m.lanesAbandoned, contributions: st.contributionsLanded, load: os.loadavg()[0]!,
        });
        contributionsLanded = st.contributionsLanded;
        lastRound = round;
      }
    }
    void contributionsLanded;
    const head = chain.head().header.height;
    const st = node.mining!.status;
    console.log(`mined ${st.blocksMined} blocks (head ${head}), ${closes.length} round closes, ${st.contributionsLanded} contributions landed, ${st.miner?.lanesAbandoned ?? 0} lanes abandoned, ${st.ticketsStale} stale tickets`);

    // block verification: seal (ticket recompute) + state transition, replayed from genesis
    const g = buildGenesis(spec);
    const seal = sealFor(spec.params);
    let state = g.state;
    let parent = g.block.header;
    let verifyMs = 0;
    let chainBytes = 0;
    const times: number[] = [];
    for (let h = 1; h <= head; h++) {
      const b = (await chain.getBlockByHeight(h))!.block;
      chainBytes += encodeBlock(b).length;
      const t0 = performance.now();
      seal.verify(b.header, parent);
      state = applyBlock(state, b, spec.params).state;
      verifyMs += performance.now() - t0;
      times.push(b.header.time);
      parent = b.header;
    }
    const meanInterval = (times[times.length - 1]! - spec.time) / head;
    const chainSecs = times[times.length - 1]! - spec.time;
    console.log(
      `chain growth: ${(chainBytes / 1e6).toFixed(1)} MB in ${head} blocks over ${chainSecs} s of block time = ${((chainBytes / chainSecs) * 3600 / 1e6).toFixed(0)} MB per hour ` +
        `(${st.partsLanded} parts carried ${st.contributionsLanded} lanes: ${Math.round((st.contributionsLanded / chainSecs) * 3600)} lanes and ${Math.round((st.partsLanded / chainSecs) * 3600)} parts per hour, ` +
        `${st.partsLanded > 0 ? Math.round(chainBytes / st.partsLanded / 1000) : '-'} kB of block per part)`,
    );
    console.log(
      `block verification ${(verifyMs / head).toFixed(1)} ms per block (replay of ${head} blocks, seal + state transition incl. round closes) ` +
        `vs block compute time ${(meanInterval * 1000).toFixed(0)} ms (mean interval): ratio 1/${Math.round((meanInterval * 1000) / (verifyMs / head))}`,
    );
    if (closes.length >= 2) {
      const a = closes[0]!;
      const z = closes[closes.length - 1]!;
      const landed = z.landed - a.landed;
      const computed = z.computed - a.computed;
      const overhead = z.overhead - a.overhead;
      const frac = landed / computed;
      // per round, close to close (a lane's MACs are counted when it ends: a round's figure may hold a
      // lane of its neighbour, the rounds' sum does not)
      const fracPerRound: number[] = [];
      const lanesPerRound: number[] = [];
      for (let i = 1; i < closes.length; i++) {
        const c0 = closes[i - 1]!;
        const c1 = closes[i]!;
        fracPerRound.push((100 * (c1.landed - c0.landed)) / Math.max(1, c1.computed - c0.computed));
        lanesPerRound.push(c1.contributions - c0.contributions);
      }
      const fr = stats(fracPerRound);
      const ln = stats(lanesPerRound);
      const lds = stats(closes.map((c) => c.load));
      console.log(
        `useful-work fraction per round: ${fmt(fr, '%', 1)} over ${fracPerRound.length} rounds; lanes landed per round ${fmt(ln, '', 0)} ` +
          `(v1 capped a round at ${V1_MAX_LANES}); lanes abandoned at closes ${z.abandoned - a.abandoned}, lost ${((z.lost - a.lost) / 1e9).toFixed(1)} G MACs; ` +
          `filler ${((z.filler - a.filler) / 1e9).toFixed(2)} G MACs with a task open (load at closes ${lds.median.toFixed(2)}, ${lds.min.toFixed(2)}-${lds.max.toFixed(2)})`,
      );
      console.log(
        `useful-work fraction (rounds ${a.round}..${z.round - 1}): ${(100 * frac).toFixed(1)}% of ${(computed / 1e9).toFixed(1)} G MACs computed ended in landed contributions ` +
          `(goal >= 95%: ${frac >= 0.95 ? 'met' : 'NOT met'}); ${(100 * (landed / (computed + overhead))).toFixed(1)}% counting the ticket path's noise+decode MACs`,
      );
      const secs = (z.at - a.at) / 1000;
      const samples = (z.contributions - a.contributions) * t.task.localSteps * t.task.batch;
      const perRound: number[] = [];
      for (let i = 1; i < closes.length; i++)
        perRound.push(((closes[i]!.contributions - closes[i - 1]!.contributions) * t.task.localSteps * t.task.batch) / ((closes[i]!.at - closes[i - 1]!.at) / 1000));
      // the miner's own pace: every lane MAC it computed (landed, lost at a close, or filler), in samples
      const macsPerSample = stepJobShapes(t.task).reduce((acc, [m, k, n]) => acc + m * k * n, 0) / t.task.batch;
      const computedSamples = computed / macsPerSample;
      tp = { all: samples / secs, perRound: stats(perRound), secs, samples, loads: stats(closes.map((c) => c.load)), computed: computedSamples / secs };
    } else console.log(`only ${closes.length} round close(s) in ${RUN_SECONDS} s: no useful-work fraction measured`);
    const ev = node.tracker?.latest;
    if (ev) console.log(`held-out accuracy after round ${ev.round - 1}: ${(ev.accuracyBp / 100).toFixed(2)}%`);
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (!tp || !PLAIN) return;
  const after = await trainerSamplesPerSecond(plainRuns, quick ? 1 : 2);
  const plain = stats([...before.plain, ...after.plain]);
  const ticket = stats([...before.ticket, ...after.ticket]);
  const c = tp.perRound;
  const ratio = c.median / plain.median;
  console.log(
    `chain training throughput: ${tp.samples} samples in ${tp.secs.toFixed(1)} s = ${tp.all.toFixed(0)} samples/s; per round ${fmt(c, 'samples/s', 0)} over ${c.runs.length} rounds ` +
      `(load at round closes ${tp.loads.median.toFixed(2)}, ${tp.loads.min.toFixed(2)}-${tp.loads.max.toFixed(2)})`,
  );
  console.log(
    `chain vs plain trainer (${fmt(plain, 'samples/s', 0)}, ${plain.runs.length} runs before and after): ratio of medians ${ratio.toFixed(2)} ` +
      `(spread ${(c.min / plain.max).toFixed(2)}-${(c.max / plain.min).toFixed(2)}); ${goal(`>= ${GOAL}`, ratio >= GOAL)}`,
  );
  console.log(
    `  of which the ticket path: ticket trainer / plain trainer ${(ticket.median / plain.median).toFixed(2)} (medians); the node around it: chain / ticket trainer ${(c.median / ticket.median).toFixed(2)} ` +
      `(the miner's own pace, all lane MACs it computed: ${tp.computed.toFixed(0)} samples/s = ${(tp.computed / ticket.median).toFixed(2)} of the ticket trainer)`,
  );
}
