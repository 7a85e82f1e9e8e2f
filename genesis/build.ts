// Block 0 and its state, deterministic from the spec.
import { EMPTY_ROOT } from '../consensus/merkle.ts';
import { ZERO_HASH } from '../consensus/hash.ts';
import { blockHash } from '../consensus/encoding/header.ts';
import { genesisAnchor, type AsertAnchor } from '../consensus/difficulty.ts';
import type { Block, BlockHeader } from '../consensus/types.ts';
import { State } from '../vm/state.ts';
import { accountKey, encodeAccount } from '../vm/keys.ts';
import { initCheckpoint } from '../consensus/training/checkpoint.ts';
import { bondKey, encodeAmount } from '../vm/round/keys.ts';
import { openRoundEntries, readRound } from '../vm/round/state.ts';
import type { GenesisSpec } from './spec.ts';
import { registryEntries } from '../vm/data/genesis.ts';
import { loadMnist } from './datasets/mnist.ts';
import type { Dataset } from '../consensus/training/dataset.ts';

/** The built-in datasets a genesis registration may name (BUILTIN_DATASETS in spec.ts). */
export function builtinDataset(name: string): Dataset {
  if (name === 'mnist-train') return loadMnist().train;
  throw new RangeError(`unknown built-in dataset ${name}`);
}

export interface Genesis {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly state: State;
  /** The ASERT anchor of this chain. */
  readonly anchor: AsertAnchor;
}

/** Allocations; with training also the bonds and round 0 opened on initCheckpoint(task). */
export function genesisState(spec: GenesisSpec): State {
  const entries: Array<readonly [Uint8Array, Uint8Array]> = spec.allocations.map(
    (a) => [accountKey(a.address), encodeAccount({ balance: a.balance, nonce: 0 })] as const,
  );
  const t = spec.params.training;
  if (t) {
    entries.push(...openRoundEntries(t.task, 0, 0, initCheckpoint(t.task)));
    for (const b of spec.bonds ?? []) entries.push([bondKey(b.address), encodeAmount(b.balance)]);
    const dim = t.task.layers[0]!;
    const regs = (spec.data?.registrations ?? []).map((r) => {
      const d = builtinDataset(r.source);
      return {
        contributor: r.contributor, royaltyBps: r.royaltyBps, source: `${r.source}:${r.from}-${r.to}`,
        pixels: new Uint8Array(d.x.buffer, d.x.byteOffset + r.from * dim, (r.to - r.from) * dim), labels: d.y.subarray(r.from, r.to),
      };
    });
    entries.push(...registryEntries(dim, t.task.layers[t.task.layers.length - 1]!, regs));
  }
  return State.fromEntries(entries);
}

export function buildGenesis(spec: GenesisSpec): Genesis {
  const state = genesisState(spec);
  const header: BlockHeader = Object.freeze({
    version: spec.params.version,
    chainId: spec.chainId,
    height: 0,
    parent: ZERO_HASH,
    time: spec.time,
    stateRoot: state.root(),
    txRoot: EMPTY_ROOT,
    contributionsRoot: EMPTY_ROOT,
    checkpointRoot: readRound(state)?.checkpointRoot ?? spec.checkpointRoot,
    target: spec.params.initialTarget,
    seal: new Uint8Array(0),
    miner: new Uint8Array(20),
    sig: new Uint8Array(0), // genesis is not mined: no miner, no signature
  });
  const block: Block = Object.freeze({ header, txs: Object.freeze([]), contributions: Object.freeze([]) });
  return Object.freeze({ block, hash: blockHash(header), state, anchor: genesisAnchor(spec.time, spec.params) });
}
