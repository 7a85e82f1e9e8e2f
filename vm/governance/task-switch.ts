// A passed NewTask proposal waits in 0x2d until the next round close; there the round that
// opens starts the new task on its initial weights (the old task's W_{R+1} is dropped) and the
// task moves to 0x2c, where paramsAt reads it from the next block on.
import { checkpointRoot, initCheckpoint } from '../../consensus/training/checkpoint.ts';
import { layerCount } from '../../consensus/training/spec.ts';
import { decodeTask } from '../../consensus/training/task-codec.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { checkpointTensorKey, type RoundInfo } from '../round/keys.ts';
import { writeCheckpoint, writeRound } from '../round/state.ts';
import type { StateView } from '../view.ts';
import { pendingTaskKey, taskKey } from './keys.ts';

export function switchTaskAtBoundary(view: StateView, t: TrainingParams, opened: RoundInfo): RoundInfo {
  const pending = view.get(pendingTaskKey());
  if (!pending) return opened;
  const task = decodeTask(pending);
  for (let i = 2 * layerCount(task); i < 2 * layerCount(t.task); i++) view.set(checkpointTensorKey(i), null);
  const ck = initCheckpoint(task);
  writeCheckpoint(view, ck);
  view.set(taskKey(), pending);
  view.set(pendingTaskKey(), null);
  const next: RoundInfo = { ...opened, checkpointRoot: checkpointRoot(task, ck) };
  writeRound(view, next);
  return next;
}
