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
// ctl[2]: job counter (the host bumps it when every worker's slot holds the next job); ctl[3]: quit
const SPIN = 100;
const JOB_SPIN = 2000;

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

/** Runs one job from the slot: [id, threads, phases, then per phase: calls, then per call: fn, argc, args...]. */
function runJob() {
  const id = job[0], threads = job[1], phases = job[2];
  let at = 3;
  let error;
  for (let p = 0; p < phases; p++) {
    const calls = job[at++];
    for (let c = 0; c < calls; c++) {
      const f = job[at], argc = job[at + 1];
      const args = Array.from(job.subarray(at + 2, at + 2 + argc));
      at += 2 + argc;
      if (error === undefined)
        try {
          fn[f](...args);
        } catch (e) {
          error = String(e && e.stack ? e.stack : e);
          Atomics.store(ctl, 1, 1);
          parentPort.postMessage({ id, error });
        }
    }
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
