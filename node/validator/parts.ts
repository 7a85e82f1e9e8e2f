// The contribution parts of the canonical chain, as blocks land (every node on the network keeps
// this index: it is what "a known part" means when an attestation arrives by gossip), and the lane
// leaves that answers to data requests put on chain (a validator checks such a lane from them). Each scan
// walks back from the head to the last block it saw that is still canonical (a reorg rescans the
// new branch), then forward over the new blocks, at most `maxBlocksPerScan` of them. Parts of
// rounds behind `keepRounds` are forgotten.
import { toHex } from '../../consensus/bytes.ts';
import { decodeSignedPart, partHeaderOf, type LaneOpening, type PartHeader, type SignedPart } from '../../consensus/training/part.ts';
import { ChallengeKind, TypeTag } from '../../consensus/types.ts';
import { answeredLeaf } from '../../vm/fraud-proofs.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import type { Chain } from '../chain/chain.ts';

export interface SeenPart {
  readonly header: PartHeader;
  readonly part: SignedPart;
  /** The part's on-chain bytes (what a Challenge names). */
  readonly bytes: Uint8Array;
  readonly height: number;
}

/** A lane leaf an answer to a data request put on chain. */
export interface AnsweredLane {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly opening: LaneOpening;
}

const partId = (round: number, miner: Uint8Array, laneStart: number): string => `${round}/${toHex(miner)}/${laneStart}`;

export class PartFeed {
  private readonly scanned = new Map<number, string>();
  private last = 0;
  private readonly index = new Map<string, PartHeader>();
  private readonly answers = new Map<string, AnsweredLane>();
  /** Answers found by the scans since the last `takeAnswers`. */
  private fresh: AnsweredLane[] = [];

  constructor(
    private readonly opts: { task: TrainingTask; keepRounds: number; maxBlocksPerScan?: number },
    private readonly modules: { chain: Chain },
  ) {}

  /** The landed part (round, miner, laneStart) whose on-chain hash is `partHash`, if this node saw it. */
  known(round: number, miner: Uint8Array, laneStart: number): PartHeader | undefined {
    return this.index.get(partId(round, miner, laneStart));
  }

  /** The leaf of `lane` that an answer on the canonical chain put there, if any. */
  answered(round: number, miner: Uint8Array, laneStart: number, lane: number): LaneOpening | undefined {
    return this.answers.get(`${partId(round, miner, laneStart)}/${lane}`)?.opening;
  }

  /** The answers the scans found since the last call. */
  takeAnswers(): AnsweredLane[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  /** Parts of the canonical blocks not scanned yet (in chain order). */
  async scan(): Promise<SeenPart[]> {
    const { chain } = this.modules;
    const head = chain.head().header.height;
    let from = Math.min(this.last, head);
    while (from > 0) {
      const h = await chain.getCanonicalHash(from);
      if (h && this.scanned.get(from) === toHex(h)) break;
      from--;
    }
    from = Math.max(from, head - (this.opts.maxBlocksPerScan ?? 64));
    const out: SeenPart[] = [];
    let newest = -1;
    for (let height = from + 1; height <= head; height++) {
      const b = await chain.getBlockByHeight(height);
      if (!b) break;
      this.scanned.set(height, toHex(b.hash));
      this.last = height;
      for (const bytes of b.block.contributions) {
        let part: SignedPart;
        try {
          part = decodeSignedPart(this.opts.task, bytes);
        } catch {
          continue; // a canonical block's parts decode; a pruned body has none
        }
        const header = partHeaderOf(part, bytes);
        this.index.set(partId(part.round, part.miner, part.laneStart), header);
        out.push({ header, part, bytes, height });
        newest = Math.max(newest, part.round);
      }
      for (const tx of b.block.txs) {
        if (tx.type !== TypeTag.Challenge || tx.proof.kind !== ChallengeKind.Answer) continue;
        let part: SignedPart;
        try {
          part = decodeSignedPart(this.opts.task, tx.part);
        } catch {
          continue;
        }
        const a = answeredLeaf(this.opts.task, tx)!;
        const got: AnsweredLane = { round: part.round, miner: part.miner, laneStart: part.laneStart, opening: { lane: a.lane, leaf: a.leaf, siblings: a.siblings } };
        this.answers.set(`${partId(part.round, part.miner, part.laneStart)}/${a.lane}`, got);
        this.fresh.push(got);
      }
    }
    for (const h of this.scanned.keys()) if (h < this.last - 4096) this.scanned.delete(h);
    if (newest >= 0) {
      for (const [k, p] of this.index) if (p.round < newest - this.opts.keepRounds) this.index.delete(k);
      for (const [k, a] of this.answers) if (a.round < newest - this.opts.keepRounds) this.answers.delete(k);
    }
    if (this.fresh.length > 1024) this.fresh.splice(0, this.fresh.length - 1024);
    return out;
  }
}
