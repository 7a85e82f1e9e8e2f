// The node's metrics in Prometheus text format (prom-client), served at GET /metrics of the
// node's HTTP server (node/http/routes.ts). Names follow Prometheus conventions: the `tessera_`
// prefix, counters end in `_total`, durations are `_seconds`, sizes `_bytes`; process and Node.js
// runtime metrics (memory, CPU, event loop) are prom-client's defaults under their standard names.
//
// Two kinds of sources: events the chain reports through the `Metrics` interface (counters and
// histograms: blocks imported, import and verification time), and values read from the node's
// parts when Prometheus scrapes (gauges: head height, pool sizes, round, held-out accuracy; and the
// miner's running totals, exposed as counters).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from './metrics.ts';

/** What the scrape reads from the node; each part is optional (absent parts export nothing). */
export interface MetricsSource {
  headHeight?: () => number;
  mempoolSize?: () => number;
  contributionPoolSize?: () => number;
  /** The open training round and the newest held-out evaluation (accuracy in basis points, loss in millinats). */
  training?: () => { round: number; evaluatedRound?: number; accuracyBp?: number; lossMilli?: number };
  /** The miner's running totals since the node started. */
  miner?: () => { tiles: number; wins: number; blocksMined: number; usefulMacs: number; computedMacs: number; contributionsLanded: number } | undefined;
  /** Connected peers, when the node has a network. */
  peers?: () => number;
}

/** Events from the chain and other parts: name -> the exported metric. */
const EVENT_COUNTERS: Record<string, { name: string; help: string }> = {
  chain_blocks_imported: { name: 'tessera_chain_blocks_imported_total', help: 'Blocks imported onto the head (own and received)' },
  chain_side_blocks: { name: 'tessera_chain_side_blocks_total', help: 'Side-branch blocks stored' },
  chain_reorgs: { name: 'tessera_chain_reorgs_total', help: 'Reorganisations of the canonical chain' },
};
const EVENT_HISTOGRAMS: Record<string, { name: string; help: string; buckets: number[] }> = {
  chain_block_import_seconds: {
    name: 'tessera_chain_block_import_seconds',
    help: 'Time to import a block onto the head: decode, checks, state transition, database write',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  chain_block_verify_seconds: {
    name: 'tessera_chain_block_verify_seconds',
    help: 'Time to verify a block header against its parent, the seal (the winning ticket recomputed) included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  },
};

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();
  private source: MetricsSource = {};
  private sourceSet = false;
  private readonly values = new Map<string, number>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const [k, d] of Object.entries(EVENT_COUNTERS)) this.counters.set(k, new Counter({ ...d, registers: [this.registry] }));
    for (const [k, d] of Object.entries(EVENT_HISTOGRAMS)) this.histograms.set(k, new Histogram({ ...d, registers: [this.registry] }));
  }

  /**
   * Where scrape-time values come from (the node calls it once its parts run). Only the parts the
   * source has are exported: a node without a miner or a network shows no miner or peer metrics.
   */
  setSource(source: MetricsSource): void {
    if (this.sourceSet) throw new Error('PromMetrics.setSource: already set');
    this.sourceSet = true;
    this.source = source;
    const src = (): MetricsSource => this.source;
    const gauge = (name: string, help: string, read: () => number | undefined): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = read();
          if (v !== undefined) this.set(v);
        },
      });
    };
    if (source.headHeight) gauge('tessera_chain_head_height', 'Height of the head block', () => src().headHeight?.());
    if (source.mempoolSize) gauge('tessera_mempool_txs', 'Transactions in the mempool', () => src().mempoolSize?.());
    if (source.contributionPoolSize) gauge('tessera_contribution_pool_size', 'Signed round contributions waiting for a block', () => src().contributionPoolSize?.());
    if (source.training) {
      gauge('tessera_training_round', 'The open training round', () => src().training?.().round);
    gauge('tessera_training_evaluated_round', 'The newest round whose model W_N was evaluated on the held-out split', () => src().training?.().evaluatedRound);
    gauge('tessera_training_held_out_accuracy_ratio', 'Held-out accuracy of the newest evaluated round (0..1)', () => {
      const a = src().training?.().accuracyBp;
      return a === undefined ? undefined : a / 10000;
    });
    gauge('tessera_training_held_out_loss_nats', 'Held-out cross-entropy loss of the newest evaluated round (nats)', () => {
      const l = src().training?.().lossMilli;
      return l === undefined ? undefined : l / 1000;
    });
    }
    if (source.peers) gauge('tessera_peers', 'Connected peers', () => src().peers?.());
    if (!source.miner) return;
    gauge('tessera_miner_useful_work_ratio', 'Useful multiply-accumulates of landed contributions over all computed (0..1)', () => {
      const m = src().miner?.();
      return m && m.computedMacs > 0 ? m.usefulMacs / m.computedMacs : undefined;
    });
    // The miner's totals grow monotonically: counters that catch up with the totals on each scrape.
    // GOPS = rate(tessera_miner_ops_total[1m]) / 1e9 (an op is a multiply or an add: 2 per MAC).
    const total = (name: string, help: string, read: (m: NonNullable<ReturnType<NonNullable<MetricsSource['miner']>>>) => number): void => {
      let last = 0;
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const m = src().miner?.();
          if (!m) return;
          const v = read(m);
          if (v > last) this.inc(v - last);
          last = Math.max(last, v);
        },
      });
    };
    total('tessera_miner_tiles_total', 'Tiles multiplied by the miner (each a lottery ticket)', (m) => m.tiles);
    total('tessera_miner_wins_total', 'Winning tickets found by the miner', (m) => m.wins);
    total('tessera_miner_blocks_mined_total', 'Blocks the miner made and imported', (m) => m.blocksMined);
    total('tessera_miner_ops_total', 'Arithmetic operations computed by the miner (2 per multiply-accumulate), all jobs', (m) => 2 * m.computedMacs);
    total('tessera_miner_useful_ops_total', 'Operations of the miner\'s contributions that landed on chain', (m) => 2 * m.usefulMacs);
    total('tessera_miner_contributions_landed_total', 'The miner\'s contributions included in canonical blocks', (m) => m.contributionsLanded);
  }

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    this.counters.get(name)?.inc(by);
  }

  set(name: string, value: number): void {
    this.values.set(name, value); // gauges are read from the source at scrape time
  }

  observe(name: string, value: number): void {
    this.histograms.get(name)?.observe(value);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
