// What the hardening rules cost per ticket, against the product the ticket is for (one run, medians):
//  - the pouw/v2 seed: the job's operand roots (A's rows and B's columns as Merkle leaves, two matrix
//    roots) and the seed hash, computed once per ticket job before the noise;
//  - the header signature: signing one header (once per mined block) and verifying it (once per
//    imported block, before the seal);
// each against the bare product of the job and the full ticket path on the fastest backend, for the
// devnet's ticket jobs at r = 8 and r = 16. Expected: negligible (roots hash m·k + k·n bytes against
// m·k·n MACs; a signature is a fixed ~0.1 ms).
import os from 'node:os';
import { PrivateKey } from '../consensus/crypto/keys.ts';
import { signHeader, verifyHeaderSignature } from '../consensus/crypto/header-signature.ts';
import { sha256 } from '../consensus/hash.ts';
import { u32be } from '../consensus/bytes.ts';
import { jobRoots } from '../consensus/pouw/operands.ts';
import { pouwSeed } from '../consensus/pouw/seed.ts';
import { DEFAULT_POUW_SPEC, type PouwSpec } from '../consensus/pouw/spec.ts';
import { encodeTicket } from '../consensus/pouw/ticket.ts';
import { verifyTicket } from '../consensus/pouw/verify.ts';
import type { BlockHeader } from '../consensus/types.ts';
import { createBackend } from '../miner/backends/index.ts';
import { testMatrix } from '../miner/backends/selftest.ts';
import { ticketMatmul, type WinningTicket } from '../miner/ticket-matmul.ts';
import { quick, repeat } from './lib/repeat.ts';

/** Median seconds of repeated runs (bench/lib/repeat.ts: a warm-up, then RUNS timed runs). */
const timeIt = async (fn: () => unknown): Promise<number> => (await repeat(fn)).median / 1000;

const JOBS = [
  { name: 'X·W1 B=256', m: 256, k: 784, n: 128 },
  { name: 'X^T·dZ1 B=256', m: 784, k: 256, n: 128 },
];

const ratio = (x: number, of: number): string => `${((100 * x) / of).toFixed(3)}%`;

export default async function (): Promise<void> {
  const be = await createBackend('auto');
  console.log(`backend: ${be.name} (${be.detail}); load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (shared machine)`);
  const parent = sha256(u32be(7));
  const key = PrivateKey.fromBytes(sha256(u32be(11)));
  const miner = key.address();
  for (const s of quick ? JOBS.slice(0, 1) : JOBS) {
    const job = { step: 0, jobId: 0, m: s.m, k: s.k, n: s.n, a: testMatrix('ta', s.m * s.k, 63), b: testMatrix('tb', s.k * s.n, 63) };
    const bare = await timeIt(() => be.matmul(job.a, job.b, s.m, s.k, s.n));
    const roots = await timeIt(async () => jobRoots(job));
    const ops = jobRoots(job);
    const seedOnly = await timeIt(async () => pouwSeed({ parent, miner, round: 0, lane: 0, step: 0, jobId: 0, rootA: ops.rootA, rootB: ops.rootB }));
    for (const r of [8, 16]) {
      const spec: PouwSpec = { ...DEFAULT_POUW_SPEC, r };
      // the ticket path as a training step calls it (roots handed over) and as a filler job does (computed)
      const given = await timeIt(() => ticketMatmul({ parent, miner, round: 0, lane: 0, target: 0n, spec }, be)({ ...job, roots: ops }));
      const computed = await timeIt(() => ticketMatmul({ parent, miner, round: 0, lane: 0, target: 0n, spec }, be)(job));
      console.log(
        `r=${r} ${s.name.padEnd(14)} ${s.m}x${s.k}x${s.n}: bare product ${(bare * 1e3).toFixed(2)} ms, ticket path ${(given * 1e3).toFixed(2)} ms (+${((100 * (given - bare)) / bare).toFixed(1)}%); ` +
          `v2 seed: hash ${(seedOnly * 1e3).toFixed(4)} ms (${ratio(seedOnly, given)} of the path) + operand roots ${(roots * 1e3).toFixed(3)} ms (${ratio(roots, bare)} of the bare product, ${ratio(roots, given)} of the path; ` +
          `a training step computes them for its contribution anyway and hands them over; a filler job pays them: path ${(computed * 1e3).toFixed(2)} ms)`,
      );
      // one winning ticket at an easy target, for the header's size and the signature
      const wins: WinningTicket[] = [];
      const easy = (1n << 256n) / BigInt(spec.h * spec.w * s.k) / 8n;
      await ticketMatmul({ parent, miner, round: 0, lane: 0, target: easy, spec }, be, (t) => wins.push(t))(job);
      const t = wins[0];
      if (!t) continue;
      const header: BlockHeader = {
        version: 1, chainId: 7001, height: 1, parent, time: 1_767_225_610, stateRoot: sha256(u32be(1)), txRoot: sha256(u32be(2)),
        contributionsRoot: sha256(u32be(3)), checkpointRoot: sha256(u32be(4)), target: easy, seal: encodeTicket(t.proof), miner, sig: new Uint8Array(0),
      };
      const signed = signHeader(header, key);
      const sign = await timeIt(async () => signHeader(header, key));
      const verify = await timeIt(async () => verifyHeaderSignature(signed));
      const vt = await timeIt(async () => verifyTicket(t.proof, parent, easy, spec));
      console.log(
        `r=${r} ${s.name.padEnd(14)} header with its ticket (${header.seal.length} B): sign ${(sign * 1e3).toFixed(3)} ms (once per mined block; ${ratio(sign, given)} of one job's ticket path), ` +
          `verify ${(verify * 1e3).toFixed(3)} ms (once per imported block, before the seal: ${ratio(verify, vt)} of verifyTicket ${(vt * 1e3).toFixed(2)} ms)`,
      );
    }
  }
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await be.close();
}
