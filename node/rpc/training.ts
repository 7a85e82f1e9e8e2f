// training_* JSON-RPC methods: the model the chain trains (rounds, held-out accuracy, checkpoints)
// and, on a mining node, the miner's useful-work accounting.
import { to0x } from '../../consensus/bytes.ts';
import { layerCount, type TrainingTask } from '../../consensus/training/spec.ts';
import { contributionMacs, readRound } from '../../vm/round/state.ts';
import { badParams } from './errors.ts';
import type { Json, RpcMethods } from './jsonrpc.ts';
import type { RpcContext } from './methods.ts';

/** Tensor names and shapes of a checkpoint: weights then outer momentum, layer l is layers[l] x layers[l+1]. */
export function checkpointTensorNames(task: TrainingTask): { name: string; shape: [number, number] }[] {
  const L = layerCount(task);
  const out: { name: string; shape: [number, number] }[] = [];
  for (const kind of ['weight', 'momentum'])
    for (let l = 0; l < L; l++) out.push({ name: `layer${l}.${kind}`, shape: [task.layers[l]!, task.layers[l + 1]!] });
  return out;
}

export function trainingMethods(ctx: RpcContext): RpcMethods {
  const unavailable = (): never => {
    throw badParams('this chain has no training task');
  };
  return {
    training_status: async (params): Promise<Json> => {
      if (params !== undefined && (!Array.isArray(params) || params.length > 0)) throw badParams('expected no params');
      const t = ctx.training ?? unavailable();
      const p = ctx.chain.params.training!;
      const round = readRound(ctx.chain.state())!;
      const ev = t.tracker.latest;
      const history: Json[] = [];
      for (let r = Math.max(0, round.round - 20); r <= round.round; r++) {
        const e = await t.tracker.store.getEval(r);
        if (e) history.push({ round: r, heldOutAccuracyBp: e.accuracyBp, heldOutLossMilli: e.lossMilli, contributions: e.contributions, checkpointRoot: to0x(e.root) });
      }
      let stepCount = 0;
      for (const h of history) stepCount += ((h as { contributions: number }).contributions) * p.task.localSteps;
      const m = t.mining?.status;
      const mi = m?.miner;
      const computed = mi ? mi.laneMacs + mi.lostMacs + mi.fillerMacs : 0;
      return {
        task: p.task.name,
        round: round.round,
        roundOpenedAt: round.openedAt,
        roundBlocks: p.roundBlocks,
        height: ctx.chain.head().header.height,
        checkpointRoot: to0x(round.checkpointRoot),
        localStepsPerContribution: p.task.localSteps,
        macsPerContribution: contributionMacs(p.task).toString(),
        stepCount,
        evaluatedRound: ev ? ev.round : null,
        heldOutAccuracyBp: ev ? ev.accuracyBp : null,
        heldOutAccuracy: ev ? ev.accuracyBp / 10000 : null,
        heldOutLossMilli: ev ? ev.lossMilli : null,
        history,
        mining: m
          ? {
              backend: m.backend,
              blocksMined: m.blocksMined,
              staleTickets: m.ticketsStale,
              contributionsMade: m.contributionsMade,
              contributionsLanded: m.contributionsLanded,
              lanesAbandoned: mi?.lanesAbandoned ?? 0,
              usefulMacs: m.landedMacs,
              computedMacs: computed,
              fillerMacs: mi?.fillerMacs ?? 0,
              overheadMacs: mi?.overheadMacs ?? 0,
              usefulWorkFraction: computed > 0 ? m.landedMacs / computed : null,
              usefulWorkFractionWithOverhead: computed > 0 ? m.landedMacs / (computed + (mi?.overheadMacs ?? 0)) : null,
              wins: mi?.wins ?? 0,
              // own finished lanes of the challenge window whose every W_{R,m,s} the miner can serve
              lanePerStepDataKept: mi?.stepsKept ?? 0,
              perStepData: mi?.stepData ? { ...mi.stepData } : null,
            }
          : null,
      };
    },

    /**
     * Held-out accuracy and loss of every evaluated round in [from, to] (default: the newest 1,000):
     * round N is W_N, the model round N starts from (N rounds closed).
     */
    training_history: async (params): Promise<Json> => {
      const a = params === undefined ? [] : params;
      if (!Array.isArray(a) || a.length > 2) throw badParams('expected [from?, to?]');
      const t = ctx.training ?? unavailable();
      const open = readRound(ctx.chain.state())!.round;
      const to = a[1] ?? open;
      const from = a[0] ?? Math.max(0, to - 999);
      for (const v of [from, to]) if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badParams('from and to must be non-negative integers');
      if (to < from || to - from >= 1000) throw badParams('at most 1,000 rounds, from <= to');
      const rounds: Json[] = [];
      for (let r = from; r <= Math.min(to, open); r++) {
        const e = await t.tracker.store.getEval(r);
        if (e) rounds.push({ round: r, heldOutAccuracyBp: e.accuracyBp, heldOutLossMilli: e.lossMilli, contributions: e.contributions, checkpointRoot: to0x(e.root) });
      }
      return { task: ctx.chain.params.training!.task.name, openRound: open, rounds };
    },

    training_getCheckpoint: async (params): Promise<Json> => {
      const a = params === undefined ? [] : params;
      if (!Array.isArray(a) || a.length > 2) throw badParams('expected [round?, encoding? ("base64" | "hex")]');
      const t = ctx.training ?? unavailable();
      const open = readRound(ctx.chain.state())!.round;
      const round = a[0] === undefined || a[0] === null ? open : a[0];
      if (typeof round !== 'number' || !Number.isSafeInteger(round) || round < 0) throw badParams('round must be a non-negative integer');
      const enc = a[1] ?? 'base64';
      if (enc !== 'base64' && enc !== 'hex') throw badParams('encoding must be "base64" or "hex"');
      const c = await t.tracker.store.get(round);
      if (!c) return null;
      const task = ctx.chain.params.training!.task;
      const names = checkpointTensorNames(task);
      const all = [...c.checkpoint.weights, ...c.checkpoint.momentum];
      const ev = await t.tracker.store.getEval(round);
      return {
        round,
        checkpointRoot: to0x(c.root),
        openedAt: c.openedAt,
        weightFracBits: task.weightFracBits,
        heldOutAccuracyBp: ev ? ev.accuracyBp : null,
        tensors: names.map(({ name, shape }, i) => {
          const d = all[i]!;
          const bytes = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
          return { name, dtype: 'int32-le', shape, encoding: enc, data: enc === 'hex' ? '0x' + bytes.toString('hex') : bytes.toString('base64') };
        }),
      };
    },
  };
}
