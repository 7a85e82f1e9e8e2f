// Adversarial fixtures: a real Chain over LevelDB on the devnet genesis (its task, job shapes,
// noise rank, tile shape, seal and bonded dev keys), with the target raised so that about one tile
// in `odds` wins (the attacks do not depend on the target; honest tickets then take one job's
// product instead of minutes), and honest tickets mined through the real ticket path.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateKey, signHeader } from '../../consensus/crypto/index.ts';
import { blockHash } from '../../consensus/encoding/header.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { MatmulJob } from '../../consensus/matmul.ts';
import type { TicketProof } from '../../consensus/pouw/ticket.ts';
import { encodeTicket } from '../../consensus/pouw/ticket.ts';
import { pouwSeal } from '../../consensus/seal-pouw.ts';
import type { Seal } from '../../consensus/seal.ts';
import { stepJobShapes } from '../../consensus/training/step.ts';
import type { Block, BlockHeader, Tx } from '../../consensus/types.ts';
import { buildGenesis, loadDevnetSpec, type Genesis, type GenesisSpec } from '../../genesis/index.ts';
import type { TileBackend } from '../../miner/backends/types.ts';
import { WasmBackend } from '../../miner/backends/wasm/backend.ts';
import { ticketMatmul } from '../../miner/ticket-matmul.ts';
import { Chain } from '../../node/chain/chain.ts';
import { ChainDb } from '../../node/db/db.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { buildBlock } from '../../vm/build-block.ts';
import type { State } from '../../vm/state.ts';
import { int7 } from '../unit/consensus/pouw/helpers.ts';

export interface DevnetChain {
  readonly spec: GenesisSpec;
  readonly params: ChainParams;
  readonly genesis: Genesis;
  /** The devnet's dev keys (bonded at genesis). */
  readonly keys: readonly PrivateKey[];
  readonly chain: Chain;
  readonly db: ChainDb;
  close(): Promise<void>;
}

function countingSeal(seal: Seal, onVerify?: () => void): Seal {
  if (!onVerify) return seal;
  return Object.freeze({ ...seal, verify: (h: BlockHeader, parent: BlockHeader) => (onVerify(), seal.verify(h, parent)) });
}

/** The devnet genesis with a target at which about one tile in `odds` wins. */
export function devnetSpec(odds = 4): GenesisSpec {
  const spec = loadDevnetSpec();
  const t = spec.params.training!;
  const macsPerTile = BigInt(t.pouw.h * t.pouw.w * stepJobShapes(t.task)[0]![1]);
  const target = (1n << 256n) / macsPerTile / BigInt(odds);
  const params: ChainParams = { ...spec.params, initialTarget: target, maxTarget: target > spec.params.maxTarget ? target : spec.params.maxTarget };
  return { ...spec, params };
}

export interface DevnetChainOpts {
  maxRememberedFailures?: number;
  maxQueuedImports?: number;
  maxQueuedBytes?: number;
  /** Called on every seal verification (to count what the import path pays for). */
  onSealVerify?: () => void;
}

export async function openDevnetChain(odds = 4, o: DevnetChainOpts = {}): Promise<DevnetChain> {
  const { onSealVerify, ...opts } = o;
  const spec = devnetSpec(odds);
  const genesis = buildGenesis(spec);
  const dir = await mkdtemp(join(tmpdir(), 'tessera-adv-'));
  const db = new ChainDb({ path: dir });
  await db.open();
  const chain = await Chain.open(
    { params: spec.params, genesis, now: () => spec.time + 1_000_000, ...opts },
    { db, logger: silentLogger, seal: countingSeal(pouwSeal(spec.params), onSealVerify) },
  );
  return {
    spec, params: spec.params, genesis, chain, db,
    keys: spec.devKeys.map((k) => PrivateKey.fromBytes(k.privateKey)),
    async close() {
      await chain.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A ticket job of the devnet task (jobId 0: X·W1) with given or deterministic operands. */
export function devnetJob(p: ChainParams, label = 'adv', step = 0, jobId = 0): MatmulJob {
  const [m, k, n] = stepJobShapes(p.training!.task)[jobId]!;
  return { step, jobId, m, k, n, a: int7(`${label}-a`, m * k), b: int7(`${label}-b`, k * n) };
}

/**
 * Honest winning tickets of one job on `parent` by `miner`, through the real ticket path (WebAssembly
 * backend; pass `backend` to reuse one across calls, else one is started and closed here).
 */
export async function honestTickets(
  p: ChainParams, parent: BlockHeader, miner: Uint8Array, target: bigint, job = devnetJob(p), lane = 0, backend?: TileBackend,
): Promise<TicketProof[]> {
  const out: TicketProof[] = [];
  const be = backend ?? (await WasmBackend.create({ threads: 2 }));
  try {
    await ticketMatmul({ parent: blockHash(parent), miner, round: 0, lane, target, spec: p.training!.pouw }, be, (w) => out.push(w.proof))(job);
  } finally {
    if (!backend) await be.close();
  }
  return out;
}

/** A block on `parent` (post-state `pre`) sealed with `ticket`, signed by `signer`. */
export function sealedBlock(
  p: ChainParams,
  pre: State,
  parent: BlockHeader,
  ticket: TicketProof,
  signer: PrivateKey,
  o: { txs?: readonly Tx[]; time?: number; target?: bigint; miner?: Uint8Array; seal?: Uint8Array } = {},
): Block {
  return buildBlock(
    pre,
    {
      parent, time: o.time ?? parent.time + p.blockTimeSeconds, target: o.target ?? p.initialTarget, miner: o.miner ?? ticket.miner,
      seal: o.seal ?? encodeTicket(ticket), txs: o.txs ?? [], contributions: [], signer,
    },
    p,
  ).block;
}

/**
 * `block` with its header's seal (and miner) replaced and re-signed by `signer`: for seals the block
 * builder itself would refuse (it runs the VM's ticket checks), so that the chain's import sees them.
 */
export function swapSeal(block: Block, ticket: TicketProof, signer: PrivateKey, miner = ticket.miner): Block {
  return { ...block, header: signHeader({ ...block.header, seal: encodeTicket(ticket), miner }, signer) };
}
