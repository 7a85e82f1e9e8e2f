export * from './errors.ts';
export * from './spec.ts';
export * from './build.ts';
export * from './tasks.ts';
