export * from './header.ts';
export * from './block.ts';
