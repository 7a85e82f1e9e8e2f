// What the miner trains in the open round of a state: the task in effect (governance may replace
// the genesis task at a round boundary: vm/governance/task-switch.ts) and the training set (the
// registered samples active in the round: vm/data/training-set.ts; data registered during a round
// joins at its close). The mining service hands both to its worker with the work of each round
// whose task or set differs from what it sent last; the keys say cheaply whether they differ.
import { concatBytes, toHex, u32be } from '../../consensus/bytes.ts';
import { sha256 } from '../../consensus/hash.ts';
import type { Dataset } from '../../consensus/training/dataset.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { builtinDataset } from '../../genesis/build.ts';
import { readRegistrations, readRegistry } from '../../vm/data/registry.ts';
import { trainingSetOf } from '../../vm/data/training-set.ts';
import { taskKey } from '../../vm/governance/keys.ts';
import { taskAt } from '../../vm/governance/params.ts';
import type { StateReader } from '../../vm/round/state.ts';

export interface RoundTrainingKeys {
  readonly task: TrainingTask;
  /** The task's encoding ('' for the genesis task). */
  readonly taskKey: string;
  /** SHA-256 over the active registrations' content hashes and the active count ('' without a registry). */
  readonly dataKey: string;
}

export function roundTrainingKeys(s: StateReader, genesisTask: TrainingTask): RoundTrainingKeys {
  const t = s.get(taskKey());
  const reg = readRegistry(s);
  let dataKey = '';
  if (reg) {
    const hashes = readRegistrations(s).filter((r) => r.first < reg.active).map((r) => r.contentHash);
    dataKey = toHex(sha256(concatBytes(u32be(reg.active), ...hashes)));
  }
  return { task: taskAt(s, genesisTask), taskKey: t ? toHex(t) : '', dataKey };
}

/** The open round's training set (undefined without a data registry: the genesis dataset). */
export function roundTrainingSet(s: StateReader): Dataset | undefined {
  return trainingSetOf(s, builtinDataset);
}
