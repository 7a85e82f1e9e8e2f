// Worker thread of the WebAssembly SIMD backend (plain JS so it runs without a TypeScript loader).
// It instantiates the kernel module on the shared memory and runs the calls the host sends: one message
// per job holding every phase's calls; between phases it meets the other threads at a barrier on the
// shared control words (Atomics: a short spin, then wait), so a job costs one message, not one per phase.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctl: ctlBuf } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ex = instance.exports;
const ctl = new Int32Array(ctlBuf);
// ctl[0]: arrivals of the current job (reset by the host between jobs); ctl[1]: set when a call failed
const SPIN = 100;

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

parentPort.on('message', (msg) => {
  const { id, phases, threads } = msg;
  let error;
  for (let p = 0; p < phases.length; p++) {
    if (error === undefined)
      try {
        for (const [fn, ...args] of phases[p]) ex[fn](...args);
      } catch (e) {
        error = String(e && e.stack ? e.stack : e);
        Atomics.store(ctl, 1, 1);
        parentPort.postMessage({ id, error });
      }
    if (p < phases.length - 1) barrier(threads * (p + 1));
  }
  // the last arrival (the host waits for all of them)
  if (Atomics.add(ctl, 0, 1) + 1 >= threads * phases.length) Atomics.notify(ctl, 0);
});
