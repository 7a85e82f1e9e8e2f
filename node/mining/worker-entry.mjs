// Plain-JS entry of the miner worker thread: registers tsx's loader in this thread, then loads the
// TypeScript worker. (Node's built-in type stripping would otherwise take the .ts file and refuse
// TypeScript-only syntax such as constructor parameter properties.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
