// A validator's client of the miners' served data: the step-data protocol's client
// (Network.fetchStepData, node/network/step-data.ts), which proves the lane's leaf against the part's
// lanesRoot and W_{R,m,lane,s} against the leaf's root before handing them over. The peer that served
// a miner's lanes is remembered and asked first next time (only the miner's node keeps them).
// Requests go one at a time, at least `minGapMs` apart (default 150 ms), under the peers' rate limit
// of 10 requests a second, so an honest validator is never charged for asking.
import { toHex } from '../../consensus/bytes.ts';
import type { LaneOpening, PartHeader } from '../../consensus/training/part.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { encodeLaneOpening } from '../network/messages.ts';
import type { Network } from '../network/network.ts';
import type { CheckedStepData } from '../network/step-data.ts';
import type { ServedData } from './service.ts';

export class P2PServedData implements ServedData {
  private readonly minerPeer = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private lastAsk = 0;
  /** Bytes received (leaves and step data), for the bench and the status. */
  bytes = 0;

  constructor(
    private readonly opts: { task: TrainingTask; minGapMs?: number },
    private readonly modules: { network: Network },
  ) {}

  async opening(part: PartHeader, lane: number): Promise<LaneOpening | undefined> {
    return (await this.fetch(part, lane, 0, false))?.opening;
  }

  async stepData(part: PartHeader, lane: number, step: number): Promise<Int32Array[] | undefined> {
    const got = await this.fetch(part, lane, step, true);
    return got?.weights ? [...got.weights] : undefined;
  }

  private fetch(part: PartHeader, lane: number, step: number, weights: boolean): Promise<CheckedStepData | undefined> {
    const run = async (): Promise<CheckedStepData | undefined> => {
      const wait = this.lastAsk + (this.opts.minGapMs ?? 150) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastAsk = Date.now();
      const m = toHex(part.miner);
      const known = this.minerPeer.get(m);
      const q = { part, lane, step };
      const o = { weights, task: this.opts.task };
      try {
        const got = known !== undefined
          ? await this.modules.network.fetchStepData(q, { ...o, peer: known }).catch(() => this.modules.network.fetchStepData(q, o))
          : await this.modules.network.fetchStepData(q, o);
        this.minerPeer.set(m, got.peer);
        this.bytes += encodeLaneOpening(got.opening).length + (got.weights ?? []).reduce((n, w) => n + w.byteLength, 0);
        return got;
      } catch {
        return undefined; // not served (or not by anyone reachable): the validator recomputes or attests "unavailable"
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }
}
