// Pruning of contribution part bodies over a real Chain and LevelDB on the mining test chain (tiny
// task, pouw seal, roundBlocks 3, challengeWindow 2: prune depth 2·3 + 2 = 8): blocks deeper than the
// depth lose their parts and keep their part headers (which still check against the header's
// contributionsRoot); the node then still imports, reorgs within the window, serves the parts of the
// window, and refuses (typed) a reorg that would re-apply a pruned block.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockHash } from '../../../consensus/encoding/header.ts';
import { rootOfHashes } from '../../../consensus/merkle.ts';
import { pouwSeal } from '../../../consensus/seal-pouw.ts';
import type { Block, BlockHeader } from '../../../consensus/types.ts';
import { Chain } from '../../../node/chain/chain.ts';
import { ChainError, ChainErrorCode } from '../../../node/chain/errors.ts';
import { PartPruner, pruneDepth } from '../../../node/chain/prune.ts';
import { ChainDb } from '../../../node/db/db.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { readParts } from '../../../vm/round/parts.ts';
import { readRound } from '../../../vm/round/state.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { importMined, MINING_PARAMS as p, mineLane, minedBlock, miningGenesis } from '../../fixtures/mining.ts';
import { thrown } from '../../helpers/errors.ts';

const A = testKey(1).address();
const B = testKey(2).address();
const g = miningGenesis([A, B], [A, B]);
const genesisBlock: Block = { header: g.header, txs: [], contributions: [] };

/** n blocks on (pre, parent): A's ticket on lane 100 + salt, B's next lane of the round as a one-lane part (when `parts`). */
async function extend(pre: State, parent: BlockHeader, n: number, salt: number, parts = true): Promise<{ blocks: Block[]; state: State; header: BlockHeader }> {
  const blocks: Block[] = [];
  for (let i = 0; i < n; i++) {
    const tk = (await mineLane(pre, parent, A, 100 + salt * 100 + i)).tickets[0]!;
    const round = readRound(pre)!.round;
    const next = readParts(pre, round, B).reduce((m, x) => Math.max(m, x.laneStart + x.laneCount), 0);
    const cs = parts ? [(await mineLane(pre, parent, B, next)).bytes] : [];
    const b = minedBlock(pre, parent, tk, { contributions: cs });
    pre = importMined(pre, parent, b.block).state;
    parent = b.block.header;
    blocks.push(b.block);
  }
  return { blocks, state: pre, header: parent };
}

let dir: string;
let db: ChainDb;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-prune-'));
  db = new ChainDb({ path: dir });
  await db.open();
});
afterEach(async () => {
  await db.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('pruning part bodies', () => {
  it('keeps part headers, imports, reorgs within the window, serves the window, refuses a reorg into pruned blocks', async () => {
    const t = p.training!;
    const depth = pruneDepth(t);
    expect(depth).toBe(8);
    const chain = await Chain.open({ params: p, genesis: { block: genesisBlock, hash: blockHash(g.header), state: g.state, anchor: g.anchor }, now: () => g.header.time + 10_000 }, { db, logger: silentLogger, seal: pouwSeal(p) });
    const main = await extend(g.state, g.header, 12, 0);
    for (const b of main.blocks) expect((await chain.importBlock(b)).status).toBe('head');
    const pruner = new PartPruner({ training: t }, { db });
    expect(await pruner.prune(12)).toBe(4); // heights 1..4
    expect(await pruner.prunedTo()).toBe(4);

    for (let h = 1; h <= 12; h++) {
      const { hash, block } = (await chain.getBlockByHeight(h))!;
      const headers = await pruner.partHeaders(hash);
      if (h <= 12 - depth) {
        // body gone, header kept; the part headers still prove the header's contributionsRoot
        expect(block.contributions).toEqual([]);
        expect(headers!.map((x) => [x.round, x.laneCount])).toEqual([[Math.floor((h - 1) / 3), 1]]);
        expect(rootOfHashes(headers!.map((x) => x.partHash))).toEqual(block.header.contributionsRoot);
      } else {
        // the window: parts served as they landed
        expect(headers).toBeUndefined();
        expect(block.contributions).toEqual(main.blocks[h - 1]!.contributions);
      }
    }
    // still imports on the head
    const more = await extend(main.state, main.header, 1, 0);
    expect((await chain.importBlock(more.blocks[0]!)).status).toBe('head');
    // a reorg within the window: a heavier branch from height 10
    const at10 = { state: (await replayTo(main.blocks, 10)), header: main.blocks[9]!.header };
    const side = await extend(at10.state, at10.header, 4, 7);
    let last;
    for (const b of side.blocks) last = await chain.importBlock(b);
    expect(last!.status).toBe('reorg');
    expect(blockHash(chain.head().header)).toEqual(blockHash(side.header));
    expect(chain.state().root()).toEqual(side.state.root());
    // a heavier branch from height 2 undoes pruned blocks (undo records are kept) ...
    const deep = await extend(await replayTo(main.blocks, 2), main.blocks[1]!.header, 13, 9, false);
    for (const b of deep.blocks) last = await chain.importBlock(b);
    expect(last!.status).toBe('reorg');
    expect(chain.state().root()).toEqual(deep.state.root());
    // ... but going back to the old branch would re-apply pruned blocks 3, 4: refused, typed, head unchanged
    const headBefore = chain.head().hash;
    const back = await extend(side.state, side.header, 2, 11, false);
    await chain.importBlock(back.blocks[0]!); // still lighter: a side block
    const e = await chain.importBlock(back.blocks[1]!).then(() => undefined, (x: unknown) => x);
    expect(thrown(ChainError, () => { throw e; }).code).toBe(ChainErrorCode.PRUNED);
    expect(chain.head().hash).toEqual(headBefore);
    await chain.close();
  });
});

async function replayTo(blocks: readonly Block[], height: number): Promise<State> {
  let s = g.state;
  let parent = g.header;
  for (const b of blocks.slice(0, height)) {
    s = importMined(s, parent, b).state;
    parent = b.header;
  }
  return s;
}
