// The devnet genesis a node starts with when no --genesis is given. ASERT schedules block times
// from the genesis time, so a devnet whose genesis time lies months in the past would start at the
// easiest target (every tile a winning ticket) and race until the schedule caught up. So a new
// datadir gets the embedded devnet spec with `time` set to now, written to <datadir>/genesis.json;
// later starts read that file, so restarts keep the same chain.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGenesisFile, type GenesisSpec } from '../../genesis/index.ts';

export const DEVNET_GENESIS_FILE = 'genesis.json';

export function devnetGenesisFor(datadir: string, now: number): { spec: GenesisSpec; path: string; created: boolean } {
  const path = join(datadir, DEVNET_GENESIS_FILE);
  if (existsSync(path)) return { spec: loadGenesisFile(path), path, created: false };
  const json = JSON.parse(readFileSync(fileURLToPath(new URL('../../genesis/devnet.json', import.meta.url)), 'utf8')) as { time: number };
  json.time = now;
  mkdirSync(datadir, { recursive: true });
  writeFileSync(path, JSON.stringify(json, null, 2) + '\n');
  return { spec: loadGenesisFile(path), path, created: true };
}
