// A miner's answers to data requests (docs/validators.md "Data requests"): a validator that could
// not get one of this miner's lane leaves served asks for it on chain, and unless the leaf and its
// path land before the request's deadline the part is void and the bond slashed. On every head
// change the node looks at the pending requests on its own parts, reads the named lane's leaf (and
// its part's other leaves, for the path) from the leaf store (bucket laneLeaf) and pools and
// gossips an Answer. The answer costs a fee and pays the answerer the requester's bond.
// One answer per request; a request on a lane the store no longer has is logged, not answered.
import { bytesEqual, to0x, toHex } from '../../consensus/bytes.ts';
import type { PrivateKey } from '../../consensus/crypto/index.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import type { ChainParams } from '../../consensus/params.ts';
import { decodeSignedPart } from '../../consensus/training/part.ts';
import type { ChallengeTx, Tx } from '../../consensus/types.ts';
import { answerChallenge, lanePath, pendingRequests, roundBaseOf } from '../../vm/fraud-proofs.ts';
import type { Chain } from '../chain/chain.ts';
import type { Logger } from '../log/logger.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { LaneLeafStore } from './lane-leaves.ts';

export class RequestAnswerer {
  /** Requests answered (or given up on): `round/laneStart/lane/deadline`. */
  private readonly handled = new Set<string>();
  private work: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly opts: { key: PrivateKey; params: ChainParams },
    private readonly modules: { chain: Chain; mempool: Mempool; leaves: LaneLeafStore; publish?: (tx: Tx) => void; logger: Logger },
  ) {}

  /** Answers the requests on this miner's parts not answered yet (one run at a time); resolves to how many were pooled. */
  onHead(): Promise<number> {
    this.work = this.work.then(() => this.answerAll()).catch((e: unknown) => {
      this.modules.logger.error('answering data requests failed', { error: (e as Error).message });
      return 0;
    });
    return this.work;
  }

  private async answerAll(): Promise<number> {
    const { chain, mempool, leaves, logger } = this.modules;
    const t = this.opts.params.training;
    if (!t) return 0;
    const me = this.opts.key.address();
    let pooled = 0;
    const pending = pendingRequests(chain.state()).filter((r) => bytesEqual(r.miner, me));
    const live = new Set<string>();
    for (const { round, laneStart, request } of pending) {
      const id = `${round}/${laneStart}/${request.lane}/${request.deadline}`;
      live.add(id);
      if (this.handled.has(id)) continue;
      this.handled.add(id);
      const base = roundBaseOf(chain.state(), t, round);
      if (!base) continue; // the round left its window with the head moving on
      const part = decodeSignedPart(base.task, request.part);
      const got = await leaves.range(round, laneStart, part.laneCount);
      if (!got) {
        logger.warn('data request on a lane this node no longer has: not answered', { round, laneStart, lane: request.lane, deadline: request.deadline });
        continue;
      }
      const state = chain.state(); // read again after the await
      const meHex = toHex(me);
      const nonce = state.getAccount(me).nonce + mempool.list().filter((e) => e.senderHex === meHex).length;
      const tx: ChallengeTx = answerChallenge(
        { part: request.part, lane: request.lane, leaf: got[request.lane - laneStart]!, siblings: lanePath(laneStart, got, request.lane) },
        { chainId: this.opts.params.chainId, nonce, fee: this.opts.params.minFee },
        this.opts.key,
      );
      try {
        mempool.add(tx, state);
      } catch (e) {
        if (!isTesseraError(e)) throw e;
        logger.warn('answer to a data request not pooled', { round, laneStart, lane: request.lane, code: e.code });
        continue;
      }
      this.modules.publish?.(tx);
      pooled++;
      logger.info('data request answered', { round, laneStart, lane: request.lane, requester: to0x(request.requester), deadline: request.deadline });
    }
    for (const id of this.handled) if (!live.has(id)) this.handled.delete(id);
    return pooled;
  }
}
