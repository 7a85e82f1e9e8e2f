// A `tessera node` child process for integration tests: started through the real CLI under the tsx
// loader (stopped by its own pid), its addresses read from the "ready" line, its log kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_MAIN, ROOT, TSX_LOADER } from '../../helpers/cli.ts';

export interface NodeProcess {
  child: ChildProcess;
  /** http://host:port/ of the JSON-RPC. */
  rpc: string;
  /** http://host:port/ of the explorer and /metrics, when it runs. */
  explorer?: string;
  log: () => string;
}

export function startNode(args: string[], timeoutMs = 90_000): Promise<NodeProcess> {
  return spawnNode(args, /ready rpc=(\S+)(?: explorer=(\S+))?/, timeoutMs).then(({ child, m, log }) => ({ child, rpc: m[1]!, ...(m[2] ? { explorer: m[2] } : {}), log }));
}

/**
 * Spawns `tessera node <args>` and resolves once its stdout matches `ready` (the node's ready line),
 * with the match; a node that exits first, or is not ready within `timeoutMs` (then killed), rejects
 * with its stderr.
 */
export function spawnNode(args: string[], ready: RegExp, timeoutMs: number): Promise<{ child: ChildProcess; m: RegExpExecArray; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_MAIN, 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not become ready:\n${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, m, log: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited (${code}) before ready:\n${err}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 15 s; resolves to the exit code (null when a signal ended it). */
export async function stopNode(n: { child: ChildProcess }): Promise<number | null> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return n.child.exitCode;
  const exited = new Promise<number | null>((r) => n.child.once('exit', (code) => r(code)));
  n.child.kill('SIGTERM');
  const t = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(t);
  return code;
}

export async function rpcCall<T = any>(url: string, method: string, params: unknown[] = []): Promise<T> {
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
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The devnet genesis scaled down for tests (as test/integration/mining-node.test.ts): 2 s blocks,
 * 2-block rounds, 6 lanes, a target for ~2 s blocks on a shared machine (2^targetBits, default
 * 2^225). Written to `dir`.
 */
export async function shortRoundGenesis(dir: string, opts: { targetBits?: number } = {}): Promise<{ file: string; devKeys: { privateKey: string; address: string }[] }> {
  const devnet = JSON.parse(await readFile(join(ROOT, 'genesis', 'devnet.json'), 'utf8'));
  devnet.time = Math.floor(Date.now() / 1000);
  devnet.params.blockTimeSeconds = 2;
  devnet.params.initialTarget = '0x' + (1n << BigInt(opts.targetBits ?? 225)).toString(16).padStart(64, '0');
  Object.assign(devnet.params.training, { roundBlocks: 2, maxContributionsPerBlock: 8 });
  const file = join(dir, 'genesis-short-rounds.json');
  await writeFile(file, JSON.stringify(devnet));
  return { file, devKeys: devnet.devKeys };
}
