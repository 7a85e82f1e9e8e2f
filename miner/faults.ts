// Fault injection for tests of the validators (`tessera node --mine --fault <kind>`): a miner that
// cheats in exactly one way, so that a test can show the validators find that fault and nothing
// else. The node refuses every kind unless its genesis is marked `testOnly` (node/cli: the embedded
// devnet genesis of `npm start` is not). Kinds:
//   wrong-weights:S   every lane commits W_{S+1} + 1 (first weight of the first layer) and trains on
//                     from it: step S is the one wrong step of each lane; served data matches it
//   wrong-aggregate   every part's D has 1 added to its first element (the lanes are honest)
//   junk-lane:J       lane J of every round does no training: every step commits W_{s+1} = W_s (the
//                     job roots are those of the products it did compute); the other lanes are honest
//   synthetic-operands  every ticket job mines on a synthetic A (all zeros) and the lane commits that
//                     A's root; the training itself and the weights are honest
//   withheld          per-step data is never served (requests answer nothing); the work is honest
// Each hook is a pure function of (round, lane, step, data), so the miner's StepStore replays the
// faulty trajectory exactly and serves data that matches what the lane committed.
import { rootByRows, type MatmulJob } from '../consensus/matmul.ts';
import type { StepCommit } from '../consensus/training/step.ts';

export const FAULT_KINDS = ['wrong-weights', 'wrong-aggregate', 'junk-lane', 'synthetic-operands', 'withheld'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  readonly kind: FaultKind;
  /** wrong-weights: the wrong step S; junk-lane: the junk lane J. */
  readonly at?: number;
}

/** Parses "kind" or "kind:N"; throws RangeError naming the kinds for anything else. */
export function parseFault(s: string): FaultSpec {
  const [kind, arg, ...rest] = s.split(':');
  if (!(FAULT_KINDS as readonly string[]).includes(kind!) || rest.length > 0)
    throw new RangeError(`unknown fault "${s}": one of ${FAULT_KINDS.join(', ')} (wrong-weights:S, junk-lane:J)`);
  const k = kind as FaultKind;
  const needsArg = k === 'wrong-weights' || k === 'junk-lane';
  if (!needsArg) {
    if (arg !== undefined) throw new RangeError(`fault ${k} takes no argument`);
    return { kind: k };
  }
  const at = arg === undefined ? (k === 'junk-lane' ? 1 : 0) : Number(arg);
  if (!Number.isSafeInteger(at) || at < 0) throw new RangeError(`fault ${k}: "${arg}" is not a step or lane number`);
  return { kind: k, at };
}

/**
 * W_{s+1} as the faulty miner commits it, from the honest W_{s+1} (`next`) and W_s (`prev`) of
 * lane `lane`, step `s`; the honest `next` itself when the fault does not touch it.
 */
export function faultyNext(f: FaultSpec | undefined, lane: number, s: number, prev: readonly Int32Array[], next: Int32Array[]): Int32Array[] {
  if (!f) return next;
  if (f.kind === 'wrong-weights' && s === f.at) {
    const out = next.map((t) => t.slice());
    out[0]![0] = out[0]![0]! + 1;
    return out;
  }
  if (f.kind === 'junk-lane' && lane === f.at) return prev.map((t) => t.slice());
  return next;
}

/** The synthetic A of a ticket job (all zeros, m x k) and its root: what synthetic-operands mines on. */
export function syntheticOperand(job: Pick<MatmulJob, 'm' | 'k'>): { a: Int8Array; rootA: Uint8Array } {
  const a = new Int8Array(job.m * job.k);
  return { a, rootA: rootByRows(a, job.m, job.k) };
}

/**
 * The step commitment the faulty miner publishes: for synthetic-operands, the A root of every job
 * `isTicket` names is the synthetic A's (what its tickets were mined on).
 */
export function faultyCommit(f: FaultSpec | undefined, commit: StepCommit, shapes: ReadonlyArray<readonly [number, number, number]>, isTicket: (m: number, k: number, n: number) => boolean): StepCommit {
  if (f?.kind !== 'synthetic-operands') return commit;
  return {
    weightsRoot: commit.weightsRoot,
    jobs: commit.jobs.map((j, id) => {
      const [m, k, n] = shapes[id]!;
      return isTicket(m, k, n) ? { ...j, aRoot: syntheticOperand({ m, k }).rootA } : j;
    }),
  };
}

/** Adds the wrong-aggregate fault to a part's D (a copy); D unchanged for every other kind. */
export function faultyAggregate(f: FaultSpec | undefined, delta: Float64Array[]): Float64Array[] {
  if (f?.kind !== 'wrong-aggregate') return delta;
  const out = delta.map((d) => d.slice());
  out[0]![0] = out[0]![0]! + 1;
  return out;
}

/** Whether the miner withholds its per-step data. */
export function withholds(f: FaultSpec | undefined): boolean {
  return f?.kind === 'withheld';
}
