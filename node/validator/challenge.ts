// A validator's challenges (DESIGN.md "Validators"): a finding (service.ts) becomes a signed
// Challenge tx through the consensus builders (vm/fraud-proofs.ts: stepChallenge for a wrong step or
// a lane that does not start at W_R, aggregateChallenge at the first wrong element of D), dry-run
// against the head state with the VM's own judge (a challenge the VM would refuse, or would find
// honest, is not sent: a false claim costs the challenge bond), then pooled and gossiped on the
// `challenges` topic, where mining nodes pool it for their blocks. One challenge per part: the VM
// voids a part once. A `request` finding (a leaf not served) becomes a data request (requestChallenge):
// one per part besides the proof, which an answered leaf may still call for. The outcome is read back
// from the state (partVoidOf).
import { to0x } from '../../consensus/bytes.ts';
import type { PrivateKey } from '../../consensus/crypto/index.ts';
import { txHash } from '../../consensus/encoding/index.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { ChallengeTx, Tx } from '../../consensus/types.ts';
import { aggregateChallenge, judge, partVoidOf, requestChallenge, stepChallenge } from '../../vm/fraud-proofs.ts';
import type { Chain } from '../chain/chain.ts';
import type { Logger } from '../log/logger.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { Finding } from './service.ts';

export type ChallengeOutcome =
  /** Pooled and gossiped; `voided` once the part is void in the head state. */
  | { readonly status: 'submitted'; readonly tx: string; readonly voided?: boolean }
  /** Not sent: the VM's dry run refused it (typed code) or found no fraud. */
  | { readonly status: 'refused'; readonly code: string }
  | { readonly status: 'not-fraud' };

export class Challenger {
  private readonly sent = new Map<string, ChallengeOutcome>();

  constructor(
    private readonly opts: { key: PrivateKey; params: ChainParams },
    private readonly modules: { chain: Chain; mempool: Mempool; publish?: (tx: Tx) => void; logger: Logger },
  ) {}

  private partId(f: Finding): string {
    return `${f.round}/${to0x(f.miner)}/${f.laneStart}/${f.kind === 'request' ? 'request' : 'proof'}`;
  }

  /** The tx for a finding (unsigned fields from the head state: nonce after the pooled ones, fee = minFee). */
  build(f: Finding): ChallengeTx | undefined {
    const { chain, mempool } = this.modules;
    const p = this.opts.params;
    const me = this.opts.key.address();
    const meHex = to0x(me).slice(2);
    const nonce = chain.state().getAccount(me).nonce + mempool.list().filter((e) => e.senderHex === meHex).length;
    const fields = { chainId: p.chainId, nonce, fee: p.minFee };
    if (f.kind === 'request') return requestChallenge({ part: f.partBytes, lane: f.lane }, fields, this.opts.key);
    if ((f.kind === 'step' || f.kind === 'base') && f.opening && f.weights && f.step !== undefined)
      return stepChallenge({ part: f.partBytes, lane: f.lane, step: f.step, leaf: f.opening.leaf, siblings: f.opening.siblings, weights: f.weights }, fields, this.opts.key);
    if (f.kind === 'aggregate' && f.aggregate)
      return aggregateChallenge(p.training!.task, { part: f.partBytes, index: f.aggregate.index, baseWeights: f.aggregate.baseWeights, leaves: f.aggregate.leaves, finals: f.aggregate.finals }, fields, this.opts.key);
    return undefined;
  }

  /** Challenges the part of `f` (once per part): the outcome. */
  submit(f: Finding): ChallengeOutcome {
    const id = this.partId(f);
    const had = this.sent.get(id);
    if (had && had.status === 'submitted') return had;
    const { chain, mempool, logger } = this.modules;
    const tx = this.build(f);
    if (!tx) return this.keep(id, { status: 'refused', code: 'NO_EVIDENCE' });
    const state = chain.state();
    try {
      const v = judge(state, this.opts.params, tx, chain.head().header.height + 1);
      if (!v.fraud && f.kind !== 'request') {
        logger.error('validator: the VM finds no fraud in a finding (not challenged)', { round: f.round, miner: to0x(f.miner), lane: f.lane, kind: f.kind });
        return this.keep(id, { status: 'not-fraud' });
      }
      mempool.add(tx, state);
    } catch (e) {
      if (!isTesseraError(e)) throw e;
      logger.warn('validator: challenge not sent', { round: f.round, miner: to0x(f.miner), lane: f.lane, code: e.code });
      return this.keep(id, { status: 'refused', code: e.code });
    }
    this.modules.publish?.(tx);
    const hash = to0x(txHash(tx));
    logger.warn(f.kind === 'request' ? 'validator: data request submitted' : 'validator: challenge submitted', { round: f.round, miner: to0x(f.miner), laneStart: f.laneStart, lane: f.lane, kind: f.kind, tx: hash });
    return this.keep(id, { status: 'submitted', tx: hash });
  }

  /** The outcome for the part of `f`, `voided` read from the head state. */
  outcome(f: Finding): ChallengeOutcome | undefined {
    const o = this.sent.get(this.partId(f));
    if (o?.status !== 'submitted') return o;
    return { ...o, voided: partVoidOf(this.modules.chain.state(), f.round, f.miner, f.laneStart) !== undefined };
  }

  private keep(id: string, o: ChallengeOutcome): ChallengeOutcome {
    this.sent.set(id, o);
    return o;
  }
}
