// Ticket-path costs, measured in one run on the fastest backend available (auto), every figure
// repeated (bench/lib/repeat.ts):
//  - overhead of the full ticket path (seed, noise, noised product + transcript, tile hashes, decode,
//    copy out) over the bare product, goal: <= the decode floor r/n + r/m + 2r/k + 10 points at the
//    devnet task's two ticket shapes and 1024^3, at r = 8 and r = 16. Each job carries its operand roots,
//    as a training step hands them over (the step commits to them with or without tickets: the plain
//    trainer pays them too); what they cost is printed on a line of its own.
//  - Freivalds check of a job against computing it (goal <= 1/50)
//  - ticket verification time
import { randomBytes } from 'node:crypto';
import { freivalds } from '../consensus/pouw/freivalds.ts';
import { rootByCols, rootByRows } from '../consensus/matmul.ts';
import { DEFAULT_POUW_SPEC, isTicketJob, type PouwSpec } from '../consensus/pouw/spec.ts';
import { verifyTicket } from '../consensus/pouw/verify.ts';
import { createBackend } from '../miner/backends/index.ts';
import { ticketCost } from '../miner/ticket-cost.ts';
import { stepJobShapes } from '../consensus/training/step.ts';
import { TASKS } from '../genesis/tasks.ts';
import { testMatrix } from '../miner/backends/selftest.ts';
import { ticketMatmul, newTicketStats, type WinningTicket } from '../miner/ticket-matmul.ts';
import { fmtMs, goal, quick, ratioStats, repeat, repeatEach, RUNS, stats, type Stats } from './lib/repeat.ts';
import type { MatmulFn, MatmulJob } from '../consensus/matmul.ts';
import type { TileBackend } from '../miner/backends/types.ts';

const SHAPES = [
  { name: 'X·W1 B=64', m: 64, k: 784, n: 128 },
  { name: 'X·W1 B=256', m: 256, k: 784, n: 128 },
  { name: 'X^T·dZ1 B=256', m: 784, k: 256, n: 128 },
  { name: 'X·W1 B=128', m: 128, k: 784, n: 128 },
  { name: 'X^T·dZ1 B=128', m: 784, k: 128, n: 128 },
  { name: 'H^T·dZ2 B=256', m: 128, k: 256, n: 10 },
  { name: '1024^3', m: 1024, k: 1024, n: 1024 },
];
/** The shapes the goal is stated at (the devnet task's two ticket jobs and 1024^3). */
const GOAL_SHAPES = new Set(['256x784x128', '784x256x128', '1024x1024x1024']);

/** Jobs per timed run: small jobs are timed in batches (the mean of a batch is one sample). */
const innerOf = (m: number, k: number, n: number) => (m * k * n > 1e8 ? 1 : 10);

/**
 * Where a fused ticket job's time goes (wasm only; medians over the timed jobs, ms): noise factors (this
 * thread), setup (tile blocks, copies in, noise layouts), the three parallel phases (as this thread sees
 * them, barrier to barrier) and the copy out; "rest" is the ticket path's JS around them (tile target
 * tests, awaits).
 */
async function breakdown(be: TileBackend, mm: MatmulFn, job: MatmulJob, r: number): Promise<void> {
  const w = be as TileBackend & { profile?: number[][] };
  if (!('profile' in w) && be.name !== 'wasm') return;
  const seed = new Uint8Array(32).fill(9);
  const inner = innerOf(job.m, job.k, job.n);
  const noise = be.noiseFactors ? (await repeatEach([() => be.noiseFactors!(seed, r, job.m, job.k, job.n)], { inner }))[0]!.median : 0;
  w.profile = [];
  const full = (await repeatEach([() => mm(job)], { inner }))[0]!.median;
  const rows = w.profile.slice(1);
  w.profile = undefined;
  const med = (i: number) => stats(rows.map((x) => x[i]!)).median;
  const parts = [noise, med(0), med(1), med(2), med(3), med(4)];
  const rest = full - parts.reduce((a, b) => a + b, 0);
  // the transcript's fold (every r inner steps) is in the rule but not in the floor formula: the noised
  // product without noise (kernel with fold, fold states copied out) against the bare product
  const [bare, folded] = await repeatEach([() => be.matmul(job.a, job.b, job.m, job.k, job.n), () => be.noisedProduct(job.a, job.b, job.m, job.k, job.n, r)], { inner });
  const fold = ratioStats(bare!, folded!, (a, b) => (100 * (b - a)) / a);
  // the noise add (E = E_L·E_R, F = F_L·F_R: r/n + r/m of the product) is in the rule, not in the floor either
  const add = 100 * (r / job.n + r / job.m);
  console.log(`    beyond the floor formula, required by the rule: the fold every r steps +${fold.median.toFixed(1)}% (${fold.min.toFixed(1)} to ${fold.max.toFixed(1)}) of bare (noisedProduct vs matmul, fold states copied out too); the noise add E, F r/n + r/m = ${add.toFixed(1)}% of the MACs`);
  console.log(`    breakdown (ms, medians): noise factors ${parts[0]!.toFixed(3)}, setup ${parts[1]!.toFixed(3)}, phase 1 (noise add+pack) ${parts[2]!.toFixed(3)}, phase 2 (C' + fold + digests, X', Y, G) ${parts[3]!.toFixed(3)}, phase 3 (decode, tile HMACs) ${parts[4]!.toFixed(3)}, copy out ${parts[5]!.toFixed(3)}, rest ${rest.toFixed(3)} (of ${full.toFixed(3)})`);
}

const pct = (s: Stats) => `+${s.median.toFixed(1)}% (${s.min.toFixed(1)} to ${s.max.toFixed(1)})`;

/** Per registered task: the decode floor and noise add of one local step, by the rule's arithmetic. */
function taskFloors(): void {
  for (const t of TASKS.values()) {
    const shapes = stepJobShapes(t);
    const parts = [8, 16].map((r) => {
      const c = ticketCost({ ...DEFAULT_POUW_SPEC, r }, shapes);
      return `r=${r}: floor ${(100 * c.floor).toFixed(1)}% + noise add ${(100 * c.noiseAdd).toFixed(1)}% of the step's MACs (${(100 * c.ticketShare).toFixed(1)}% of them in ticket jobs)`;
    });
    console.log(`task ${t.name} (${t.layers.join('-')}, batch ${t.batch}): ${(ticketCost(DEFAULT_POUW_SPEC, shapes).macs / 1e6).toFixed(1)} M MACs a step; ${parts.join('; ')}`);
  }
}

export default async function (): Promise<void> {
  taskFloors();
  const be = await createBackend('auto');
  console.log(`backend: ${be.name} (${be.detail}); figures: median (min-max) of ${quick ? 'a quick run' : `${RUNS} runs after a warm-up`}, bare and ticket path timed alternately within each run, small jobs ${innerOf(1, 1, 1)} per run`);
  const parent = new Uint8Array(32).fill(7);
  const miner = new Uint8Array(20).fill(3);
  const shapes = quick ? SHAPES.filter((s) => s.m === 256 && s.k === 784) : SHAPES;
  for (const r of [8, 16]) {
    const spec: PouwSpec = { ...DEFAULT_POUW_SPEC, r };
    for (const s of shapes) {
      const a = testMatrix('pa', s.m * s.k, 63), b = testMatrix('pb', s.k * s.n, 63);
      const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a, b, roots: { rootA: rootByRows(a, s.m, s.k), rootB: rootByCols(b, s.k, s.n) } };
      const ticket = isTicketJob(spec, s.m, s.k, s.n);
      const inner = innerOf(s.m, s.k, s.n);
      const ops = 2 * s.m * s.k * s.n;
      const mm = ticketMatmul({ parent, miner, round: 0, lane: 0, target: 0n, spec }, be);
      const [bare, full] = await repeatEach(ticket ? [() => be.matmul(job.a, job.b, s.m, s.k, s.n), () => mm(job)] : [() => be.matmul(job.a, job.b, s.m, s.k, s.n)], { inner });
      const line = `r=${r} ${s.name.padEnd(14)} ${s.m}x${s.k}x${s.n}: ${ticket ? 'ticket job' : 'plain job '}  bare ${fmtMs(bare!, 3)} (${(ops / bare!.median / 1e6).toFixed(1)} GOPS)`;
      if (!ticket) {
        console.log(line);
        continue;
      }
      const over = ratioStats(bare!, full!, (a, b) => (100 * (b - a)) / a);
      const floor = 100 * (r / s.n + r / s.m + (2 * r) / s.k);
      const key = `${s.m}x${s.k}x${s.n}`;
      const g = GOAL_SHAPES.has(key) ? `; ${goal(`<= floor + 10 = ${(floor + 10).toFixed(1)}%`, over.median <= floor + 10)}` : '';
      console.log(`${line}, full ticket path ${fmtMs(full!, 3)}: ${pct(over)} over bare (floor r/n+r/m+2r/k = ${floor.toFixed(1)}%${g})`);
      if (GOAL_SHAPES.has(key) && !quick) {
        await breakdown(be, mm, job, r);
        if (r === 16) {
          const [roots] = await repeatEach([async () => { rootByRows(a, s.m, s.k); rootByCols(b, s.k, s.n); }], { inner });
          console.log(`    not in the ticket path: the operand roots (rootByRows(A), rootByCols(B); the step commits to them, the plain trainer too) ${fmtMs(roots!, 3)} = ${(100 * roots!.median / bare!.median).toFixed(1)}% of bare`);
        }
      }
    }
  }
  if (quick) {
    await be.close();
    return;
  }
  // The tile size: every tile costs one HMAC over its digest (4 words per 8 columns). Not the default
  // spec: printed for the governance question (a bigger tile also makes verifyTicket recompute th·tw·k
  // MACs and carry th + tw lines). The wasm kernel digests tiles up to 16 wide; wider tiles take the
  // fold states out and hash them in JS (TileHasher), so these lines are not the kernel's best.
  for (const hw of [32, 64]) {
    const spec: PouwSpec = { ...DEFAULT_POUW_SPEC, r: 16, h: hw, w: hw };
    for (const s of [SHAPES[1]!, SHAPES[2]!, SHAPES[SHAPES.length - 1]!]) {
      const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('pa', s.m * s.k, 63), b: testMatrix('pb', s.k * s.n, 63) };
      const mm = ticketMatmul({ parent, miner, round: 0, lane: 0, target: 0n, spec }, be);
      const [bare, full] = await repeatEach([() => be.matmul(job.a, job.b, s.m, s.k, s.n), () => mm(job)], { inner: innerOf(s.m, s.k, s.n) });
      console.log(`r=16 tile ${hw}x${hw} (not default) ${s.name.padEnd(14)} ${s.m}x${s.k}x${s.n}: bare ${fmtMs(bare!, 3)}, full ticket path ${fmtMs(full!, 3)}: ${pct(ratioStats(bare!, full!, (a, b) => (100 * (b - a)) / a))} over bare`);
    }
  }
  // Freivalds against computing the job with the fastest backend
  for (const s of [SHAPES[1]!, SHAPES[2]!, SHAPES[SHAPES.length - 1]!, { name: '2048^3', m: 2048, k: 2048, n: 2048 }]) {
    const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('fa', s.m * s.k, 63), b: testMatrix('fb', s.k * s.n, 63) };
    const c = await be.matmul(job.a, job.b, s.m, s.k, s.n);
    const comp = (await repeat(() => be.matmul(job.a, job.b, s.m, s.k, s.n))).median;
    let ok = true;
    const fr = (await repeat(async () => { ok = freivalds(job, c, (n) => new Uint8Array(randomBytes(n))); })).median;
    console.log(`freivalds JS ${s.m}x${s.k}x${s.n} (4 rounds, <= 2^-40): ${fr.toFixed(2)} ms vs product ${comp.toFixed(2)} ms on ${be.name} (medians) = 1/${(comp / fr).toFixed(2)} (goal <= 1/50) ${ok ? '' : 'REJECTED?!'}`);
    const fw = (be as { freivalds?: (j: typeof job, c: Int32Array, rb: (n: number) => Uint8Array) => Promise<boolean> }).freivalds;
    if (fw) {
      let okw = true;
      const frw = (await repeat(async () => { okw = await fw.call(be, job, c, (n) => new Uint8Array(randomBytes(n))); })).median;
      console.log(`freivalds wasm ${s.m}x${s.k}x${s.n} (4 rounds, f64x2, all threads): ${frw.toFixed(2)} ms vs product ${comp.toFixed(2)} ms (medians) = 1/${(comp / frw).toFixed(2)} (goal <= 1/50) ${okw ? '' : 'REJECTED?!'}`);
    }
  }
  // ticket verification
  for (const s of [SHAPES[1]!, SHAPES[2]!]) {
    const spec = DEFAULT_POUW_SPEC;
    const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('va', s.m * s.k, 63), b: testMatrix('vb', s.k * s.n, 63) };
    const target = (1n << 256n) / BigInt(spec.h * spec.w * s.k) / 4n;
    const wins: WinningTicket[] = [];
    const stats = newTicketStats();
    await ticketMatmul({ parent, miner, round: 0, lane: 0, target, spec }, be, (t) => wins.push(t), stats)(job);
    const t = wins[0];
    if (!t) { console.log('verify: no ticket found'); continue; }
    const v = await repeat(async () => verifyTicket(t.proof, parent, target, spec), { runs: 10 });
    console.log(`verifyTicket ${spec.h}x${spec.w} tile, k=${s.k}, r=${spec.r}: ${fmtMs(v)} (${stats.tiles} tiles hashed for the job, ${wins.length} won at an easy target)`);
  }
  await be.close();
}
