// Real `tessera node` processes for multi-node tests: a devnet genesis scaled down to finish in
// seconds on a shared 2-core machine (2 s blocks, 2-block rounds, few lanes, a low target),
// nodes on 127.0.0.1 with OS-assigned RPC and P2P ports, each stopped by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_MAIN, ROOT, TSX_LOADER } from '../../helpers/cli.ts';
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

export function startNode(args: string[], timeoutMs = 150_000): Promise<RunningNode> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_MAIN, 'node', '--archive', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not become ready:\n${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready rpc=(\S+).* p2p=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, rpc: m[1]!, p2p: m[2]!, log: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited (${code}) before ready:\n${err}`));
    });
  });
}

export async function stopNode(n: RunningNode): Promise<void> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return;
  const exited = new Promise((r) => n.child.once('exit', r));
  n.child.kill('SIGTERM');
  const t = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  let res: Response;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      break;
    } catch (e) {
      // a kept-alive socket the server closed as the request went out (its 5 s idle timeout, met
      // when a loaded machine stalls this process): the request never reached the node; try again
      if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET' || attempt === 3) throw e;
    }
  }
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

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
