// Worker thread of the WebAssembly SIMD backend (plain JS so it runs without a TypeScript loader).
// It instantiates the kernel module on the shared memory and runs the jobs the host writes into its
// slot of the shared job buffer: it waits on the job counter (a short spin, then Atomics.wait), never
// in its event loop, so a job costs no message. A job is phases of shared tasks: every thread takes the
// next task of a phase (an atomic counter) until none is left, and a phase starts when every task of
// the one before is done; a thread that runs late only finds fewer tasks (backend.ts phases()).
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctl: ctlBuf, jobs: jobsBuf, slot, slotInts, fns } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ex = instance.exports;
const fn = fns.map((name) => ex[name]);
const ctl = new Int32Array(ctlBuf);
const job = new Int32Array(jobsBuf, slot * slotInts * 4, slotInts);
// control words (backend.ts): [1] a call failed, [2] job counter, [3] quit, [FINISHED] workers that left
// the current job, [NEXT + p] next task of phase p, [DONE + p] tasks of phase p done
const FINISHED = 4, NEXT = 8, DONE = 16;
const SPIN = 100;
const JOB_SPIN = 2000;

/** Waits until ctl[word] >= target (a short spin, then Atomics.wait). */
function waitFor(word, target) {
  let spins = 0;
  for (;;) {
    const v = Atomics.load(ctl, word);
    if (v >= target) return;
    if (++spins > SPIN) Atomics.wait(ctl, word, v, 50);
  }
}

/** The calls at `at` (count, then per call: fn, argc, args...) as [fn, args]; and the offset after them. */
function readCalls(at) {
  const count = job[at++];
  const calls = [];
  for (let c = 0; c < count; c++) {
    const f = job[at], argc = job[at + 1];
    calls.push([fn[f], Array.from(job.subarray(at + 2, at + 2 + argc))]);
    at += 2 + argc;
  }
  return [calls, at];
}

/** One job from the slot: [id, phases, then per phase: tasks, then per task its calls]. */
function runJob() {
  const id = job[0], phases = job[1];
  let at = 2;
  let error;
  let before = 0;
  for (let p = 0; p < phases; p++) {
    const tasks = job[at++];
    const starts = [];
    for (let x = 0; x < tasks; x++) {
      starts.push(at);
      at = readCalls(at)[1];
    }
    if (p > 0) waitFor(DONE + p - 1, before);
    for (let x = Atomics.add(ctl, NEXT + p, 1); x < tasks; x = Atomics.add(ctl, NEXT + p, 1)) {
      if (error === undefined)
        try {
          for (const [f, args] of readCalls(starts[x])[0]) f(...args);
        } catch (e) {
          error = String(e && e.stack ? e.stack : e);
          parentPort.postMessage({ id, error });
          Atomics.store(ctl, 1, 1);
        }
      if (Atomics.add(ctl, DONE + p, 1) + 1 === tasks) Atomics.notify(ctl, DONE + p);
    }
    before = tasks;
  }
  Atomics.add(ctl, FINISHED, 1);
  Atomics.notify(ctl, FINISHED);
}

// 0, not the counter now: a job posted before this thread started is still new to it
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, 2) === seen) if (++spins > JOB_SPIN) Atomics.wait(ctl, 2, seen, 1000);
  if (Atomics.load(ctl, 3) !== 0) break;
  seen = Atomics.load(ctl, 2);
  runJob();
}
