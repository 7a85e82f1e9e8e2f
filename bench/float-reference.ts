// A float32 reference trainer for the default task (MLP 784-128-10, ReLU, softmax
// cross-entropy, no biases, Glorot-uniform init), on the same data and sample budget as the
// integer trainer. Not consensus code: floats and Math.exp are fine here.
// With workers = 1 and outer lr 1 it is plain minibatch SGD; otherwise DiLoCo: each round,
// every worker runs H local SGD steps from the global weights and the outer step applies the
// mean delta (optionally with Nesterov momentum).
import type { Dataset } from '../consensus/training/dataset.ts';
import { mulberry32 } from '../test/helpers/prng.ts';

export interface FloatConfig {
  readonly layers: readonly number[];
  readonly batch: number;
  readonly lr: number;
  /** Total training samples (the budget), rounded down to whole rounds. */
  readonly samples: number;
  readonly workers: number;
  readonly localSteps: number;
  readonly outer: { readonly kind: 'mean' | 'nesterov'; readonly lr: number; readonly momentum: number };
  readonly seed: number;
}

/** Small deterministic PRNG, so runs are repeatable. */
const rng = mulberry32;

type Weights = Float32Array[];

function forward(cfg: FloatConfig, w: Weights, x: Float32Array, rows: number): Float32Array[] {
  const acts: Float32Array[] = [x];
  for (let l = 0; l < cfg.layers.length - 1; l++) {
    const din = cfg.layers[l]!;
    const dout = cfg.layers[l + 1]!;
    const a = acts[l]!;
    const z = new Float32Array(rows * dout);
    const wl = w[l]!;
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < din; i++) {
        const v = a[r * din + i]!;
        if (v === 0) continue;
        for (let j = 0; j < dout; j++) z[r * dout + j]! += v * wl[i * dout + j]!;
      }
    if (l < cfg.layers.length - 2) for (let i = 0; i < z.length; i++) if (z[i]! < 0) z[i] = 0;
    acts.push(z);
  }
  return acts;
}

function sgdStep(cfg: FloatConfig, w: Weights, x: Float32Array, y: Uint8Array): void {
  const rows = y.length;
  const L = cfg.layers.length - 1;
  const acts = forward(cfg, w, x, rows);
  const C = cfg.layers[L]!;
  const out = acts[L]!;
  let dz: Float32Array = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let mx = -Infinity;
    for (let j = 0; j < C; j++) mx = Math.max(mx, out[r * C + j]!);
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(out[r * C + j]! - mx);
    for (let j = 0; j < C; j++) dz[r * C + j] = (Math.exp(out[r * C + j]! - mx) / s - (j === y[r] ? 1 : 0)) / rows;
  }
  for (let l = L - 1; l >= 0; l--) {
    const din = cfg.layers[l]!;
    const dout = cfg.layers[l + 1]!;
    const a = acts[l]!;
    const wl = w[l]!;
    let da: Float32Array | undefined;
    if (l > 0) {
      da = new Float32Array(rows * din);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < din; i++) {
          if (a[r * din + i]! <= 0) continue;
          let s = 0;
          for (let j = 0; j < dout; j++) s += dz[r * dout + j]! * wl[i * dout + j]!;
          da[r * din + i] = s;
        }
    }
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < din; i++) {
        const v = a[r * din + i]!;
        if (v === 0) continue;
        const f = cfg.lr * v;
        for (let j = 0; j < dout; j++) wl[i * dout + j]! -= f * dz[r * dout + j]!;
      }
    if (da) dz = da;
  }
}

export function floatAccuracy(cfg: FloatConfig, w: Weights, data: Dataset): number {
  const x = new Float32Array(data.x.length);
  for (let i = 0; i < x.length; i++) x[i] = data.x[i]! / 63;
  const acts = forward(cfg, w, x, data.n);
  const C = cfg.layers[cfg.layers.length - 1]!;
  const out = acts[acts.length - 1]!;
  let correct = 0;
  for (let r = 0; r < data.n; r++) {
    let arg = 0;
    for (let j = 1; j < C; j++) if (out[r * C + j]! > out[r * C + arg]!) arg = j;
    if (arg === data.y[r]) correct++;
  }
  return correct / data.n;
}

/** Trains and returns held-out accuracy after each round (a round = workers · H · batch samples). */
export function trainFloat(cfg: FloatConfig, train: Dataset, heldOut: Dataset, onRound?: (round: number, samples: number, acc: number) => void): { weights: Weights; accuracy: number } {
  const rand = rng(cfg.seed);
  const w: Weights = [];
  for (let l = 0; l < cfg.layers.length - 1; l++) {
    const din = cfg.layers[l]!;
    const dout = cfg.layers[l + 1]!;
    const b = Math.sqrt(6 / (din + dout));
    const t = new Float32Array(din * dout);
    for (let i = 0; i < t.length; i++) t[i] = (rand() * 2 - 1) * b;
    w.push(t);
  }
  const mom = w.map((t) => new Float32Array(t.length));
  const perRound = cfg.workers * cfg.localSteps * cfg.batch;
  const rounds = Math.floor(cfg.samples / perRound);
  const dim = train.dim;
  let order: number[] = [];
  const nextIndex = (): number => {
    if (order.length === 0) {
      order = Array.from({ length: train.n }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    return order.pop()!;
  };
  for (let r = 0; r < rounds; r++) {
    const sum = w.map((t) => new Float32Array(t.length));
    for (let m = 0; m < cfg.workers; m++) {
      const local = w.map((t) => new Float32Array(t));
      for (let s = 0; s < cfg.localSteps; s++) {
        const x = new Float32Array(cfg.batch * dim);
        const y = new Uint8Array(cfg.batch);
        for (let b = 0; b < cfg.batch; b++) {
          const i = nextIndex();
          for (let k = 0; k < dim; k++) x[b * dim + k] = train.x[i * dim + k]! / 63;
          y[b] = train.y[i]!;
        }
        sgdStep(cfg, local, x, y);
      }
      local.forEach((t, l) => {
        for (let i = 0; i < t.length; i++) sum[l]![i]! += t[i]! - w[l]![i]!;
      });
    }
    w.forEach((t, l) => {
      for (let i = 0; i < t.length; i++) {
        const d = sum[l]![i]! / cfg.workers;
        let u = d;
        if (cfg.outer.kind === 'nesterov') {
          mom[l]![i] = cfg.outer.momentum * mom[l]![i]! + d;
          u = d + cfg.outer.momentum * mom[l]![i]!;
        }
        t[i]! += cfg.outer.lr * u;
      }
    });
    if (onRound) onRound(r, (r + 1) * perRound, floatAccuracy(cfg, w, heldOut));
  }
  return { weights: w, accuracy: floatAccuracy(cfg, w, heldOut) };
}
