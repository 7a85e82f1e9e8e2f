// The contribution pool: signed contribution parts (v2, consensus/training/part.ts: on-chain bytes)
// waiting for a block of their round. The block assembler takes at most one part per miner, of the
// open round, whose lanes overlap none of that miner's parts in the head state. The node's mining
// service builds its own miner's part per block from its finished lanes (node/mining/service.ts);
// parts of other miners arrive by gossip (node/network), checked (vm/round/parts.ts checkPart) before
// they are added; own parts added here are published. Bounded by count and bytes; entries of closed
// rounds and parts the state already covers are pruned on every head change.
import { toHex } from '../../consensus/bytes.ts';
import { readParts } from '../../vm/round/parts.ts';
import type { StateReader } from '../../vm/round/state.ts';

export interface PooledContribution {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
  /** encodeSignedPart bytes, as a block carries them. */
  readonly bytes: Uint8Array;
}

export interface ContributionPoolOpts {
  /** Most parts held (default 256). */
  maxCount?: number;
  /** Most bytes held (default 128 MiB). */
  maxBytes?: number;
}

export type AddResult = 'added' | 'duplicate' | 'full';

const keyOf = (c: Pick<PooledContribution, 'round' | 'miner' | 'laneStart'>): string => `${c.round}/${toHex(c.miner)}/${c.laneStart}`;

/** True when the part's lanes overlap a part of its miner already in `state`. */
export function coveredInState(state: StateReader, c: Pick<PooledContribution, 'round' | 'miner' | 'laneStart' | 'laneCount'>): boolean {
  return readParts(state, c.round, c.miner).some((p) => c.laneStart < p.laneStart + p.laneCount && p.laneStart < c.laneStart + c.laneCount);
}

export class ContributionPool {
  private readonly byKey = new Map<string, PooledContribution>();
  private bytes = 0;
  private readonly listeners: ((c: PooledContribution, from: string | undefined) => void)[] = [];

  constructor(private readonly opts: ContributionPoolOpts = {}) {}

  /** Calls `fn` for every contribution added, with the peer it came from (undefined: this node's miner). */
  onAdded(fn: (c: PooledContribution, from: string | undefined) => void): void {
    this.listeners.push(fn);
  }

  get size(): number {
    return this.byKey.size;
  }
  get totalBytes(): number {
    return this.bytes;
  }

  /** Adds a part; `from` names the peer it came from (undefined: this node's own). */
  add(c: PooledContribution, from?: string): AddResult {
    const k = keyOf(c);
    if (this.byKey.has(k)) return 'duplicate';
    if (this.byKey.size >= (this.opts.maxCount ?? 256) || this.bytes + c.bytes.length > (this.opts.maxBytes ?? 128 * 1024 * 1024)) return 'full';
    this.byKey.set(k, c);
    this.bytes += c.bytes.length;
    for (const l of this.listeners) l(c, from);
    return 'added';
  }

  /** Parts of `round` that `state` does not cover, at most one per miner (skipping `exclude`), in arrival order, up to `max` and `maxBytes`. */
  forBlock(state: StateReader, round: number, max: number, maxBytes: number, exclude?: Uint8Array): PooledContribution[] {
    const out: PooledContribution[] = [];
    const miners = new Set<string>(exclude ? [toHex(exclude)] : []);
    let size = 0;
    for (const c of this.byKey.values()) {
      if (out.length >= max) break;
      const m = toHex(c.miner);
      if (c.round !== round || miners.has(m) || coveredInState(state, c)) continue;
      if (size + c.bytes.length > maxBytes) continue;
      out.push(c);
      miners.add(m);
      size += c.bytes.length;
    }
    return out;
  }

  remove(c: Pick<PooledContribution, 'round' | 'miner' | 'laneStart'>): void {
    const k = keyOf(c);
    const e = this.byKey.get(k);
    if (!e) return;
    this.bytes -= e.bytes.length;
    this.byKey.delete(k);
  }

  /** On a head change: drop entries of rounds other than the open one and those the state covers. */
  prune(state: StateReader, openRound: number): number {
    let dropped = 0;
    for (const c of [...this.byKey.values()])
      if (c.round !== openRound || coveredInState(state, c)) {
        this.remove(c);
        dropped++;
      }
    return dropped;
  }
}
