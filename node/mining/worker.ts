// The miner worker thread: loads the task's data (MNIST), picks the compute backend (the fastest
// that passes its bit-exactness self-test), and runs miner/loop.ts, relaying its events to the
// node. Started by node/mining/service.ts; the node's event loop stays free for imports and RPC.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeTicket } from '../../consensus/pouw/ticket.ts';
import { loadMnist, MNIST_DIM } from '../../genesis/datasets/mnist.ts';
import { createBackend } from '../../miner/backends/index.ts';
import { MinerLoop } from '../../miner/loop.ts';
import { dispatchToMiner } from './dispatch.ts';
import type { FromMiner, MinerWorkerData, ToMiner } from './messages.ts';

const port = parentPort!;
const send = (m: FromMiner): void => port.postMessage(m);

async function main(): Promise<void> {
  const d = workerData as MinerWorkerData;
  if (d.task.layers[0] !== MNIST_DIM) throw new Error(`task ${d.task.name} does not take MNIST inputs (${d.task.layers[0]} != ${MNIST_DIM})`);
  const { train } = loadMnist();
  const { backend: backendName, threads, ...loopOpts } = d;
  const backend = await createBackend(backendName, threads ? { threads } : {});
  const loop = new MinerLoop(
    loopOpts,
    {
      backend,
      data: train,
      events: {
        ticket: (t) => send({ type: 'ticket', seal: encodeTicket(t.proof), parent: t.parent, filler: t.filler }),
        contribution: (c) => send({ type: 'contribution', ...c }),
        stats: (s) => send({ type: 'stats', stats: s }),
      },
    },
  );
  port.on('message', (m: ToMiner) => dispatchToMiner(loop, m, send));
  send({ type: 'ready', backend: backend.name, detail: backend.detail, trainSamples: train.n });
  await loop.run();
  await backend.close();
  send({ type: 'stopped' });
  port.close();
}

main().catch((e: unknown) => {
  send({ type: 'error', message: (e as Error)?.stack ?? String(e) });
  port.close();
});
