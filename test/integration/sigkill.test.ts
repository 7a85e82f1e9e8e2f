// Crash safety (after Bitcoin Core's feature_dbcrash.py): a child process imports many blocks,
// including a reorg to a heavier branch, and is killed with SIGKILL at points drawn from fixed
// seeds. After every kill the datadir must reopen, and its state root must equal a replay of
// the stored canonical chain from genesis. A final run completes the import.
import { testKey } from '../fixtures/chain.ts';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER as tsxLoader } from '../helpers/cli.ts';
import { encode } from '../../consensus/codec.ts';
import { bytesEqual } from '../../consensus/bytes.ts';
import { encodeBlock } from '../../consensus/encoding/index.ts';
import { TEST_SEAL } from '../../consensus/seal.ts';
import { applyBlock } from '../../vm/index.ts';
import { ChainDb } from '../../node/db/db.ts';
import { Chain } from '../../node/chain/chain.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { buildChain, testNet, testNow, type Built } from './helpers/chain-builder.ts';
import { mulberry32 } from '../helpers/prng.ts';

const here = dirname(fileURLToPath(import.meta.url));
// one process per child (`node --import tsx`), so SIGKILL hits the importer itself
const net = testNet();

/** Deterministic PRNG so kill points repeat run to run. */
const prng = mulberry32;

/**
 * Runs the child; kills it with SIGKILL `extraDelayMs` after it has reported `killAfter` new
 * imports (0: after it reported "ready"), or lets it finish when `killAfter` is undefined.
 */
function runChild(datadir: string, blocksFile: string, killAfter: number | undefined, extraDelayMs: number): Promise<{ killed: boolean; imported: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(here, 'helpers', 'import-child.ts'), datadir, blocksFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let imported = 0;
    let killed = false;
    let err = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let ready = false;
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      ready ||= text.includes('ready');
      if (!ready) return;
      imported += (text.match(/imported/g) ?? []).length;
      if (killAfter !== undefined && !killed && imported >= killAfter) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: signal === 'SIGKILL', imported });
      else reject(new Error(`child failed (code ${code}): ${err}`));
    });
  });
}

/** Opens the datadir, replays its canonical chain from genesis, and compares state roots. */
async function checkAgainstReplay(datadir: string): Promise<{ height: number; headHash: Uint8Array }> {
  const db = new ChainDb({ path: datadir });
  await db.open();
  try {
    const chain = await Chain.open({ params: net.params, genesis: net.genesis, now: testNow(net) }, { db, logger: silentLogger, seal: TEST_SEAL });
    const head = chain.head();
    let state = net.genesis.state;
    let parentHash = net.genesis.hash;
    for (let h = 1; h <= head.header.height; h++) {
      const found = await chain.getBlockByHeight(h);
      expect(found, `canonical block at ${h}`).toBeDefined();
      expect(bytesEqual(found!.block.header.parent, parentHash), `canonical link at ${h}`).toBe(true);
      state = applyBlock(state, found!.block, net.params).state;
      parentHash = found!.hash;
    }
    expect(bytesEqual(parentHash, head.hash)).toBe(true);
    expect(chain.state().root()).toEqual(state.root());
    expect(await db.getCanonical(head.header.height + 1)).toBeUndefined();
    return { height: head.header.height, headHash: head.hash };
  } finally {
    await db.close();
  }
}

describe('SIGKILL while importing', () => {
  it('never leaves a state that differs from a replay of the stored canonical chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-kill-'));
    try {
      // branch A: 40 blocks; branch B forks at height 20 and is heavier (24 blocks after the fork)
      const g = { header: net.genesis.block.header, state: net.genesis.state };
      const a = buildChain(net, g, 40, { txsPerBlock: 8, miner: testKey(10) });
      const fork: Built = a[19]!;
      const b = buildChain(net, { header: fork.block.header, state: fork.state }, 24, { txsPerBlock: 8, miner: testKey(11) });
      // phase 1 file: branch A and B up to A's height (equal work: B stays a side branch);
      // phase 2 file: everything, so its first new block triggers a 20-block reorg
      const phase1 = [...a, ...b.slice(0, 20)];
      const all = [...a, ...b];
      const file1 = join(dir, 'phase1.bin');
      const file2 = join(dir, 'all.bin');
      await writeFile(file1, encode(phase1.map((x) => encodeBlock(x.block))));
      await writeFile(file2, encode(all.map((x) => encodeBlock(x.block))));
      const datadir = join(dir, 'chain');
      const rnd = prng(20240601);
      const log = (s: string) => process.env.TESSERA_DEBUG_KILL && console.log(s);

      // phase 1: killed after a seeded 1..12 new imports plus a seeded 0..25 ms, until complete
      let kills = 0;
      let done = false;
      for (let round = 0; round < 30 && !done; round++) {
        const killAfter = 1 + Math.floor(rnd() * 12);
        const r = await runChild(datadir, file1, killAfter, Math.floor(rnd() * 26));
        if (r.killed) kills++;
        else done = true;
        const after = await checkAgainstReplay(datadir);
        log(`phase 1 round ${round}: kill after ${killAfter}, reported ${r.imported}, killed ${r.killed}, head ${after.height}`);
      }
      expect(done).toBe(true);
      expect((await checkAgainstReplay(datadir)).headHash).toEqual(a[39]!.hash);

      // phase 2: from copies of the phase-1 datadir, each killed a seeded 0..80 ms after the
      // child is ready, so kills land before, inside and after the 20-block reorg
      const outcomes: string[] = [];
      for (let round = 0; round < 6; round++) {
        const copy = join(dir, `copy${round}`);
        await cp(datadir, copy, { recursive: true });
        const delay = Math.floor(rnd() * 81);
        const r = await runChild(copy, file2, 0, delay);
        if (r.killed) kills++;
        const after = await checkAgainstReplay(copy);
        outcomes.push(`${delay}ms:${r.killed ? 'killed' : 'finished'}@${after.height}`);
        await rm(copy, { recursive: true, force: true });
      }
      log(`phase 2 (delay:outcome@head height): ${outcomes.join(' ')}`);
      expect(kills).toBeGreaterThan(0);
      // and the interrupted original completes
      const last = await runChild(datadir, file2, undefined, 0);
      expect(last.killed).toBe(false);
      const end = await checkAgainstReplay(datadir);
      expect(end.headHash).toEqual(b[b.length - 1]!.hash);
      expect(end.height).toBe(44);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000); // dozens of child imports, each a fresh Node start: near 60 s on a loaded 2-core machine
});
