// Request/response over libp2p streams: one request per stream, length-prefixed frames
// (messages.ts). Protocols are named with the genesis hash, like topics:
//   /tessera/<genesis>/req/<name>/<version>   name: status, headers, blocks-range, blocks-hash (1),
//                                             step-data (2: lane openings of v2 parts)
// Server side: per-peer, per-protocol rate limit first (peers.ts), then the request's decode and
// caps, then the answer; a peer over its rate gets RATE_LIMITED and is charged, a request that
// does not decode gets BAD_REQUEST and is charged. Client side: requests are paced under the rate
// every node serves (pace()), every read has a deadline and a frame cap, every response is checked
// against what was asked (sync.ts checks the chain links).
import type { Libp2p, PeerId, Stream } from '@libp2p/interface';
import { lpStream } from 'it-length-prefixed-stream';
import { isTesseraError } from '../../consensus/errors.ts';
import { bytesEqual, toHex } from '../../consensus/bytes.ts';
import { encodeHeader } from '../../consensus/encoding/index.ts';
import { openLanes, type LaneLeaf, type LaneOpening } from '../../consensus/training/part.ts';
import type { Chain } from '../chain/chain.ts';
import type { Logger } from '../log/logger.ts';
import { NetworkError, NetworkErrorCode } from './errors.ts';
import {
  decodeRequest, decodeResponseCode, decodeStatus, encodeLaneOpening, encodeRequest, encodeResponseCode, encodeStatus, encodeStepData,
  MAX_REQUEST_BYTES, NetTag, ResponseCode, type Request, type StatusMsg, type StepDataRequest,
} from './messages.ts';
import { REQUEST_RATE, type PeerManager } from './peers.ts';

export type ProtocolName = 'status' | 'headers' | 'blocks-range' | 'blocks-hash' | 'step-data';
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['status', 'headers', 'blocks-range', 'blocks-hash', 'step-data'];

/** Protocol versions: step-data is 2 (v2 parts: the lane's opening, then W). */
const PROTOCOL_VERSION: Readonly<Record<ProtocolName, number>> = { status: 1, headers: 1, 'blocks-range': 1, 'blocks-hash': 1, 'step-data': 2 };

export function protocolId(genesis: Uint8Array, name: ProtocolName): string {
  return `/tessera/${toHex(genesis)}/req/${name}/${PROTOCOL_VERSION[name]}`;
}

/** What a mining node serves per-step data from: its miner's finished lanes. */
export interface StepDataSource {
  /** The miner whose lanes these are. */
  readonly miner: Uint8Array;
  /** Leaves of lanes laneStart .. laneStart + laneCount - 1 of `round`; undefined when one is not kept. */
  leaves(round: number, laneStart: number, laneCount: number): Promise<readonly LaneLeaf[] | undefined>;
  /** W_{R,m,lane,step} (step in [0, H]; H: the final weights), checked against the lane's committed root; undefined when not kept. */
  weights(round: number, lane: number, step: number): Promise<readonly Int32Array[] | undefined>;
}


const REQUEST_FOR: Readonly<Record<Exclude<ProtocolName, 'status'>, NetTag>> = {
  headers: NetTag.HeadersByRange,
  'blocks-range': NetTag.BlocksByRange,
  'blocks-hash': NetTag.BlocksByHash,
  'step-data': NetTag.StepData,
};

export interface ReqRespModules {
  chain: Chain;
  peers: PeerManager;
  logger: Logger;
  /** Our status, sent with every status request and answer. */
  status: () => StatusMsg;
  /** A peer told us its status. */
  onStatus: (peer: string, s: StatusMsg) => void;
  /** Per-step data of this node's miner (absent when not mining). */
  stepData?: StepDataSource;
}

export interface ReqRespOpts {
  genesis: Uint8Array;
  /** Largest frame of a response (a block). */
  maxFrameBytes: number;
  /** Deadline of one request, in ms (default 10 s). */
  timeoutMs?: number;
}

/** This node's own request pace per peer and protocol: under the rate every node serves (peers.ts). */
const PACE = { perSecond: 0.8 * REQUEST_RATE.perSecond, burst: REQUEST_RATE.burst / 2 };

export class ReqResp {
  /** Turns taken per `${peer} ${protocol}` (pace()). */
  private readonly sent = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly opts: ReqRespOpts,
    private readonly modules: ReqRespModules,
  ) {}

  async register(node: Libp2p): Promise<void> {
    for (const name of PROTOCOL_NAMES)
      await node.handle(protocolId(this.opts.genesis, name), ({ stream, connection }) => void this.serve(name, stream, connection.remotePeer.toString()), {
        maxInboundStreams: 16,
        maxOutboundStreams: 16,
      });
  }

  private async serve(name: ProtocolName, stream: Stream, peer: string): Promise<void> {
    const { peers } = this.modules;
    const lp = lpStream(stream, { maxDataLength: Math.max(MAX_REQUEST_BYTES, this.opts.maxFrameBytes) });
    const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    try {
      const reqBytes = (await lp.read({ signal })).subarray();
      if (!peers.allowRequest(peer, name)) {
        peers.penalize(peer, 'rateLimited', NetworkErrorCode.RATE_LIMITED);
        await lp.write(encodeResponseCode(ResponseCode.RATE_LIMITED), { signal });
        await stream.close();
        return;
      }
      let frames: Uint8Array[];
      try {
        frames = await this.answer(name, reqBytes, peer);
      } catch (e) {
        if (!isTesseraError(e)) throw e;
        peers.penalize(peer, 'badRequest', e.code);
        await lp.write(encodeResponseCode(ResponseCode.BAD_REQUEST), { signal });
        await stream.close();
        return;
      }
      await lp.write(encodeResponseCode(ResponseCode.OK), { signal });
      for (const f of frames) await lp.write(f, { signal });
      await stream.close();
    } catch (e) {
      this.modules.logger.debug('request stream failed', { peer, protocol: name, error: (e as Error).message });
      stream.abort(e as Error);
    }
  }

  /** The response frames of one request (throws typed errors for bad requests). */
  private async answer(name: ProtocolName, reqBytes: Uint8Array, peer: string): Promise<Uint8Array[]> {
    const { chain } = this.modules;
    if (name === 'status') {
      const s = decodeStatus(reqBytes);
      this.modules.onStatus(peer, s);
      return [encodeStatus(this.modules.status())];
    }
    const q = decodeRequest(reqBytes);
    if (q.type !== REQUEST_FOR[name]) throw new NetworkError(NetworkErrorCode.BAD_REQUEST, { protocol: name, reason: `request type ${q.type}` });
    switch (q.type) {
      case NetTag.HeadersByRange: {
        const out: Uint8Array[] = [];
        for (let h = q.start; h < q.start + q.count; h++) {
          const hash = await chain.getCanonicalHash(h);
          const b = hash && (await chain.getBlock(hash));
          if (!b) break;
          out.push(encodeHeader(b.header));
        }
        return out;
      }
      case NetTag.BlocksByRange: {
        const out: Uint8Array[] = [];
        for (let h = q.start; h < q.start + q.count; h++) {
          const hash = await chain.getCanonicalHash(h);
          const b = hash && (await chain.getBlockBytes(hash));
          if (!b) break;
          out.push(b);
        }
        return out;
      }
      case NetTag.BlocksByHash: {
        const out: Uint8Array[] = [];
        for (const hash of q.hashes) {
          const b = await chain.getBlockBytes(hash);
          if (b) out.push(b);
        }
        return out;
      }
      case NetTag.StepData: {
        const src = this.modules.stepData;
        if (!src || !bytesEqual(q.miner, src.miner)) return [];
        const opening = await this.openLane(src, q);
        if (!opening) return [];
        const w = await src.weights(q.round, q.lane, q.step).catch(() => undefined);
        return w ? [encodeLaneOpening(opening), encodeStepData(w)] : [encodeLaneOpening(opening)];
      }
    }
  }

  /**
   * The lane's leaf and its path in the part's lanesRoot, from the kept leaves (undefined when one
   * is missing). Reads and hashes laneCount leaves: bounded by the lanes this node's miner kept, and
   * by the per-peer request rate.
   */
  private async openLane(src: StepDataSource, q: StepDataRequest): Promise<LaneOpening | undefined> {
    const leaves = await src.leaves(q.round, q.laneStart, q.laneCount);
    return leaves ? openLanes(q.laneStart, leaves, [q.lane])[0] : undefined;
  }

  /**
   * Milliseconds to wait before the next request to `peer` on `name`, and takes its turn: requests
   * keep to PACE (80% of the rate every node serves, half its burst), however many callers ask at
   * once (an ancestor walk per orphan, a range sync, a validator's step data), so this node never
   * meets RATE_LIMITED from an honest peer nor is charged for a flood. A debt of turns queues the
   * callers in order.
   */
  private pace(peer: string, name: ProtocolName): number {
    const k = `${peer} ${name}`;
    const t = performance.now();
    const b = this.sent.get(k) ?? { tokens: PACE.burst, at: t };
    b.tokens = Math.min(PACE.burst, b.tokens + ((t - b.at) / 1000) * PACE.perSecond) - 1;
    b.at = t;
    this.sent.set(k, b);
    if (this.sent.size > 4096) for (const [key, x] of this.sent) if (x.tokens >= 0 && t - x.at > 10_000) this.sent.delete(key);
    return b.tokens >= 0 ? 0 : (-b.tokens / PACE.perSecond) * 1000;
  }

  /**
   * Sends one request and returns the response's item frames (at most `maxFrames`). Throws
   * NetworkError: RATE_LIMITED / BAD_REQUEST when the peer answered so, TIMEOUT when it did not
   * answer in time, BAD_RESPONSE for frames that do not decode or too many of them.
   */
  async request(node: Libp2p, peer: PeerId, name: ProtocolName, req: Request | StatusMsg, maxFrames: number): Promise<Uint8Array[]> {
    const wait = this.pace(peer.toString(), name);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    const reqBytes = name === 'status' ? encodeStatus(req as StatusMsg) : encodeRequest(req as Request);
    let stream: Stream;
    try {
      stream = await node.dialProtocol(peer, protocolId(this.opts.genesis, name), { signal });
    } catch (e) {
      throw new NetworkError(NetworkErrorCode.TIMEOUT, { peer: peer.toString(), protocol: name, reason: (e as Error).message });
    }
    const lp = lpStream(stream, { maxDataLength: this.opts.maxFrameBytes });
    try {
      await lp.write(reqBytes, { signal });
      await stream.closeWrite({ signal });
      let code: ResponseCode;
      try {
        code = decodeResponseCode((await lp.read({ signal })).subarray());
      } catch (e) {
        throw isTesseraError(e) ? new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer: peer.toString(), protocol: name, cause: e.code }) : e;
      }
      if (code === ResponseCode.RATE_LIMITED) throw new NetworkError(NetworkErrorCode.RATE_LIMITED, { peer: peer.toString(), protocol: name });
      if (code !== ResponseCode.OK) throw new NetworkError(NetworkErrorCode.BAD_REQUEST, { peer: peer.toString(), protocol: name, reason: `answer ${code}` });
      const frames: Uint8Array[] = [];
      for (;;) {
        let f: Uint8Array;
        try {
          f = (await lp.read({ signal })).subarray();
        } catch (e) {
          if ((e as Error).name === 'UnexpectedEOFError' || (e as { code?: string }).code === 'ERR_UNEXPECTED_EOF') break;
          if ((e as Error).name.startsWith('Invalid')) throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer: peer.toString(), protocol: name, reason: 'frame too large' });
          throw e;
        }
        if (frames.length >= maxFrames) throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer: peer.toString(), protocol: name, reason: `more than ${maxFrames} frames` });
        frames.push(f);
      }
      await stream.close().catch(() => {});
      return frames;
    } catch (e) {
      stream.abort(e as Error);
      if (isTesseraError(e)) throw e;
      throw new NetworkError(NetworkErrorCode.TIMEOUT, { peer: peer.toString(), protocol: name, reason: (e as Error).message });
    }
  }
}
