// The training sets a node holds, by content hash (consensus/training/dataset.ts datasetHash): a
// step fraud proof re-executes one local step on the samples of the lane's shard, so the state
// transition needs the bytes the chain's datasetHash names. They are not in state (the genesis
// commits to their hash, every node checks its copy at start): whoever loads a training set
// registers it here (genesis/datasets/mnist.ts does), and the VM looks it up by the hash. A lookup
// by content hash of data checked against that hash is a pure function of consensus data.
import { toHex } from '../../consensus/bytes.ts';
import { datasetHash, type Dataset } from '../../consensus/training/dataset.ts';

const sets = new Map<string, Dataset>();

/** Registers `d` under its content hash; returns the hash. */
export function registerTrainingSet(d: Dataset): Uint8Array {
  const h = datasetHash(d);
  sets.set(toHex(h), d);
  return h;
}

/** The registered training set with content hash `hash`. */
export function trainingSetByHash(hash: Uint8Array): Dataset | undefined {
  return sets.get(toHex(hash));
}

/**
 * The training set of `hash` for the state transition. Not having it is the node's fault, not the
 * block's: a plain Error (the node must load its genesis's training set before it imports blocks).
 */
export function requireTrainingSet(hash: Uint8Array): Dataset {
  const d = trainingSetByHash(hash);
  if (!d) throw new Error(`training set ${toHex(hash)} is not loaded: a step fraud proof cannot be re-executed without it`);
  return d;
}
