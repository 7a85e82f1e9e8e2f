// Tracks the model as the chain trains it: on every head change, when the open round moved on,
// stores the new round's checkpoint W_R (bucket 0x09) and evaluates it on the held-out split in
// the background (bucket 0x0a; node-side, not consensus), then logs the round close with held-out
// accuracy, loss and checkpoint root. Evaluations run one at a time after the import that caused
// them, in short slices, so imports and RPC are not held up. The store keeps tensors of the genesis
// task's shapes: after governance switched to a task of other layer sizes the tracker stops (and
// says so once) rather than read the new checkpoint with the wrong shapes.
import { to0x } from '../../consensus/bytes.ts';
import { matmulPlain, type MatmulFn } from '../../consensus/matmul.ts';
import type { Dataset } from '../../consensus/training/dataset.ts';
import { evaluate } from '../../consensus/training/evaluate.ts';
import { decodeSignedPart } from '../../consensus/training/part.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { taskAt } from '../../vm/governance/params.ts';
import { readCheckpoint, readRound } from '../../vm/round/state.ts';
import type { Chain } from '../chain/chain.ts';
import { shortHex, type Logger } from '../log/logger.ts';
import { CheckpointStore, type RoundEval } from './checkpoint-store.ts';

export interface TrackerOpts {
  training: TrainingParams;
  heldOut: Dataset;
}

export class TrainingTracker {
  private lastRound = -1;
  private queue: Promise<void> = Promise.resolve();
  private latestEval?: RoundEval;
  private closed = false;
  private otherShapes = false;

  constructor(
    private readonly opts: TrackerOpts,
    private readonly modules: { chain: Chain; store: CheckpointStore; logger: Logger },
  ) {}

  get store(): CheckpointStore {
    return this.modules.store;
  }

  /** The newest evaluated round. */
  get latest(): RoundEval | undefined {
    return this.latestEval;
  }

  /** Idempotent: stores the open round's checkpoint if missing and evaluates unevaluated rounds. */
  async start(): Promise<void> {
    const round = readRound(this.modules.chain.state());
    if (!round) return;
    for (let r = Math.max(0, round.round - 50); r < round.round; r++) {
      const e = await this.modules.store.getEval(r);
      if (e) this.latestEval = e;
    }
    await this.onHead();
  }

  /** Call on every head change. */
  async onHead(): Promise<void> {
    if (this.closed) return;
    const { chain, store, logger } = this.modules;
    const state = chain.state();
    const round = readRound(state);
    if (!round || round.round === this.lastRound) return;
    const task = taskAt(state, this.opts.training.task);
    if (task.layers.join(',') !== this.opts.training.task.layers.join(',')) {
      if (!this.otherShapes) logger.warn('the chain trains a task of other layer sizes than genesis: rounds are not stored or evaluated by this node', { task: task.name });
      this.otherShapes = true;
      return;
    }
    const prev = this.lastRound;
    this.lastRound = round.round;
    const existing = await store.get(round.round);
    if (!existing || !sameBytes(existing.root, round.checkpointRoot)) {
      const checkpoint = readCheckpoint(state, task);
      await store.put({ round: round.round, root: round.checkpointRoot, openedAt: round.openedAt, checkpoint });
    }
    const done = await store.getEval(round.round);
    if (done && sameBytes(done.root, round.checkpointRoot)) {
      this.latestEval = done;
      return;
    }
    const contributions = await this.contributionsInto(round.round, round.openedAt).catch(() => 0); // parts of the task before a switch
    this.queue = this.queue
      .then(async () => {
        if (this.closed) return;
        const ck = await store.get(round.round);
        if (!ck) return;
        await new Promise((r) => setTimeout(r, 0));
        const ev = await evaluate(task, ck.checkpoint.weights, this.opts.heldOut, sliced);
        const e: RoundEval = { round: round.round, root: ck.root, accuracyBp: ev.accuracyBp, lossMilli: ev.lossMilli, samples: ev.n, contributions };
        await store.putEval(e);
        if (!this.latestEval || e.round >= this.latestEval.round) this.latestEval = e;
        // Round N everywhere (this log, training_status, model export/eval --round N) is W_N: the
        // model round N starts from, the result of closing rounds 0..N-1 (docs/node.md).
        logger.info(round.round > 0 ? (prev >= 0 ? 'round opened' : 'round') : 'initial checkpoint', {
          round: round.round, openedAt: round.openedAt, contributions, heldOutAccuracy: `${(e.accuracyBp / 100).toFixed(2)}%`,
          heldOutLoss: (e.lossMilli / 1000).toFixed(3), checkpointRoot: shortHex(ck.root),
        });
      })
      .catch((err: unknown) => logger.error('round evaluation failed', { round: round.round, error: (err as Error).message }));
  }

  /** Lanes of the parts in the blocks of round R-1 (heights openedAt - roundBlocks + 1 .. openedAt): the lanes averaged into W_R. */
  private async contributionsInto(round: number, openedAt: number): Promise<number> {
    if (round === 0) return 0;
    let n = 0;
    for (let h = Math.max(1, openedAt - this.opts.training.roundBlocks + 1); h <= openedAt; h++)
      for (const bytes of (await this.modules.chain.getBlockByHeight(h))?.block.contributions ?? []) n += decodeSignedPart(this.opts.training.task, bytes).laneCount;
    return n;
  }

  /** Waits for queued evaluations. */
  async idle(): Promise<void> {
    await this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// The plain product, yielding to the event loop before each chunk's layer product.
const sliced: MatmulFn = async (job) => {
  await new Promise((r) => setImmediate(r));
  return matmulPlain(job);
};
