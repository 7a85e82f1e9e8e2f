// Block import throughput of the full node path: decode -> body checks -> header vs parent
// (test seal) -> applyBlock (1,000 secp256k1 recoveries) -> one LevelDB batch (block, state,
// undo diff, canonical and tx index, head). Real LevelDB in a temp dir, real signatures.
// Goal (issue "Chain core"): a 1,000-tx block imported in < 0.5 s.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBlock } from '../consensus/encoding/index.ts';
import { TEST_SEAL } from '../consensus/seal.ts';
import { signatureBackend } from '../consensus/crypto/index.ts';
import { applyBlock } from '../vm/index.ts';
import { ChainDb } from '../node/db/db.ts';
import { Chain } from '../node/chain/chain.ts';
import { silentLogger } from '../node/log/logger.ts';
import { buildChain, testNet, testNow } from '../test/integration/helpers/chain-builder.ts';
import { fmtMs, goal, quick, stats } from './lib/repeat.ts';

const TXS = 1000;
const BLOCKS = quick ? 2 : 6;
const GOAL_MS = 500;

export default async function (): Promise<void> {
  const net = testNet(TXS);
  const t0 = performance.now();
  const built = buildChain(net, { header: net.genesis.block.header, state: net.genesis.state }, BLOCKS, { txsPerBlock: TXS });
  const encoded = built.map((b) => encodeBlock(b.block));
  console.log(`built ${BLOCKS} blocks x ${TXS} signed transfers (${net.keys.length} accounts) in ${((performance.now() - t0) / 1000).toFixed(1)} s; block size ${encoded[0]!.length} bytes; signature path ${signatureBackend()}`);

  // the state transition alone, for the breakdown
  let state = net.genesis.state;
  const applyMs: number[] = [];
  for (const b of built) {
    const s = performance.now();
    state = applyBlock(state, b.block, net.params).state;
    applyMs.push(performance.now() - s);
  }

  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  try {
    const db = new ChainDb({ path: dir });
    await db.open();
    const chain = await Chain.open({ params: net.params, genesis: net.genesis, now: testNow(net) }, { db, logger: silentLogger, seal: TEST_SEAL });
    const importMs: number[] = [];
    for (const bytes of encoded) {
      const s = performance.now();
      await chain.importBlock(bytes);
      importMs.push(performance.now() - s);
    }
    await chain.close();
    await db.close();
    const total = importMs.reduce((a, b) => a + b, 0);
    const imp = stats(importMs), app = stats(applyMs);
    console.log(`import (bytes -> stored head), per block ms: ${importMs.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`  ${fmtMs(imp, 0)} per block over ${BLOCKS} blocks, ${((BLOCKS * 1000) / total).toFixed(2)} blocks/s, ${((BLOCKS * TXS * 1000) / total).toFixed(0)} tx/s`);
    console.log(`  of which applyBlock (state transition, in memory): ${fmtMs(app, 0)} (${((100 * app.median) / imp.median).toFixed(0)}% of import)`);
    console.log(`  ${goal(`a ${TXS}-tx block in < ${GOAL_MS} ms`, imp.median < GOAL_MS)}; worst ${imp.max.toFixed(0)} ms (worst / goal = ${(imp.max / GOAL_MS).toFixed(2)})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
