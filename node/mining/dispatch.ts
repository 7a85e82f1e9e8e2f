// The miner worker's handling of one node -> miner message (node/mining/worker.ts), apart from the
// thread so that tests can drive a MinerLoop through the service's messages without starting one.
import type { MinerLoop } from '../../miner/loop.ts';
import type { FromMiner, ToMiner } from './messages.ts';

export function dispatchToMiner(loop: MinerLoop, m: ToMiner, send: (m: FromMiner) => void): void {
  if (m.type === 'work') loop.setWork(m.work);
  else if (m.type === 'stepData') {
    loop.getStepData(m.round, m.lane, m.step).then(
      (w) => {
        send({ type: 'stepData', id: m.id, ...(w ? { weights: [...w] } : {}) });
        send({ type: 'stats', stats: { ...loop.stats } });
      },
      (e: unknown) => send({ type: 'stepData', id: m.id, error: (e as Error)?.message ?? String(e) }),
    );
  } else if (m.type === 'restore') loop.restoreLanes(m.round, m.checkpoint, m.lanes, { ...(m.task ? { task: m.task } : {}), ...(m.data ? { data: m.data } : {}) });
  else if (m.type === 'stop') loop.stop();
}
