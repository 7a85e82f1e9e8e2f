// A mining node end to end, through the real binary: `tessera node --mine` on a devnet-like genesis
// with short blocks and rounds, real MNIST, real LevelDB, RPC on 127.0.0.1 (port 0). Asserts that
// blocks were mined, rounds closed, the checkpoint root in the head equals a replay of the stored
// chain from genesis (every seal re-verified), held-out accuracy rose well above chance, and that
// a restart resumes mining from the stored head and round. The miner's key comes from
// --miner-key-file on the first run and, on the restart, from the genesis dev key of --miner-address;
// every contribution on the chain is signed by the miner.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestGenesis } from './helpers/nodes.ts';
import { rpcCall as rpc, startNode as startNodeProcess, stopNode, until, type NodeProcess as Running } from './helpers/node-process.ts';
import { bytesEqual, to0x } from '../../consensus/bytes.ts';
import { decodeBlock } from '../../consensus/encoding/block.ts';
import { blockHash } from '../../consensus/encoding/header.ts';
import { sealFor } from '../../consensus/seal-pouw.ts';
import { decodeSignedPart, partSigner } from '../../consensus/training/part.ts';
import { buildGenesis, loadGenesisFile } from '../../genesis/index.ts';
import { applyBlock } from '../../vm/apply-block.ts';
import { readRound } from '../../vm/round/state.ts';
import { ChainDb } from '../../node/db/db.ts';

/** A node of this test: ready within 60 s. */
const startNode = (args: string[]): Promise<Running> => startNodeProcess(args, 60_000);

const running: Running[] = [];
let dir: string;
afterAll(async () => {
  for (const n of running) await stopNode(n);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a mining node', () => {
  it('mines PoUW blocks, closes rounds, trains MNIST above chance, and resumes after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-mining-'));
    // Devnet, scaled down so that it finishes in about a minute on 2 shared cores: 2 s blocks,
    // 2-block rounds, a target for ~2 s blocks.
    const { file: genesisFile, json: devnet } = await writeTestGenesis(dir, (g) => {
      g.params.initialTarget = '0x' + (1n << 225n).toString(16).padStart(64, '0');
      g.params.training.roundBlocks = 2;
    });
    const miner = devnet.devKeys[1].address as string;
    const keyFile = join(dir, 'miner.key');
    await writeFile(keyFile, `${devnet.devKeys[1].privateKey as string}\n`);
    const datadir = join(dir, 'data');
    // --archive: step 2 replays the whole chain from genesis, parts included
    const args = ['--mine', '--archive', '--miner-address', miner, '--datadir', datadir, '--genesis', genesisFile, '--rpc', '127.0.0.1:0', '--log-format', 'json'];

    // 1. Mine until three rounds have closed and been evaluated.
    const n1 = await startNode([...args, '--miner-key-file', keyFile]);
    running.push(n1);
    const status = await until(
      'three closed rounds',
      async () => {
        const s = await rpc(n1.rpc, 'training_status');
        return s.history.length >= 4 && s.evaluatedRound >= 3 ? s : undefined;
      },
      100_000,
    );
    // Attribution is visible from the first round: every genesis data contributor has samples used
    // and earnings in closed rounds; the treasury gets its share of every block.
    for (const r of devnet.data.registrations as { contributor: string }[]) {
      const a = await rpc(n1.rpc, 'attribution_get', [r.contributor]);
      expect(a.registeredSamples).toBe(2001);
      expect(BigInt(a.samplesUsed)).toBeGreaterThan(0n);
      expect(a.rounds.length).toBeGreaterThanOrEqual(1);
      expect(BigInt(a.dataEarnings)).toBeGreaterThan(0n);
    }
    expect(BigInt((await rpc(n1.rpc, 'gov_list')).treasury)).toBeGreaterThan(0n);
    await stopNode(n1);
    const log1 = n1.log();
    const mined = log1.split('\n').filter((l) => l.includes('"mined block"'));
    const closed = log1.split('\n').filter((l) => l.includes('"round opened"'));
    expect(mined.length).toBeGreaterThanOrEqual(6);
    expect(closed.length).toBeGreaterThanOrEqual(3);
    expect(status.mining.blocksMined).toBeGreaterThanOrEqual(6);
    expect(status.mining.contributionsLanded).toBeGreaterThan(0);
    // Accuracy: round 0 is the initial checkpoint (~chance); later rounds well above chance (10%).
    const acc = status.history.map((h: { heldOutAccuracyBp: number }) => h.heldOutAccuracyBp);
    expect(acc[0]).toBeLessThan(2500);
    expect(Math.max(...acc.slice(1))).toBeGreaterThan(6000);
    expect(acc[acc.length - 1]).toBeGreaterThan(acc[0] + 4000);

    // 2. Replay the stored canonical chain from genesis: seals, state transition, checkpoint root.
    const spec = loadGenesisFile(genesisFile);
    const genesis = buildGenesis(spec);
    const seal = sealFor(spec.params);
    const db = new ChainDb({ path: join(datadir, 'chain') });
    await db.open();
    let state = genesis.state;
    let parent = genesis.block.header;
    let height = 0;
    let contributions = 0;
    try {
      const headHash = (await db.getHead())!;
      for (let h = 1; ; h++) {
        const hash = await db.getCanonical(h);
        if (!hash) break;
        const block = decodeBlock((await db.getBlock(hash))!);
        expect(bytesEqual(block.header.parent, blockHash(parent))).toBe(true);
        seal.verify(block.header, parent);
        state = applyBlock(state, block, spec.params).state;
        for (const c of block.contributions)
          expect(to0x(partSigner(decodeSignedPart(spec.params.training!.task, c), spec.params.chainId))).toBe(miner.toLowerCase());
        contributions += block.contributions.length;
        parent = block.header;
        height = h;
      }
      expect(to0x(blockHash(parent))).toBe(to0x(headHash));
    } finally {
      await db.close();
    }
    expect(height).toBeGreaterThanOrEqual(6);
    expect(contributions).toBeGreaterThan(0);
    const round = readRound(state)!;
    expect(to0x(round.checkpointRoot)).toBe(to0x(parent.checkpointRoot));
    expect(round.round).toBeGreaterThanOrEqual(3);
    const ck = await rpc(n1.rpc, 'training_status').catch(() => null); // node is stopped: no answer
    expect(ck).toBeNull();

    // 3. Restart: resumes from the stored head and round, and mines on top of it.
    const n2 = await startNode(args);
    running.push(n2);
    const head2 = await until(
      'a block after the restart',
      async () => {
        const h = await rpc(n2.rpc, 'chain_head');
        return h.height > height ? h : undefined;
      },
      60_000,
    );
    const after = await rpc(n2.rpc, 'chain_getBlock', [height + 1]);
    expect(after.parent).toBe(to0x(blockHash(parent)));
    const s2 = await rpc(n2.rpc, 'training_status');
    expect(s2.round).toBeGreaterThanOrEqual(round.round);
    expect(head2.height).toBeGreaterThan(height);
    const cp = await rpc(n2.rpc, 'training_getCheckpoint', [1]);
    expect(cp.tensors.map((t: { name: string }) => t.name)).toEqual(['layer0.weight', 'layer1.weight', 'layer0.momentum', 'layer1.momentum']);
    expect(Buffer.from(cp.tensors[0].data, 'base64').length).toBe(784 * 128 * 4);
    await stopNode(n2);
    expect(n2.log()).toContain('chain loaded');
    expect(n2.log()).toContain('mining with a genesis dev key'); // the restart's key: --miner-address only
  }, 240_000);
});
