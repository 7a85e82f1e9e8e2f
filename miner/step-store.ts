// Per-step data of the miner's own contributions (W_{R,m,s} for every local step s), kept for the
// challenge window so that validators can be served it (DESIGN.md: "miners serve it for the
// challenge window"). In memory, bounded: rounds older than `keepRounds` behind the newest are
// dropped, and past `maxBytes` the oldest lanes go first (counted in `evicted`).
export interface StepStoreOpts {
  /** Rounds kept behind the newest one stored (the challenge window in rounds, rounded up). */
  keepRounds: number;
  /** Memory cap in bytes (default 512 MiB). */
  maxBytes?: number;
}

interface Entry {
  round: number;
  lane: number;
  steps: readonly (readonly Int32Array[])[];
  bytes: number;
}

export class StepStore {
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  evicted = 0;

  constructor(private readonly opts: StepStoreOpts) {}

  put(round: number, lane: number, steps: readonly (readonly Int32Array[])[]): void {
    let bytes = 0;
    for (const s of steps) for (const t of s) bytes += t.byteLength;
    const k = `${round}/${lane}`;
    this.drop(k);
    this.entries.set(k, { round, lane, steps, bytes });
    this.total += bytes;
    for (const [key, e] of this.entries) if (e.round < round - this.opts.keepRounds) this.drop(key);
    const max = this.opts.maxBytes ?? 512 * 1024 * 1024;
    while (this.total > max && this.entries.size > 1) {
      const oldest = [...this.entries.values()].sort((a, b) => a.round - b.round || a.lane - b.lane)[0]!;
      this.drop(`${oldest.round}/${oldest.lane}`);
      this.evicted++;
    }
  }

  /** W_{R,m,s} of lane `lane` in round `round`, or undefined when not kept. */
  get(round: number, lane: number, step: number): readonly Int32Array[] | undefined {
    return this.entries.get(`${round}/${lane}`)?.steps[step];
  }

  get lanes(): number {
    return this.entries.size;
  }
  get bytes(): number {
    return this.total;
  }

  private drop(k: string): void {
    const e = this.entries.get(k);
    if (!e) return;
    this.total -= e.bytes;
    this.entries.delete(k);
  }
}
