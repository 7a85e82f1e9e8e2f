// Pruning of contribution part bodies (DESIGN.md "Contributions scale with compute"): a part's D and
// openings are needed until its round's challenge window has closed; after that a node keeps only
// the part headers (miner, round, lanes, base and lanes roots, and the part's Merkle leaf hash, so
// the headers still check against the block's contributionsRoot). A canonical block at height x
// belongs to a round that closes by x + roundBlocks, whose window closes challengeWindow later; so
// once the head is `depth` = 2 · roundBlocks + challengeWindow above x (one round of margin for
// reorgs), the block is rewritten without its parts and its part headers go to bucket prunedParts.
// What stays: headers, txs, part headers, the state and every undo record, so the node imports,
// reorgs within the window (a reorg never re-applies a block that deep: Chain.reorg refuses with
// PRUNED rather than mark a valid block invalid) and serves the recent parts validators check.
// `tessera node --archive` keeps everything.
import { utf8Bytes } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import { decodeBlock, encodeBlock } from '../../consensus/encoding/block.ts';
import { decodeSignedPart, decodePartHeader, encodePartHeader, partHeaderOf, type PartHeader } from '../../consensus/training/part.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { ChainDb } from '../db/db.ts';

const PRUNED_TO = utf8Bytes('prunedTo');

export interface PrunerOpts {
  readonly training: TrainingParams;
}

export interface PrunerModules {
  readonly db: ChainDb;
}

export function pruneDepth(t: Pick<TrainingParams, 'roundBlocks' | 'challengeWindow'>): number {
  return 2 * t.roundBlocks + t.challengeWindow;
}

export class PartPruner {
  constructor(
    private readonly opts: PrunerOpts,
    private readonly modules: PrunerModules,
  ) {}

  /** Highest height whose canonical block was pruned (0: none). */
  async prunedTo(): Promise<number> {
    const v = await this.modules.db.get(key(Bucket.meta, PRUNED_TO));
    if (!v) return 0;
    const r = TupleReader.of(decodeCanonical(v, 'prunedTo'), 'prunedTo', 1);
    const h = r.uint();
    r.end();
    return h;
  }

  /** Prunes the part bodies of the canonical blocks up to headHeight - depth; returns how many blocks were rewritten. */
  async prune(headHeight: number): Promise<number> {
    const { db } = this.modules;
    const upto = headHeight - pruneDepth(this.opts.training);
    const from = (await this.prunedTo()) + 1;
    if (upto < from) return 0;
    const b = db.batch();
    let rewritten = 0;
    for (let h = from; h <= upto; h++) {
      const hash = await db.getCanonical(h);
      if (!hash) break;
      const bytes = await db.getBlock(hash);
      if (!bytes) continue;
      const block = decodeBlock(bytes);
      if (block.contributions.length === 0) continue;
      const headers = block.contributions.map((c) => encodePartHeader(partHeaderOf(decodeSignedPart(this.opts.training.task, c), c)));
      b.put(key(Bucket.prunedParts, hash), encode(headers));
      b.putBlock(hash, encodeBlock({ ...block, contributions: [] }));
      rewritten++;
    }
    b.put(key(Bucket.meta, PRUNED_TO), encode([upto]));
    await db.write(b);
    return rewritten;
  }

  /** The part headers of a pruned block, or undefined when its parts were not pruned. */
  async partHeaders(hash: Uint8Array): Promise<PartHeader[] | undefined> {
    const v = await this.modules.db.get(key(Bucket.prunedParts, hash));
    if (!v) return undefined;
    const list = decodeCanonical(v, 'pruned parts');
    if (!Array.isArray(list)) throw new RangeError('pruned parts: not a list');
    return list.map((x: unknown) => {
      if (!(x instanceof Uint8Array)) throw new RangeError('pruned parts: not bytes');
      return decodePartHeader(x);
    });
  }
}
