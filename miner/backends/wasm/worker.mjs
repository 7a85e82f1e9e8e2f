// Worker thread of the WebAssembly SIMD backend (plain JS so it runs without a TypeScript loader).
// It instantiates the kernel module on the shared memory and runs the calls the host sends.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ex = instance.exports;

parentPort.on('message', (msg) => {
  try {
    for (const [fn, ...args] of msg.calls) ex[fn](...args);
    parentPort.postMessage({ id: msg.id });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: String(e && e.stack ? e.stack : e) });
  }
});
