// Ticket-path costs, measured in one run on the fastest backend available (auto):
//  - overhead of noise + transcript + tile hashes + decode over the bare product (goal <= 10%)
//  - Freivalds check of a job against computing it (goal <= 1/50)
//  - ticket verification time
import { randomBytes } from 'node:crypto';
import { freivalds } from '../consensus/pouw/freivalds.ts';
import { DEFAULT_POUW_SPEC, isTicketJob, type PouwSpec } from '../consensus/pouw/spec.ts';
import { verifyTicket } from '../consensus/pouw/verify.ts';
import { createBackend } from '../miner/backends/index.ts';
import { testMatrix } from '../miner/backends/selftest.ts';
import { ticketMatmul, newTicketStats, type WinningTicket } from '../miner/ticket-matmul.ts';
import { timeIt } from './backends.bench.ts';
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

/**
 * Where a fused ticket job's time goes (wasm only; medians of `reps` jobs, ms): noise factors (this
 * thread), setup (tile blocks, copies in, noise layouts), the three parallel phases (as this thread sees
 * them, barrier to barrier) and the copy out; "rest" is the ticket path's JS around them (tile target
 * tests, awaits).
 */
async function breakdown(be: TileBackend, mm: MatmulFn, job: MatmulJob, reps: number): Promise<void> {
  const w = be as TileBackend & { profile?: number[][] };
  if (!('profile' in w) && be.name !== 'wasm') return;
  const seed = new Uint8Array(32).fill(9);
  const noise = be.noiseFactors ? await timeIt(() => be.noiseFactors!(seed, 16, job.m, job.k, job.n), reps) : 0;
  w.profile = [];
  const full = await timeIt(() => mm(job), reps);
  const rows = w.profile.slice(1);
  w.profile = undefined;
  const med = (i: number) => rows.map((x) => x[i]!).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
  const parts = [noise * 1e3, med(0), med(1), med(2), med(3), med(4)];
  const rest = full * 1e3 - parts.reduce((a, b) => a + b, 0);
  console.log(`    breakdown (ms): noise factors ${parts[0]!.toFixed(3)}, setup ${parts[1]!.toFixed(3)}, phase 1 (E, F, add+pack) ${parts[2]!.toFixed(3)}, phase 2 (C' + fold + digests, X', Y, G) ${parts[3]!.toFixed(3)}, phase 3 (decode, tile HMACs) ${parts[4]!.toFixed(3)}, copy out ${parts[5]!.toFixed(3)}, rest ${rest.toFixed(3)} (of ${(full * 1e3).toFixed(3)})`);
}

export default async function (): Promise<void> {
  const be = await createBackend('auto');
  console.log(`backend: ${be.name} (${be.detail})`);
  const parent = new Uint8Array(32).fill(7);
  const miner = new Uint8Array(20).fill(3);
  for (const r of [8, 16]) {
    const spec: PouwSpec = { ...DEFAULT_POUW_SPEC, r };
    for (const s of SHAPES) {
      const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('pa', s.m * s.k, 63), b: testMatrix('pb', s.k * s.n, 63) };
      const ticket = isTicketJob(spec, s.m, s.k, s.n);
      const reps = s.m * s.k * s.n > 1e8 ? 5 : 20;
      const bare = await timeIt(() => be.matmul(job.a, job.b, s.m, s.k, s.n), reps);
      const noised = await timeIt(() => be.noisedProduct(job.a, job.b, s.m, s.k, s.n, r), reps);
      const mm = ticketMatmul({ parent, miner, round: 0, lane: 0, target: 0n, spec }, be);
      const full = await timeIt(() => mm(job), reps);
      const line = `r=${r} ${s.name.padEnd(14)} ${s.m}x${s.k}x${s.n}: ${ticket ? 'ticket job' : 'plain job '}  bare ${(bare * 1e3).toFixed(2)} ms (${((2 * s.m * s.k * s.n) / bare / 1e9).toFixed(1)} GOPS)`;
      if (!ticket) {
        console.log(line);
        continue;
      }
      const floor = r / s.n + r / s.m + (2 * r) / s.k;
      console.log(`${line}, noised+transcript ${(noised * 1e3).toFixed(2)} ms (+${((100 * (noised - bare)) / bare).toFixed(1)}%), full ticket path ${(full * 1e3).toFixed(2)} ms (+${((100 * (full - bare)) / bare).toFixed(1)}% over bare; goal <= 10%; decode floor r/n+r/m+2r/k = ${(100 * floor).toFixed(1)}%)`);
      if (r === 16) await breakdown(be, mm, job, reps);
    }
  }
  // The tile size: every tile costs one HMAC over its digest (4 words per 8 columns). Not the default
  // spec: printed for the governance question (a bigger tile also makes verifyTicket recompute th·tw·k
  // MACs and carry th + tw lines). The wasm kernel digests tiles up to 16 wide; wider tiles take the
  // fold states out and hash them in JS (TileHasher), so these lines are not the kernel's best.
  for (const hw of [32, 64]) {
    const spec: PouwSpec = { ...DEFAULT_POUW_SPEC, r: 16, h: hw, w: hw };
    for (const s of [SHAPES[1]!, SHAPES[2]!, SHAPES[SHAPES.length - 1]!]) {
      const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('pa', s.m * s.k, 63), b: testMatrix('pb', s.k * s.n, 63) };
      const reps = s.m * s.k * s.n > 1e8 ? 5 : 20;
      const bare = await timeIt(() => be.matmul(job.a, job.b, s.m, s.k, s.n), reps);
      const mm = ticketMatmul({ parent, miner, round: 0, lane: 0, target: 0n, spec }, be);
      const full = await timeIt(() => mm(job), reps);
      console.log(`r=16 tile ${hw}x${hw} (not default) ${s.name.padEnd(14)} ${s.m}x${s.k}x${s.n}: bare ${(bare * 1e3).toFixed(2)} ms, full ticket path ${(full * 1e3).toFixed(2)} ms (+${((100 * (full - bare)) / bare).toFixed(1)}% over bare)`);
    }
  }
  // Freivalds against computing the job with the fastest backend
  for (const s of [SHAPES[1]!, SHAPES[2]!, SHAPES[SHAPES.length - 1]!, { name: '2048^3', m: 2048, k: 2048, n: 2048 }]) {
    const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('fa', s.m * s.k, 63), b: testMatrix('fb', s.k * s.n, 63) };
    const c = await be.matmul(job.a, job.b, s.m, s.k, s.n);
    const comp = await timeIt(() => be.matmul(job.a, job.b, s.m, s.k, s.n), s.m > 1024 ? 3 : 10);
    let ok = true;
    const fr = await timeIt(async () => { ok = freivalds(job, c, (n) => new Uint8Array(randomBytes(n))); }, 5);
    console.log(`freivalds JS ${s.m}x${s.k}x${s.n} (4 rounds, <= 2^-40): ${(fr * 1e3).toFixed(2)} ms vs product ${(comp * 1e3).toFixed(2)} ms on ${be.name} = 1/${(comp / fr).toFixed(2)} (goal <= 1/50) ${ok ? '' : 'REJECTED?!'}`);
    const fw = (be as { freivalds?: (j: typeof job, c: Int32Array, rb: (n: number) => Uint8Array) => Promise<boolean> }).freivalds;
    if (fw) {
      let okw = true;
      const frw = await timeIt(async () => { okw = await fw.call(be, job, c, (n) => new Uint8Array(randomBytes(n))); }, 10);
      console.log(`freivalds wasm ${s.m}x${s.k}x${s.n} (4 rounds, f64x2, all threads): ${(frw * 1e3).toFixed(2)} ms vs product ${(comp * 1e3).toFixed(2)} ms = 1/${(comp / frw).toFixed(2)} (goal <= 1/50) ${okw ? '' : 'REJECTED?!'}`);
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
    const v = await timeIt(async () => verifyTicket(t.proof, parent, target, spec), 20);
    console.log(`verifyTicket ${spec.h}x${spec.w} tile, k=${s.k}, r=${spec.r}: ${(v * 1e3).toFixed(2)} ms (${stats.tiles} tiles hashed for the job, ${wins.length} won at an easy target)`);
  }
  await be.close();
}
