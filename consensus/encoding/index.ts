export * from './limits.ts';
export * from './tx.ts';
export * from './header.ts';
export * from './block.ts';
