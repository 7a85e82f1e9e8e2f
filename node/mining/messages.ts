// Messages between the node (main thread) and its miner worker (node/mining/worker.ts).
import type { TrainingTask } from '../../consensus/training/spec.ts';
import type { PouwSpec } from '../../consensus/pouw/spec.ts';
import type { BackendName } from '../../miner/backends/types.ts';
import type { MinerStats, MinerWork } from '../../miner/loop.ts';

/** workerData of the miner worker. */
export interface MinerWorkerData {
  readonly task: TrainingTask;
  readonly pouw: PouwSpec;
  readonly maxLanes: number;
  readonly miner: Uint8Array;
  readonly keepRounds: number;
  readonly backend: BackendName | 'auto';
  readonly threads?: number;
}

/** node -> miner */
export type ToMiner = { type: 'work'; work: MinerWork } | { type: 'stop' };

/** miner -> node */
export type FromMiner =
  | { type: 'ready'; backend: string; detail: string; trainSamples: number }
  | { type: 'ticket'; seal: Uint8Array; parent: Uint8Array; filler: boolean }
  | { type: 'contribution'; round: number; lane: number; bytes: Uint8Array; macs: number; lossMilli: number; accuracyBp: number }
  | { type: 'stats'; stats: MinerStats }
  | { type: 'error'; message: string }
  | { type: 'stopped' };
