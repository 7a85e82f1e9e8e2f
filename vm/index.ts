export * from './keys.ts';
export * from './diff.ts';
export * from './state.ts';
export * from './view.ts';
export * from './tx/index.ts';
export * from './apply-block.ts';
