// Training tasks a genesis (later: governance) can name. A task is a plain data spec
// (consensus/training/spec.ts); adding one here is adding a name, not code.
import { MNIST_MLP, MNIST_MLP_H32, MNIST_MLP_H64, MNIST_MLP_W512, validateTask, type TrainingTask } from '../consensus/training/spec.ts';
import { GenesisError, GenesisErrorCode } from './errors.ts';

export const TASKS: ReadonlyMap<string, TrainingTask> = new Map([MNIST_MLP, MNIST_MLP_H32, MNIST_MLP_H64, MNIST_MLP_W512].map((t) => [t.name, t]));

export function taskByName(name: string, path = '$.params.training.task'): TrainingTask {
  const t = TASKS.get(name);
  if (!t) throw new GenesisError(GenesisErrorCode.BAD_FIELD, { path, reason: `unknown training task "${name}" (known: ${[...TASKS.keys()].join(', ')})` });
  validateTask(t);
  return t;
}
