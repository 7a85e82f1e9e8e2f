// A validator's client of the miners' served data over request/response (node/network/reqresp.ts):
// lane leaves are asked of every connected peer in turn with the miner's address in the request
// (only the miner's node answers), until one answers leaves that prove against the part's lanesRoot
// (a peer answering junk is passed over); the peer that served a miner's leaves is remembered, and W_s is
// asked of that peer only (no other node keeps it), checked against the leaf's root before use.
// Requests are paced under the peers' rate limits (Network.askPeers).
import { bytesEqual, toHex } from '../../consensus/bytes.ts';
import { weightsRoot } from '../../consensus/training/checkpoint.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { decodeServedLeaf, decodeStepData, MAX_LANE_LEAVES, NetTag, type ServedLeaf } from '../network/messages.ts';
import type { Network } from '../network/network.ts';
import type { ServedData } from './service.ts';

export class P2PServedData implements ServedData {
  private readonly minerPeer = new Map<string, string>();
  /** Bytes received (leaves and step data), for the bench and the status. */
  bytes = 0;

  constructor(
    private readonly opts: { task: TrainingTask },
    private readonly modules: { network: Network },
  ) {}

  async laneLeaves(round: number, miner: Uint8Array, lane: number, count: number, verify: (x: ServedLeaf) => boolean): Promise<ServedLeaf[]> {
    const { task } = this.opts;
    const m = toHex(miner);
    const got = await this.modules.network.askPeers(
      'lane-leaves', { type: NetTag.LaneLeaves, round, miner, lane, count: Math.min(count, MAX_LANE_LEAVES) }, MAX_LANE_LEAVES,
      (frames, peer) => {
        if (frames.length === 0) return undefined;
        const out: ServedLeaf[] = [];
        for (const f of frames) {
          try {
            const x = decodeServedLeaf(f, task);
            this.bytes += f.length;
            if (verify(x)) out.push(x);
          } catch {
            return undefined;
          }
        }
        if (out.length === 0) return undefined; // nothing that proves against the part: ask the next peer
        this.minerPeer.set(m, peer);
        return out;
      },
      { ...(this.minerPeer.has(m) ? { prefer: this.minerPeer.get(m)! } : {}) },
    );
    return got ?? [];
  }

  async stepData(round: number, miner: Uint8Array, lane: number, step: number, root: Uint8Array): Promise<Int32Array[] | undefined> {
    const { task } = this.opts;
    const peer = this.minerPeer.get(toHex(miner));
    if (!peer) return undefined;
    const sizes = Array.from({ length: layerCount(task) }, (_, l) => layerSize(task, l));
    return this.modules.network.askPeers('step-data', { type: NetTag.StepData, round, lane, step }, 1, (frames) => {
      if (frames.length !== 1) return undefined;
      try {
        const w = decodeStepData(frames[0]!, sizes);
        this.bytes += frames[0]!.length;
        return bytesEqual(weightsRoot(task, w), root) ? w : undefined;
      } catch {
        return undefined;
      }
    }, { only: peer });
  }
}
