// Governed parameters: the whitelist with bounds, and paramsAt(state, genesis params, height),
// the parameters in effect for the block at `height` (STYLE.md: rules keyed by height). A passed
// ParamChange executed at the end of block e writes (param, e + 1) -> value; the task in effect is
// the one in 0x2c when governance replaced the genesis task (at a round boundary).
import { BPS, governanceOf, type ChainParams, type GovernanceParams, type TrainingParams } from '../../consensus/params.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { decodeTask } from '../../consensus/training/task-codec.ts';
import type { StateReader } from '../round/state.ts';
import { decodeU64, paramOfKey, paramPrefix, taskKey } from './keys.ts';

export interface GovernedParam {
  /** Stable one-byte id (state key); never reused. */
  readonly id: number;
  readonly name: string;
  readonly min: bigint;
  readonly max: bigint;
  readonly read: (p: ChainParams) => bigint;
  readonly write: (p: ChainParams, v: bigint) => ChainParams;
}

const gov = (name: keyof GovernanceParams, id: number, min: bigint, max: bigint, big = false): GovernedParam => ({
  id, name, min, max,
  read: (p) => BigInt(governanceOf(p)[name]),
  write: (p, v) => ({ ...p, governance: { ...governanceOf(p), [name]: big ? v : Number(v) } }),
});

const training = (name: 'ticketShareBps', id: number, min: bigint, max: bigint): GovernedParam => ({
  id, name, min, max,
  read: (p) => BigInt(p.training?.[name] ?? 0),
  write: (p, v) => (p.training ? { ...p, training: { ...p.training, [name]: Number(v) } } : p),
});

const B = BigInt(BPS);

/** The whitelist. Bounds keep a vote from breaking the chain (a zero voting period, a 100% ticket share). */
export const GOVERNED_PARAMS: readonly GovernedParam[] = Object.freeze([
  { id: 1, name: 'subsidy', min: 0n, max: 1n << 40n, read: (p) => p.subsidy, write: (p, v) => ({ ...p, subsidy: v }) },
  { id: 2, name: 'minFee', min: 0n, max: 1n << 32n, read: (p) => p.minFee, write: (p, v) => ({ ...p, minFee: v }) },
  training('ticketShareBps', 3, 0n, B / 2n),
  gov('dataShareBps', 4, 0n, (B * 3n) / 10n),
  gov('treasuryShareBps', 5, 0n, B / 5n),
  gov('minDeposit', 6, 1n, 1n << 50n, true),
  gov('votingPeriod', 7, 2n, 1_000_000n),
  gov('timelock', 8, 1n, 1_000_000n),
  gov('quorumBps', 9, B / 10n, (B * 9n) / 10n),
  gov('thresholdBps', 10, B / 2n, (B * 9n) / 10n),
  gov('vetoBps', 11, B / 10n, B / 2n),
]);

export function governedParam(name: string): GovernedParam | undefined {
  return GOVERNED_PARAMS.find((g) => g.name === name);
}

function byId(id: number): GovernedParam | undefined {
  return GOVERNED_PARAMS.find((g) => g.id === id);
}

/** The parameters in effect for the block at `height` on the state `s` (its parent's post-state, or the block's view). */
export function paramsAt(s: StateReader, base: ChainParams, height: number): ChainParams {
  let p = base;
  const latest = new Map<number, { height: number; value: bigint }>();
  for (const k of s.keysWithPrefix(paramPrefix())) {
    const { param, height: h } = paramOfKey(k);
    if (h > height) continue;
    const cur = latest.get(param);
    if (!cur || h >= cur.height) latest.set(param, { height: h, value: decodeU64(s.get(k)!, 'param') });
  }
  for (const [id, { value }] of latest) {
    const g = byId(id);
    if (g) p = g.write(p, value);
  }
  const task = s.get(taskKey());
  if (task && p.training) p = { ...p, training: { ...p.training, task: decodeTask(task) } as TrainingParams };
  return p === base ? base : Object.freeze(p);
}

/** The training task of the open round on `s`: `genesis` until governance replaced it at a round boundary. */
export function taskAt(s: StateReader, genesis: TrainingTask): TrainingTask {
  const task = s.get(taskKey());
  return task ? decodeTask(task) : genesis;
}
