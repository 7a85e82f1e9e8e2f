// Worker thread of the WebAssembly SIMD backend (plain JS so it runs without a TypeScript loader).
// It instantiates the kernel module on the shared memory and runs the calls the host writes into its
// slot of the shared job buffer: the worker waits on the job counter (a short spin, then Atomics.wait),
// never in its event loop, so a job costs no message and no event-loop wake-up. Between phases it meets
// the other threads at a barrier on the shared control words (a short spin, then Atomics.wait).
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctl: ctlBuf, jobs: jobsBuf, slot, slotInts, fns } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ex = instance.exports;
const fn = fns.map((name) => ex[name]);
const ctl = new Int32Array(ctlBuf);
const job = new Int32Array(jobsBuf, slot * slotInts * 4, slotInts);
// ctl[0]: arrivals of the current job (reset by the host between jobs); ctl[1]: set when a call failed;
// ctl[2]: job counter (the host bumps it when every worker's slot holds the next job); ctl[3]: quit;
// ctl[4 + p]: the next shared task of phase p
const SPIN = 100;
const JOB_SPIN = 2000;
const TASK_COUNTER = 4; // ctl[4 + p]: the next shared task of phase p (backend.ts)

function barrier(target) {
  if (Atomics.add(ctl, 0, 1) + 1 >= target) {
    Atomics.notify(ctl, 0);
    return;
  }
  let spins = 0;
  for (;;) {
    const v = Atomics.load(ctl, 0);
    if (v >= target) return;
    if (++spins > SPIN) Atomics.wait(ctl, 0, v, 50);
  }
}

/** Reads `count` calls at `at`: returns [calls as [fn, args], next offset]. */
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

/**
 * Runs one job from the slot: [id, threads, phases, then per phase: this thread's calls, then the
 * phase's shared tasks (count, then each task's calls), whichever thread comes first taking the next
 * (ctl[TASK_COUNTER + p]); calls as count, then per call: fn, argc, args...].
 */
function runJob() {
  const id = job[0], threads = job[1], phases = job[2];
  let at = 3;
  let error;
  const run = (calls) => {
    if (error !== undefined) return;
    try {
      for (const [f, args] of calls) f(...args);
    } catch (e) {
      error = String(e && e.stack ? e.stack : e);
      Atomics.store(ctl, 1, 1);
      parentPort.postMessage({ id, error });
    }
  };
  for (let p = 0; p < phases; p++) {
    let own;
    [own, at] = readCalls(at);
    run(own);
    const tasks = job[at++];
    const starts = [];
    for (let x = 0; x < tasks; x++) {
      starts.push(at);
      at = readCalls(at)[1];
    }
    if (error === undefined)
      for (let x = Atomics.add(ctl, TASK_COUNTER + p, 1); x < tasks; x = Atomics.add(ctl, TASK_COUNTER + p, 1)) run(readCalls(starts[x])[0]);
    if (p < phases - 1) barrier(threads * (p + 1));
  }
  // the last arrival (the host waits for all of them)
  if (Atomics.add(ctl, 0, 1) + 1 >= threads * phases) Atomics.notify(ctl, 0);
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
