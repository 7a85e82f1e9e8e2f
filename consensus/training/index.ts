// Exact integer training in rounds: the default task and every rule a node needs.
export * from './spec.ts';
export * from './errors.ts';
export * from './fixed.ts';
export * from './prf.ts';
export * from './softmax.ts';
export * from './checkpoint.ts';
export * from './dataset.ts';
export * from './shard.ts';
export * from './step.ts';
export * from './trajectory.ts';
export * from './outer.ts';
export * from './evaluate.ts';
export * from './contribution.ts';
export * from './part.ts';
export * from './fraud.ts';
