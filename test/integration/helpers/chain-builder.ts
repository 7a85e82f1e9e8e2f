// Test-only chain building: a genesis whose params name the TEST seal, and blocks sealed with
// it (a seal that proves nothing; the node binary refuses it). Used by node tests, the
// SIGKILL child script and bench/import.bench.ts.
import { loadDevnetSpec, buildGenesis, type Genesis, type GenesisSpec } from '../../../genesis/index.ts';
import { PrivateKey, signHeader, signTx } from '../../../consensus/crypto/index.ts';
import { keyOfMiner, testKey } from '../../fixtures/chain.ts';
import { expectedTarget } from '../../../consensus/difficulty.ts';
import { toHex } from '../../../consensus/bytes.ts';
import { blockHash, computeContributionsRoot, computeTxRoot } from '../../../consensus/encoding/index.ts';
import { testSealFor } from '../../../consensus/seal.ts';
import type { ChainParams } from '../../../consensus/params.ts';
import { TypeTag, type Block, type BlockHeader, type TransferTx, type Tx } from '../../../consensus/types.ts';
import { applyTxs, type State } from '../../../vm/index.ts';

export interface TestNet {
  readonly spec: GenesisSpec;
  readonly params: ChainParams;
  readonly genesis: Genesis;
  /** Keys holding the genesis allocations. */
  readonly keys: readonly PrivateKey[];
}

/** The devnet spec without training, with the test seal (and, optionally, more funded keys). */
export function testNet(extraKeys = 0): TestNet {
  const dev = loadDevnetSpec();
  const keys = dev.devKeys.map((k) => PrivateKey.fromBytes(k.privateKey));
  for (let i = 0; i < extraKeys; i++) {
    const b = new Uint8Array(32);
    b[0] = 0x5e;
    b[28] = (i >> 24) & 0xff;
    b[29] = (i >> 16) & 0xff;
    b[30] = (i >> 8) & 0xff;
    b[31] = (i & 0xff) + 1;
    keys.push(PrivateKey.fromBytes(b));
  }
  // no `training` section: a chain without rounds, sealed by the test seal
  const { training: _training, ...plain } = dev.params;
  const params: ChainParams = Object.freeze({ ...plain, sealName: 'test' });
  const spec: GenesisSpec = Object.freeze({
    ...dev,
    params,
    bonds: Object.freeze([]),
    checkpointRoot: new Uint8Array(32),
    allocations: Object.freeze(keys.map((k) => Object.freeze({ address: k.address(), balance: 1_000_000_000_000n }))),
  });
  return { spec, params, genesis: buildGenesis(spec), keys };
}

/** A `now` far enough after genesis that no test block is "too new". */
export function testNow(net: TestNet): () => number {
  return () => net.spec.time + 100_000_000;
}

export function transfer(net: TestNet, from: PrivateKey, nonce: number, to: Uint8Array, amount: bigint, fee = net.params.minFee): TransferTx {
  return signTx({ type: TypeTag.Transfer, chainId: net.params.chainId, nonce, fee, to, amount, sig: new Uint8Array(0) }, from);
}

/** block hash hex -> time of block 1 on its branch, for every block built here (the ASERT anchor). */
const block1Times = new Map<string, number>();

/** Time of block 1 on `parent`'s branch; `parent` must be genesis or a block built by this helper. */
export function block1TimeOf(parent: BlockHeader): number | undefined {
  if (parent.height === 0) return undefined;
  if (parent.height === 1) return parent.time;
  const t = block1Times.get(toHex(blockHash(parent)));
  if (t === undefined) throw new Error('chain-builder: parent was not built by this helper, its block 1 is unknown');
  return t;
}

export interface Built {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly state: State;
}

/**
 * A valid test-sealed child of `parent` (whose post-state is `pre`) carrying `txs`. `spacing`
 * (seconds after the parent, default the block time) changes the ASERT target of the *next*
 * block; `miner` picks the reward address and the signing key (a key, or a test key's address; use it to make sibling blocks differ).
 */
export function buildBlock(net: TestNet, parent: { header: BlockHeader }, pre: State, txs: readonly Tx[], opts: { spacing?: number; miner?: Uint8Array | PrivateKey } = {}): Built {
  const p = net.params;
  const ph = parent.header;
  const key = keyOfMiner(opts.miner ?? testKey(77));
  const miner = key.address();
  const height = ph.height + 1;
  const result = applyTxs(pre, { height, miner }, txs, p);
  const unsealed: BlockHeader = {
    version: p.version,
    chainId: p.chainId,
    height,
    parent: blockHash(ph),
    time: ph.time + (opts.spacing ?? p.blockTimeSeconds),
    stateRoot: result.stateRoot,
    txRoot: computeTxRoot(txs),
    contributionsRoot: computeContributionsRoot([]),
    checkpointRoot: ph.checkpointRoot,
    target: expectedTarget(ph, block1TimeOf(ph), p),
    seal: new Uint8Array(0),
    miner,
    sig: new Uint8Array(0),
  };
  const header: BlockHeader = signHeader({ ...unsealed, seal: testSealFor(unsealed) }, key);
  const block: Block = Object.freeze({ header, txs: Object.freeze([...txs]), contributions: Object.freeze([]) });
  const hash = blockHash(header);
  block1Times.set(toHex(hash), height === 1 ? header.time : block1TimeOf(ph)!);
  return { block, hash, state: result.state };
}

/** `n` blocks on top of `from`, each with `txsPerBlock` transfers between the net's keys. */
export function buildChain(
  net: TestNet,
  from: { header: BlockHeader; state: State },
  n: number,
  opts: { txsPerBlock?: number; miner?: Uint8Array | PrivateKey; nonces?: Map<number, number>; amount?: bigint } = {},
): Built[] {
  const out: Built[] = [];
  let parent = { header: from.header };
  let state = from.state;
  const nonces = opts.nonces ?? new Map<number, number>();
  const keyCount = net.keys.length;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const txs: Tx[] = [];
    for (let t = 0; t < (opts.txsPerBlock ?? 0); t++) {
      const idx = k++ % keyCount;
      const key = net.keys[idx]!;
      const nonce = nonces.get(idx) ?? state.getAccount(key.address()).nonce;
      nonces.set(idx, nonce + 1);
      txs.push(transfer(net, key, nonce, net.keys[(idx + 1) % keyCount]!.address(), opts.amount ?? 1n + BigInt(i)));
    }
    const b = buildBlock(net, parent, state, txs, opts.miner ? { miner: opts.miner } : {});
    out.push(b);
    parent = b.block;
    state = b.state;
  }
  return out;
}
