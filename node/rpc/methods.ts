// The node's JSON-RPC methods, named area_verb. Params are positional arrays. Amounts and
// other u64 values are decimal strings; hashes, addresses and bytes are 0x hex. A lookup that
// finds nothing returns null.
import { fromHex, to0x } from '../../consensus/bytes.ts';
import { blockHash, decodeTx, txHash } from '../../consensus/encoding/index.ts';
import { recoverTxSender } from '../../consensus/crypto/index.ts';
import { TypeTag, type Block, type Tx } from '../../consensus/types.ts';
import type { Chain } from '../chain/chain.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { badParams } from './errors.ts';
import type { Json, RpcMethods } from './jsonrpc.ts';
import type { TrainingTracker } from '../model/tracker.ts';
import type { MiningService } from '../mining/service.ts';
import { trainingMethods } from './training.ts';
import { readBond } from '../../vm/round/state.ts';

export interface RpcContext {
  chain: Chain;
  mempool: Mempool;
  /** Present on a chain with training: the model tracker, and the miner when mining. */
  training?: { tracker: TrainingTracker; mining?: MiningService };
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
    case TypeTag.Equivocation:
      return {
        type: 'equivocation', ...common, miner: to0x(tx.first.miner), parent: to0x(tx.first.parent), height: tx.first.height,
        headers: [to0x(blockHash(tx.first)), to0x(blockHash(tx.second))],
      };
  }
}

async function blockJson(ctx: RpcContext, hash: Uint8Array, block: Block, fullTxs: boolean): Promise<Json> {
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
    miner: to0x(h.miner),
    sig: to0x(h.sig),
    canonical: await ctx.chain.isCanonical(hash),
    totalWork: (ctx.chain.totalWorkOf(hash) ?? 0n).toString(),
    txCount: block.txs.length,
    txs: fullTxs ? block.txs.map((t) => txJson(t)) : block.txs.map((t) => to0x(txHash(t))),
  };
}

export function rpcMethods(ctx: RpcContext): RpcMethods {
  const { chain, mempool } = ctx;
  return {
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
      const [id, full] = args(params, 1, 2, '[height | hash, includeTxs?]');
      if (full !== undefined && typeof full !== 'boolean') throw badParams('includeTxs must be a boolean');
      let found: { hash: Uint8Array; block: Block } | undefined;
      if (typeof id === 'number') {
        if (!Number.isSafeInteger(id) || id < 0) throw badParams('height must be a non-negative integer');
        found = await chain.getBlockByHeight(id);
      } else {
        const hash = hashParam(id, 'block hash');
        const block = await chain.getBlock(hash);
        found = block && { hash, block };
      }
      return found ? blockJson(ctx, found.hash, found.block, full === true) : null;
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
      return { ...out, nonce: acct.nonce, pendingNonce: acct.nonce + pending, height: chain.head().header.height };
    },

    tx_send: (params) => {
      const [hex] = args(params, 1, 1, '[signed tx bytes as 0x hex]');
      if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(hex)) throw badParams('tx must be 0x-prefixed hex bytes');
      const tx = decodeTx(fromHex(hex));
      const { entry, replaced } = mempool.add(tx, chain.state());
      return { hash: to0x(entry.hash), ...(replaced ? { replaced: to0x(replaced) } : {}) };
    },

    mempool_list: (params) => {
      args(params, 0, 0, 'no params');
      const list = mempool.list();
      return { size: list.length, txs: list.map((e) => txJson(e.tx, e.sender)) };
    },

    ...trainingMethods(ctx),
  };
}
