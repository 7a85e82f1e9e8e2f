// The contribution pool: round contributions (signed, on-chain bytes: encodeSignedContribution)
// waiting for a block of their round. The node's mining service adds its miner's contributions
// once it has signed them (node/mining/service.ts); the block assembler takes the open round's entries that are
// not in the head state yet. Bounded by count and bytes; entries of closed rounds are pruned on
// every head change. Contributions of other miners arrive by gossip (node/network), checked before they are added.
import { toHex } from '../../consensus/bytes.ts';
import type { StateReader } from '../../vm/round/state.ts';
import { contributionKey } from '../../vm/round/keys.ts';

export interface PooledContribution {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  /** encodeSignedContribution bytes, as a block carries them. */
  readonly bytes: Uint8Array;
}

export interface ContributionPoolOpts {
  /** Most contributions held (default 256). */
  maxCount?: number;
  /** Most bytes held (default 128 MiB). */
  maxBytes?: number;
}

export type AddResult = 'added' | 'duplicate' | 'full';

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

  /** Adds a contribution; `from` names the peer it came from (undefined: this node's own). */
  add(c: PooledContribution, from?: string): AddResult {
    const k = `${c.round}/${toHex(c.miner)}/${c.lane}`;
    if (this.byKey.has(k)) return 'duplicate';
    if (this.byKey.size >= (this.opts.maxCount ?? 256) || this.bytes + c.bytes.length > (this.opts.maxBytes ?? 128 * 1024 * 1024)) return 'full';
    this.byKey.set(k, c);
    this.bytes += c.bytes.length;
    for (const l of this.listeners) l(c, from);
    return 'added';
  }

  /** Contributions of `round` not yet in `state`, in arrival order, up to `max` entries and `maxBytes`. */
  forBlock(state: StateReader, round: number, max: number, maxBytes: number): PooledContribution[] {
    const out: PooledContribution[] = [];
    let size = 0;
    for (const c of this.byKey.values()) {
      if (out.length >= max) break;
      if (c.round !== round || state.get(contributionKey(c.round, c.miner, c.lane)) !== undefined) continue;
      if (size + c.bytes.length > maxBytes) continue;
      out.push(c);
      size += c.bytes.length;
    }
    return out;
  }

  /** Lanes of `miner` in `round` held here. */
  lanesOf(round: number, miner: Uint8Array): number[] {
    const hex = toHex(miner);
    return [...this.byKey.entries()].filter(([k, c]) => c.round === round && k.split('/')[1] === hex).map(([, c]) => c.lane);
  }

  remove(c: Pick<PooledContribution, 'round' | 'miner' | 'lane'>): void {
    const k = `${c.round}/${toHex(c.miner)}/${c.lane}`;
    const e = this.byKey.get(k);
    if (!e) return;
    this.bytes -= e.bytes.length;
    this.byKey.delete(k);
  }

  /** On a head change: drop entries of rounds other than the open one and those the state holds. */
  prune(state: StateReader, openRound: number): number {
    let dropped = 0;
    for (const c of [...this.byKey.values()])
      if (c.round !== openRound || state.get(contributionKey(c.round, c.miner, c.lane)) !== undefined) {
        this.remove(c);
        dropped++;
      }
    return dropped;
  }
}
