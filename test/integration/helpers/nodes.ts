// Real `tessera node` processes for multi-node tests: a devnet genesis scaled down to finish in
// seconds on a shared 2-core machine (2 s blocks, 2-block rounds, few lanes, a low target),
// nodes on 127.0.0.1 with OS-assigned RPC and P2P ports, each stopped by its own pid.
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.ts';
import { rpcCall, spawnNode, stopNode, until } from './node-process.ts';
import { bytesEqual, to0x } from '../../../consensus/bytes.ts';
import { decodeBlock } from '../../../consensus/encoding/index.ts';
import { blockHash } from '../../../consensus/encoding/header.ts';
import { sealFor } from '../../../consensus/seal-pouw.ts';
import { decodeSignedPart } from '../../../consensus/training/part.ts';
import { buildGenesis, loadGenesisFile } from '../../../genesis/index.ts';
import { applyBlock } from '../../../vm/apply-block.ts';
import { ChainDb } from '../../../node/db/db.ts';

export interface RunningNode {
  child: ChildProcess;
  rpc: string;
  p2p: string;
  log: () => string;
}

/** Writes the scaled-down devnet genesis into `dir`; returns its path and the parsed JSON. */
export async function writeTestGenesis(dir: string, tweak?: (g: any) => void): Promise<{ file: string; json: any }> {
  const g = JSON.parse(await readFile(join(ROOT, 'genesis', 'devnet.json'), 'utf8'));
  g.time = Math.floor(Date.now() / 1000) - 1;
  g.testOnly = true; // a devnet for tests: the only kind that accepts --fault
  g.params.blockTimeSeconds = 2;
  g.params.initialTarget = '0x' + (1n << 226n).toString(16).padStart(64, '0');
  Object.assign(g.params.training, { roundBlocks: 3, maxContributionsPerBlock: 8 });
  tweak?.(g);
  const file = join(dir, 'genesis-test.json');
  await writeFile(file, JSON.stringify(g));
  return { file, json: g };
}

export async function writeKey(dir: string, name: string, hex: string): Promise<string> {
  const f = join(dir, name);
  await writeFile(f, `${hex}\n`);
  return f;
}

/** A node with `--archive` (its chain replays from genesis) that listens for peers (the ready line names its P2P address). */
export function startNode(args: string[], timeoutMs = 150_000): Promise<RunningNode> {
  return spawnNode(['--archive', ...args], /ready rpc=(\S+).* p2p=(\S+)/, timeoutMs).then(({ child, m, log }) => ({ child, rpc: m[1]!, p2p: m[2]!, log }));
}

export { stopNode, until, rpcCall as rpc };

/**
 * Replays the stored canonical chain of a stopped node's datadir from genesis: every block links to
 * its parent, every seal verifies, every state transition applies; reports whether the replayed
 * state equals the stored head state, the height, and which miners' contributions landed per round.
 */
export async function replayDatadir(datadir: string, genesisFile: string): Promise<{ stateMatches: boolean; why: string; height: number; minersByRound: Map<number, Set<string>> }> {
  const spec = loadGenesisFile(genesisFile);
  const genesis = buildGenesis(spec);
  const seal = sealFor(spec.params);
  const db = new ChainDb({ path: join(datadir, 'chain') });
  await db.open();
  try {
    let state = genesis.state;
    let parent = genesis.block.header;
    const minersByRound = new Map<number, Set<string>>();
    for (let h = 1; ; h++) {
      const hash = await db.getCanonical(h);
      if (!hash) break;
      const block = decodeBlock((await db.getBlock(hash))!);
      if (!bytesEqual(block.header.parent, blockHash(parent))) throw new Error(`block ${h} does not link to its parent`);
      seal.verify(block.header, parent);
      state = applyBlock(state, block, spec.params).state;
      for (const cb of block.contributions) {
        const sc = decodeSignedPart(spec.params.training!.task, cb);
        const set = minersByRound.get(sc.round) ?? new Set<string>();
        set.add(to0x(sc.miner));
        minersByRound.set(sc.round, set);
      }
      parent = block.header;
    }
    const headHash = (await db.getHead())!;
    const stored = new Map<string, string>();
    for await (const [k, v] of db.stateEntries()) stored.set(to0x(k), to0x(v));
    const replayed = new Map([...state.entries()].map(([k, v]) => [to0x(k), to0x(v)]));
    const headMatches = bytesEqual(blockHash(parent), headHash);
    const differing = [...new Set([...stored.keys(), ...replayed.keys()])].filter((k) => stored.get(k) !== replayed.get(k));
    const same = headMatches && differing.length === 0;
    const why = same ? '' : `${headMatches ? '' : `stored head ${to0x(headHash)} is not the last canonical block ${to0x(blockHash(parent))} (height ${parent.height}); `}${differing.length} state keys differ: ${differing.slice(0, 8).map((k) => `${k.slice(0, 24)} stored=${stored.get(k)?.slice(0, 40)} replayed=${replayed.get(k)?.slice(0, 40)}`).join('; ')}`;
    return { stateMatches: same, why, height: parent.height, minersByRound };
  } finally {
    await db.close();
  }
}
