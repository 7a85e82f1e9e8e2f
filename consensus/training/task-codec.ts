// Canonical encoding of a training task (a governance NewTask proposal carries one):
//   [name, layers[], weightFracBits, inputExp, initBound[], localSteps, batch, [lr.num, lr.shift],
//    probBits, [outerKind (0 mean, 1 nesterov), [lr.num, lr.shift], [momentum.num, momentum.shift]],
//    [tile.h, tile.w], noiseRank, initSeed]
// decodeTask checks canonicality and shape, then validateTask (TRAINING_BAD_SPEC).
import { decodeCanonical, encode, TupleReader } from '../codec.ts';
import { validateTask, type Fraction, type TrainingTask } from './spec.ts';

const frac = (f: Fraction) => [f.num, f.shift];

export function encodeTask(t: TrainingTask): Uint8Array {
  return encode([
    t.name, [...t.layers], t.weightFracBits, t.inputExp, [...t.initBound], t.localSteps, t.batch, frac(t.lr), t.probBits,
    [t.outer.kind === 'mean' ? 0 : 1, frac(t.outer.lr), frac(t.outer.momentum)], [t.tile.h, t.tile.w], t.noiseRank, t.initSeed,
  ]);
}

function readFrac(v: unknown, what: string): Fraction {
  const r = TupleReader.of(v, what, 2);
  const f = { num: r.uint(), shift: r.uint() };
  r.end();
  return Object.freeze(f);
}

function uints(v: unknown, what: string, max: number): number[] {
  if (!Array.isArray(v) || v.length > max) throw new RangeError(`${what}: expected at most ${max} integers`);
  const r = TupleReader.of(v, what, v.length);
  const out = v.map(() => r.uint());
  r.end();
  return out;
}

export function decodeTask(bytes: Uint8Array, maxBytes = 4096): TrainingTask {
  const r = TupleReader.of(decodeCanonical(bytes, 'task', maxBytes), 'task', 13);
  const name = r.string(128);
  const layers = uints(r.raw(), 'task.layers', 16);
  const weightFracBits = r.uint();
  const inputExp = r.int();
  const initBound = uints(r.raw(), 'task.initBound', 16);
  const localSteps = r.uint();
  const batch = r.uint();
  const lr = readFrac(r.raw(), 'task.lr');
  const probBits = r.uint();
  const o = TupleReader.of(r.raw(), 'task.outer', 3);
  const outer = Object.freeze({ kind: o.uint(1) === 0 ? ('mean' as const) : ('nesterov' as const), lr: readFrac(o.raw(), 'task.outer.lr'), momentum: readFrac(o.raw(), 'task.outer.momentum') });
  o.end();
  const tr = TupleReader.of(r.raw(), 'task.tile', 2);
  const tile = Object.freeze({ h: tr.uint(), w: tr.uint() });
  tr.end();
  const noiseRank = r.uint();
  const initSeed = r.string(128);
  r.end();
  const t: TrainingTask = Object.freeze({
    name, layers: Object.freeze(layers), weightFracBits, inputExp, initBound: Object.freeze(initBound), localSteps, batch, lr, probBits, outer, tile, noiseRank, initSeed,
  });
  validateTask(t);
  return t;
}
