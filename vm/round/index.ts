export * from './keys.ts';
export * from './state.ts';
export * from './parts.ts';
export * from './ticket.ts';
export * from './close.ts';
export * from './block.ts';
