// The node's JSON-RPC methods, named area_verb. Params are positional arrays. Amounts and
// other u64 values are decimal strings; hashes, addresses and bytes are 0x hex. A lookup that
// finds nothing returns null.
import { bytesEqual, fromHex, to0x } from '../../consensus/bytes.ts';
import { decodeRewards, StateKind } from '../../vm/keys.ts';
import type { State } from '../../vm/state.ts';
import { blockHash, decodeTx, txHash } from '../../consensus/encoding/index.ts';
import { recoverTxSender } from '../../consensus/crypto/index.ts';
import { ChallengeKind, TypeTag, type Block, type Tx } from '../../consensus/types.ts';
import { actionJson, governanceMethods, VOTE_NAMES } from './governance.ts';
import type { Chain } from '../chain/chain.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { badParams, RpcError, RpcErrorCode } from './errors.ts';
import type { Json, RpcMethod, RpcMethods } from './jsonrpc.ts';
import type { TrainingTracker } from '../model/tracker.ts';
import type { MiningService } from '../mining/service.ts';
import { trainingMethods } from './training.ts';
import { readBond } from '../../vm/round/state.ts';
import type { Network } from '../network/network.ts';
import { decodeTicket } from '../../consensus/pouw/ticket.ts';
import { POUW_SEAL_NAME } from '../../consensus/seal-pouw.ts';
import { decodeSignedPart } from '../../consensus/training/part.ts';

export interface RpcContext {
  chain: Chain;
  mempool: Mempool;
  /** Present on a chain with training: the model tracker, and the miner when mining. */
  training?: { tracker: TrainingTracker; mining?: MiningService };
  /** Present when the node is on the peer-to-peer network. */
  network?: Network;
  /** Methods of other parts (network, attribution...), served beside these and listed by rpc_methods. */
  extra?: RpcMethods;
}

/** chain_getBlock with includeTxs returns at most this many full txs per call (page with txOffset). */
export const MAX_FULL_TXS = 1000;
/** mempool_list returns at most this many txs per call (page with offset). */
export const MAX_LIST_TXS = 1000;

/** The calls a batch may hold at most MAX_HEAVY_PER_BATCH of: a full block (sender recovery per tx), a checkpoint (megabytes). */
export function isHeavyCall(method: string, params: unknown): boolean {
  if (method === 'training_getCheckpoint') return true;
  return method === 'chain_getBlock' && Array.isArray(params) && params[1] === true;
}

function offsetParam(v: unknown, name: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badParams(`${name} must be a non-negative integer`);
  return v;
}

const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
const ADDR_RE = /^0x[0-9a-fA-F]{40}$/;

function args(params: unknown, min: number, max: number, usage: string): unknown[] {
  const a = params === undefined ? [] : params;
  if (!Array.isArray(a) || a.length < min || a.length > max) throw badParams(`expected ${usage}`);
  return a;
}

function hashParam(v: unknown, name: string): Uint8Array {
  if (typeof v !== 'string' || !HASH_RE.test(v)) throw badParams(`${name} must be 0x and 64 hex digits`);
  return fromHex(v);
}

export function txJson(tx: Tx, from?: Uint8Array): { [k: string]: Json } {
  let sender: string | null = from ? to0x(from) : null;
  if (!sender) {
    try {
      sender = to0x(recoverTxSender(tx));
    } catch {
      sender = null;
    }
  }
  const common = { hash: to0x(txHash(tx)), from: sender, chainId: tx.chainId, nonce: tx.nonce, fee: tx.fee.toString(), sig: to0x(tx.sig) };
  switch (tx.type) {
    case TypeTag.Transfer:
      return { type: 'transfer', ...common, to: to0x(tx.to), amount: tx.amount.toString() };
    case TypeTag.Bond:
      return { type: 'bond', ...common, amount: tx.amount.toString() };
    case TypeTag.Unbond:
      return { type: 'unbond', ...common, amount: tx.amount.toString() };
    case TypeTag.RegisterData:
      return {
        type: 'registerData', ...common, contributor: to0x(tx.contributor), royaltyBps: tx.royaltyBps, dim: tx.dim, samples: tx.labels.length,
      };
    case TypeTag.PayRoyalty:
      return { type: 'payRoyalty', ...common, amount: tx.amount.toString() };
    case TypeTag.Propose:
      return { type: 'propose', ...common, amount: tx.amount.toString(), action: actionJson(tx.action) };
    case TypeTag.Deposit:
      return { type: 'deposit', ...common, proposal: tx.proposal, amount: tx.amount.toString() };
    case TypeTag.Vote:
      return { type: 'vote', ...common, proposal: tx.proposal, option: VOTE_NAMES[tx.option] };
    case TypeTag.Equivocation:
      return {
        type: 'equivocation', ...common, miner: to0x(tx.first.miner), parent: to0x(tx.first.parent), height: tx.first.height,
        headers: [to0x(blockHash(tx.first)), to0x(blockHash(tx.second))],
      };
    case TypeTag.Challenge:
      return {
        type: 'challenge', ...common, kind: (['step', 'aggregate', 'request', 'answer'] as const)[tx.proof.kind], partBytes: tx.part.length,
        ...(tx.proof.kind === ChallengeKind.Step ? { lane: tx.proof.lane, step: tx.proof.step } : tx.proof.kind === ChallengeKind.Aggregate ? { index: tx.proof.index, lanes: tx.proof.lanes.length } : { lane: tx.proof.lane }),
      };
  }
}

async function blockJson(ctx: RpcContext, hash: Uint8Array, block: Block, fullTxs: boolean, txOffset = 0): Promise<Json> {
  const h = block.header;
  return {
    hash: to0x(hash),
    height: h.height,
    parent: to0x(h.parent),
    time: h.time,
    version: h.version,
    chainId: h.chainId,
    stateRoot: to0x(h.stateRoot),
    txRoot: to0x(h.txRoot),
    contributionsRoot: to0x(h.contributionsRoot),
    checkpointRoot: to0x(h.checkpointRoot),
    target: '0x' + h.target.toString(16).padStart(64, '0'),
    seal: to0x(h.seal),
    sealBytes: h.seal.length,
    ticket: ticketJson(ctx, h.seal),
    miner: to0x(h.miner),
    sig: to0x(h.sig),
    canonical: await ctx.chain.isCanonical(hash),
    totalWork: (ctx.chain.totalWorkOf(hash) ?? 0n).toString(),
    txCount: block.txs.length,
    contributionCount: block.contributions.length,
    contributions: contributionsJson(ctx, block),
    ...(fullTxs
      ? {
          // at most MAX_FULL_TXS full txs (one sender recovery each) per call
          txs: block.txs.slice(txOffset, txOffset + MAX_FULL_TXS).map((t) => txJson(t)),
          txOffset,
          nextTxOffset: txOffset + MAX_FULL_TXS < block.txs.length ? txOffset + MAX_FULL_TXS : null,
        }
      : { txs: block.txs.map((t) => to0x(txHash(t))) }),
  };
}

/** Rewards locked for `address` (block and round rewards, unbonded amounts), by the height that credits them. */
function lockedRewardsOf(state: State, address: Uint8Array): { maturesAt: number; amount: bigint }[] {
  const out: { maturesAt: number; amount: bigint }[] = [];
  for (const k of state.keysWithPrefix(new Uint8Array([StateKind.LockedRewards]))) {
    const v = state.get(k);
    if (!v || k.length !== 5) continue;
    const r = decodeRewards(v).find((x) => bytesEqual(x.address, address));
    if (r) out.push({ maturesAt: new DataView(k.buffer, k.byteOffset + 1, 4).getUint32(0), amount: r.amount });
  }
  return out;
}

/** The winning ticket of a proof-of-useful-work seal, without its Merkle proofs; null for other seals. */
function ticketJson(ctx: RpcContext, seal: Uint8Array): Json {
  if (ctx.chain.params.sealName !== POUW_SEAL_NAME || seal.length === 0) return null;
  try {
    const t = decodeTicket(seal);
    return {
      round: t.round, miner: to0x(t.miner), lane: t.lane, step: t.step, jobId: t.jobId,
      m: t.m, k: t.k, n: t.n, r: t.r, tile: { i: t.ti, j: t.tj, h: t.h, w: t.w }, tileHash: to0x(t.hash),
    };
  } catch {
    return null;
  }
}

/** Whose parts of which round, with which lanes, a block carries (D is not shown). */
function contributionsJson(ctx: RpcContext, block: Block): Json[] {
  const task = ctx.chain.params.training?.task;
  if (!task) return [];
  return block.contributions.map((bytes): Json => {
    try {
      const c = decodeSignedPart(task, bytes);
      return { miner: to0x(c.miner), round: c.round, laneStart: c.laneStart, laneCount: c.laneCount, lanesRoot: to0x(c.lanesRoot), openings: c.openings.length, bytes: bytes.length };
    } catch {
      return { bytes: bytes.length };
    }
  });
}

export function rpcMethods(ctx: RpcContext): RpcMethods {
  const { chain, mempool } = ctx;
  const methods: Record<string, RpcMethod> = {
    /** The names of the methods this node serves (clients such as the explorer show what exists). */
    rpc_methods: (params) => {
      args(params, 0, 0, 'no params');
      return Object.keys(methods).sort();
    },

    chain_head: (params) => {
      args(params, 0, 0, 'no params');
      const h = chain.head();
      return {
        hash: to0x(h.hash),
        height: h.header.height,
        time: h.header.time,
        stateRoot: to0x(h.header.stateRoot),
        totalWork: h.totalWork.toString(),
        genesis: to0x(chain.genesisHash),
        chainId: chain.params.chainId,
      };
    },

    chain_getBlock: async (params) => {
      const [id, full, off] = args(params, 1, 3, '[height | hash, includeTxs?, txOffset?]');
      if (full !== undefined && typeof full !== 'boolean') throw badParams('includeTxs must be a boolean');
      const txOffset = offsetParam(off, 'txOffset');
      let found: { hash: Uint8Array; block: Block } | undefined;
      if (typeof id === 'number') {
        if (!Number.isSafeInteger(id) || id < 0) throw badParams('height must be a non-negative integer');
        found = await chain.getBlockByHeight(id);
      } else {
        const hash = hashParam(id, 'block hash');
        const block = await chain.getBlock(hash);
        found = block && { hash, block };
      }
      return found ? blockJson(ctx, found.hash, found.block, full === true, txOffset) : null;
    },

    chain_getTx: async (params): Promise<Json> => {
      const [h] = args(params, 1, 1, '[tx hash]');
      const hash = hashParam(h, 'tx hash');
      const loc = await chain.getTx(hash);
      if (loc) return { status: 'included', blockHash: to0x(loc.blockHash), height: loc.height, index: loc.index, tx: txJson(loc.tx) };
      const pooled = mempool.get(hash);
      if (pooled) return { status: 'pending', tx: txJson(pooled.tx, pooled.sender) };
      return null;
    },

    state_getAccount: (params) => {
      const [a] = args(params, 1, 1, '[address]');
      if (typeof a !== 'string' || !ADDR_RE.test(a)) throw badParams('address must be 0x and 40 hex digits');
      const address = fromHex(a);
      const acct = chain.state().getAccount(address);
      const pending = mempool.list().filter((e) => e.senderHex === a.slice(2).toLowerCase()).length;
      const out: { [k: string]: Json } = { address: to0x(address), balance: acct.balance.toString() };
      if (chain.params.training) out.bond = readBond(chain.state(), address).toString();
      const locked = lockedRewardsOf(chain.state(), address);
      out.locked = locked.map((l) => ({ maturesAt: l.maturesAt, amount: l.amount.toString() }));
      out.lockedTotal = locked.reduce((s, l) => s + l.amount, 0n).toString();
      return { ...out, nonce: acct.nonce, pendingNonce: acct.nonce + pending, height: chain.head().header.height };
    },

    tx_send: (params) => {
      const [hex] = args(params, 1, 1, '[signed tx bytes as 0x hex]');
      if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(hex)) throw badParams('tx must be 0x-prefixed hex bytes');
      const tx = decodeTx(fromHex(hex));
      const { entry, replaced } = mempool.add(tx, chain.state());
      void ctx.network?.publishTx(tx);
      return { hash: to0x(entry.hash), ...(replaced ? { replaced: to0x(replaced) } : {}) };
    },

    mempool_list: (params) => {
      const [off, lim] = args(params, 0, 2, '[offset?, limit? (<= ' + MAX_LIST_TXS + ')]');
      const offset = offsetParam(off, 'offset');
      const limit = lim === undefined ? MAX_LIST_TXS : offsetParam(lim, 'limit');
      if (limit > MAX_LIST_TXS) throw new RpcError(RpcErrorCode.LIMIT_EXCEEDED, `Limit exceeded: limit ${limit} > ${MAX_LIST_TXS}`, { code: 'RPC_LIMIT_EXCEEDED', context: { what: 'mempool_list limit', limit: MAX_LIST_TXS, got: limit } });
      const list = mempool.list();
      return { size: list.length, offset, txs: list.slice(offset, offset + limit).map((e) => txJson(e.tx, e.sender)) };
    },

    net_status: (params) => {
      args(params, 0, 0, 'no params');
      const n = ctx.network;
      if (!n) return { enabled: false };
      const sync = n.sync.progress;
      return {
        enabled: true,
        peerId: n.peerId,
        addresses: n.addresses(),
        peers: n.peerList().length,
        height: chain.head().header.height,
        syncing: sync.syncing,
        ...(sync.syncing ? { syncTarget: sync.target ?? null } : {}),
        syncedBlocks: sync.imported,
        orphans: n.orphans.size,
        banned: [...n.peers.banned()].map(([id, b]) => ({ id, until: b.until, reason: b.reason })),
        gossip: n.verdicts(),
      };
    },

    net_addPeer: async (params) => {
      const [addr] = args(params, 1, 1, '[multiaddr with /p2p/<peer id>]');
      if (typeof addr !== 'string' || addr.length > 512) throw badParams('multiaddr must be a string');
      if (!ctx.network) throw badParams('the node runs without P2P');
      await ctx.network.addPeer(addr);
      return { added: addr, peers: ctx.network.peerList().length };
    },

    net_peers: (params) => {
      args(params, 0, 0, 'no params');
      return (ctx.network?.peerList() ?? []) as unknown as Json;
    },

    ...trainingMethods(ctx),
    ...governanceMethods(ctx),
    ...ctx.extra,
  };
  return methods;
}
