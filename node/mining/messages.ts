// Messages between the node (main thread) and its miner worker (node/mining/worker.ts).
import type { Checkpoint } from '../../consensus/training/checkpoint.ts';
import type { Dataset } from '../../consensus/training/dataset.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import type { BackendName } from '../../miner/backends/types.ts';
import type { MinedContribution, MinerLoopOpts, MinerStats, MinerWork } from '../../miner/loop.ts';

/** workerData of the miner worker: the miner loop's options plus the backend to pick. */
export interface MinerWorkerData extends MinerLoopOpts {
  readonly backend: BackendName | 'auto';
  readonly threads?: number;
}

/** node -> miner */
export type ToMiner =
  | { type: 'work'; work: MinerWork }
  /** W_{R,m,s} of the miner's lane (MinerLoop.getStepData); answered by a 'stepData' with the same id. */
  | { type: 'stepData'; id: number; round: number; lane: number; step: number }
  /** On start: own lanes of a round of the challenge window finished before a restart (W_R, step roots, the round's task and training set). */
  | { type: 'restore'; round: number; checkpoint: Checkpoint; lanes: { lane: number; roots: Uint8Array[] }[]; task?: TrainingTask; data?: Dataset }
  | { type: 'stop' };

/** miner -> node */
export type FromMiner =
  | { type: 'ready'; backend: string; detail: string; trainSamples: number }
  | { type: 'ticket'; seal: Uint8Array; parent: Uint8Array; filler: boolean }
  /** A finished lane: its leaf and delta (the node aggregates lanes into its parts and signs them). */
  | ({ type: 'contribution' } & MinedContribution)
  | { type: 'stats'; stats: MinerStats }
  /** weights: W_{R,m,s} per layer, absent when not kept; error: the regeneration failed. */
  | { type: 'stepData'; id: number; weights?: Int32Array[]; error?: string }
  | { type: 'error'; message: string }
  | { type: 'stopped' };
