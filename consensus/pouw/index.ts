// Proof of useful work: seeds, low-rank noise, transcripts, tickets, decode, Freivalds.
export * from './errors.ts';
export * from './spec.ts';
export * from './seed.ts';
export * from './noise.ts';
export * from './transcript.ts';
export * from './ticket.ts';
export * from './verify.ts';
export * from './decode.ts';
export * from './freivalds.ts';
