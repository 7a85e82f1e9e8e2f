// `npm run train -- --rounds N --miners M [--task NAME] [--backend js|wasm|gpujs|auto] [--plain | --no-tickets] [--threads T]
//                    [--initial S [--register-after R]]`
// Simulates M miners' rounds of a task (default: the default task) on the `mnist` digits and prints loss and
// held-out accuracy per round. Products go through the ticket path (miner/ticket-matmul.ts on a
// compute backend) unless --plain. With --initial S the genesis registers only the first S training
// digits; with --register-after R the rest is registered during round R and (the chain's rule:
// vm/data/registry.ts) joins the training set when round R closes: the run then trains both chains,
// with and without that registration, at equal rounds, and prints held-out accuracy of each.
import { matmulPlain, type MatmulFn } from '../consensus/matmul.ts';
import { initCheckpoint, type Checkpoint } from '../consensus/training/checkpoint.ts';
import { makeDataset, type Dataset } from '../consensus/training/dataset.ts';
import { evaluate } from '../consensus/training/evaluate.ts';
import { outerUpdate } from '../consensus/training/outer.ts';
import { MNIST_MLP, paramCount, type TrainingTask } from '../consensus/training/spec.ts';
import { TASKS } from '../genesis/tasks.ts';
import { runTrajectory } from '../consensus/training/trajectory.ts';
import { contributionOf, partOfLanes } from '../consensus/training/contribution.ts';
import { encodePart } from '../consensus/training/part.ts';
import { loadCheckedTrainingSet, loadMnist, MNIST_CLASSES } from '../genesis/datasets/mnist.ts';
import { loadDevnetSpec } from '../genesis/spec.ts';

const HELP = `usage: npm run train -- [--rounds N] [--miners M] [--task NAME] [--backend js|wasm|gpujs|auto] [--plain | --no-tickets] [--threads T]
  --rounds N    rounds to simulate (default 30)
  --miners M    miners per round, one lane each (default 3); lanes of one miner train the same way
  --task NAME   training task from genesis/tasks.ts (default ${MNIST_MLP.name}; known: ${[...TASKS.keys()].join(', ')})
  --backend B   compute backend of the ticket path (default auto: the fastest that passes its self-test)
  --plain       compute the products with the plain-JS reference instead of the ticket path
  --no-tickets  compute the products with the backend's plain matmul (same results, faster than --plain)
  --threads T   worker threads of the wasm backend
  --initial S   the genesis registers only the first S of the training digits (default: all)
  --register-after R  the other digits are registered in round R: shards draw from them from round R+1;
                prints held-out accuracy with and without that registration, round by round
Prints, per round, the mean training loss of the round, held-out loss and accuracy of W_{R+1}.`;

interface TrainArgs {
  rounds: number;
  miners: number;
  task: string;
  backend: string;
  plain: boolean;
  noTickets: boolean;
  threads?: number;
  initial?: number;
  registerAfter?: number;
}

function parseArgs(argv: string[]): TrainArgs {
  const o: TrainArgs = { rounds: 30, miners: 3, task: MNIST_MLP.name, backend: 'auto', plain: false, noTickets: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = () => {
      const v = Number(val());
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (a === '--rounds') o.rounds = int();
    else if (a === '--miners') o.miners = int();
    else if (a === '--backend') o.backend = val();
    else if (a === '--task') o.task = val();
    else if (a === '--plain') o.plain = true;
    else if (a === '--no-tickets') o.noTickets = true;
    else if (a === '--threads') o.threads = int();
    else if (a === '--initial') o.initial = int();
    else if (a === '--register-after') {
      const v = Number(val());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a round (an integer >= 0)`);
      o.registerAfter = v;
    } else throw new Error(`unknown argument ${a}\n${HELP}`);
  }
  if (o.registerAfter !== undefined && o.initial === undefined) throw new Error('--register-after needs --initial S (the digits registered at genesis)');
  if (o.registerAfter !== undefined && o.registerAfter >= o.rounds - 1) throw new Error('--register-after R needs R < rounds - 1 (rounds after the registration to compare)');
  return o;
}

function bar(done: number, total: number, width = 24): string {
  const f = Math.round((done / total) * width);
  return '[' + '#'.repeat(f) + '.'.repeat(width - f) + ']';
}

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const task = TASKS.get(opts.task);
  if (!task) {
    console.error(`unknown task ${opts.task} (known: ${[...TASKS.keys()].join(', ')})`);
    process.exit(2);
  }
  // the devnet genesis commits to the training data: train on exactly those bytes
  const devnet = loadDevnetSpec().params.training!;
  let train;
  try {
    train = loadCheckedTrainingSet(devnet.datasetHash);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const { heldOut } = loadMnist();
  console.log(`dataset: training set matches the devnet genesis's datasetHash`);
  if (opts.initial !== undefined && opts.initial >= train.n) {
    console.error(`--initial ${opts.initial}: the training set has ${train.n} digits`);
    process.exit(2);
  }
  console.log(`task ${task.name}: ${paramCount(task)} weights, H=${task.localSteps} local steps of batch ${task.batch}, outer ${task.outer.kind}`);
  console.log(`data: ${train.n} train / ${heldOut.n} held-out MNIST digits; ${opts.miners} miners x ${opts.rounds} rounds`);

  let close = async () => {};
  let makeMatmul: (round: number, miner: Uint8Array) => MatmulFn = () => matmulPlain;
  let stats: { ticketMacs: number; plainMacs: number; overheadMacs: number; wins: number; tiles: number } | undefined;
  if (opts.noTickets) {
    const be = await import('../miner/backends/index.ts');
    const backend = await be.createBackend(opts.backend as 'auto', opts.threads ? { threads: opts.threads } : {});
    close = () => backend.close();
    const mm: MatmulFn = (j) => backend.matmul(j.a, j.b, j.m, j.k, j.n);
    makeMatmul = () => mm;
    console.log(`products: plain products on backend ${backend.name} (${backend.detail}), no tickets (--no-tickets)`);
  } else if (!opts.plain) {
    try {
      const tm = await import('../miner/ticket-matmul.ts');
      const be = await import('../miner/backends/index.ts');
      const { DEFAULT_POUW_SPEC } = await import('../consensus/pouw/spec.ts');
      const backend = await be.createBackend(opts.backend as 'auto', opts.threads ? { threads: opts.threads } : {});
      close = () => backend.close();
      const st = tm.newTicketStats();
      stats = st;
      const spec = { ...DEFAULT_POUW_SPEC, r: task.noiseRank, h: task.tile.h, w: task.tile.w };
      // simulated chain: a fixed parent, a target with about one win per 2^32 MACs
      const parent = new Uint8Array(32);
      const target = 1n << 224n;
      makeMatmul = (round, miner) => tm.ticketMatmul({ parent, miner, round, lane: 0, target, spec }, backend, undefined, st);
      console.log(`products: ticket path on backend ${backend.name} (${backend.detail}), r=${spec.r}, tiles ${spec.h}x${spec.w}`);
    } catch (e) {
      console.log(`notice: ticket path unavailable (${(e as Error).message}); computing products plainly (--plain)`);
    }
  } else console.log('products: plain-JS reference (--plain)');

  if (opts.initial !== undefined) {
    await registrationRun(task, train, heldOut, opts, makeMatmul);
    await close();
    return;
  }
  let ck = initCheckpoint(task);
  const ev0 = await evaluate(task, ck.weights, heldOut);
  console.log(`round  samples   train-loss  held-loss  held-acc   s/round`);
  console.log(`init   ${'0'.padStart(7)}   ${'-'.padStart(10)}  ${(ev0.lossMilli / 1000).toFixed(3).padStart(9)}  ${(ev0.accuracyBp / 100).toFixed(2).padStart(7)}%`);
  const perRound = opts.miners * task.localSteps * task.batch;
  let best = ev0.accuracyBp;
  let contributionBytes = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const t0 = process.hrtime.bigint();
    const deltas: Int32Array[][] = [];
    let lossSum = 0;
    for (let m = 0; m < opts.miners; m++) {
      const miner = new Uint8Array(20);
      miner[0] = m + 1;
      const t = await runTrajectory(task, train, ck, { round: r, miner, lane: 0 }, makeMatmul(r, miner), (p) => {
        const done = m * task.localSteps + p.step + 1;
        if (process.stdout.isTTY) process.stdout.write(`\rround ${r} ${bar(done, opts.miners * task.localSteps)} miner ${m + 1}/${opts.miners} step ${p.step + 1}/${task.localSteps}`);
      });
      contributionBytes = encodePart(partOfLanes(task, ck.weights, [contributionOf(t)])).length + 65;
      deltas.push(t.delta as Int32Array[]);
      lossSum += t.lossSum;
    }
    ck = outerUpdate(task, ck, deltas);
    const ev = await evaluate(task, ck.weights, heldOut);
    best = Math.max(best, ev.accuracyBp);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (process.stdout.isTTY) process.stdout.write('\r' + ' '.repeat(70) + '\r');
    console.log(
      `${String(r).padEnd(5)}  ${String((r + 1) * perRound).padStart(7)}   ${(lossSum / 256 / perRound).toFixed(3).padStart(10)}  ${(ev.lossMilli / 1000).toFixed(3).padStart(9)}  ${(ev.accuracyBp / 100).toFixed(2).padStart(7)}%  ${secs.toFixed(2).padStart(7)}`,
    );
    if (!process.stdout.isTTY && ((r + 1) % 10 === 0 || r + 1 === opts.rounds)) console.log(`progress ${bar(r + 1, opts.rounds)} ${r + 1}/${opts.rounds} rounds`);
  }
  console.log(`best held-out accuracy ${(best / 100).toFixed(2)}%; one contribution ${contributionBytes} bytes`);
  if (stats) {
    const useful = stats.ticketMacs + stats.plainMacs;
    console.log(`MACs: ${stats.ticketMacs} in ticket jobs, ${stats.plainMacs} plain, ${stats.overheadMacs} noise+decode overhead (${((100 * stats.overheadMacs) / Math.max(1, useful)).toFixed(1)}%); tiles ${stats.tiles}, wins ${stats.wins}`);
  }
  await close();
}

/** The first `n` samples of `d` (what a genesis registering rows [0, n) of the set trains on). */
function firstRows(d: Dataset, n: number): Dataset {
  return makeDataset(d.x.slice(0, n * d.dim), d.y.slice(0, n), d.dim, MNIST_CLASSES);
}

/** One round: every miner's lane on `data` from `ck`, then the outer update. */
async function trainRound(task: TrainingTask, data: Dataset, ck: Checkpoint, r: number, miners: number, makeMatmul: (round: number, miner: Uint8Array) => MatmulFn): Promise<Checkpoint> {
  const deltas: Int32Array[][] = [];
  for (let m = 0; m < miners; m++) {
    const miner = new Uint8Array(20);
    miner[0] = m + 1;
    const t = await runTrajectory(task, data, ck, { round: r, miner, lane: 0 }, makeMatmul(r, miner));
    deltas.push(t.delta as Int32Array[]);
  }
  return outerUpdate(task, ck, deltas);
}

/**
 * --initial S [--register-after R]: the chain with only the first S digits registered, and (with R)
 * the same chain where the rest was registered in round R, so that rounds R+1.. draw their shards
 * from all of them. Both start from the same W_0 and are identical up to round R.
 */
async function registrationRun(task: TrainingTask, train: Dataset, heldOut: Dataset, opts: TrainArgs, makeMatmul: (round: number, miner: Uint8Array) => MatmulFn): Promise<void> {
  const part = firstRows(train, opts.initial!);
  const R = opts.registerAfter;
  console.log(`genesis registers digits [0, ${part.n}); ${R === undefined ? 'nothing registered later' : `digits [${part.n}, ${train.n}) registered in round ${R}, drawn from round ${R + 1} on`}`);
  const acc = (bp: number) => `${(bp / 100).toFixed(2)}%`.padStart(9);
  let without = initCheckpoint(task);
  let withReg = without;
  const ev0 = await evaluate(task, without.weights, heldOut);
  console.log(`round  set-without  set-with  held-acc-without  held-acc-with`);
  console.log(`init   ${String(part.n).padStart(11)}  ${String(part.n).padStart(8)}  ${acc(ev0.accuracyBp).padStart(16)}  ${acc(ev0.accuracyBp).padStart(13)}`);
  const last = { without: ev0.accuracyBp, with: ev0.accuracyBp };
  for (let r = 0; r < opts.rounds; r++) {
    const setWith = R !== undefined && r > R ? train : part;
    without = await trainRound(task, part, without, r, opts.miners, makeMatmul);
    withReg = setWith === part ? without : await trainRound(task, setWith, withReg, r, opts.miners, makeMatmul);
    const evWithout = await evaluate(task, without.weights, heldOut);
    const evWith = withReg === without ? evWithout : await evaluate(task, withReg.weights, heldOut);
    last.without = evWithout.accuracyBp;
    last.with = evWith.accuracyBp;
    console.log(`${String(r).padEnd(5)}  ${String(part.n).padStart(11)}  ${String(setWith.n).padStart(8)}  ${acc(evWithout.accuracyBp).padStart(16)}  ${acc(evWith.accuracyBp).padStart(13)}`);
  }
  console.log(`after ${opts.rounds} rounds: held-out accuracy ${acc(last.without).trim()} without the registration, ${acc(last.with).trim()} with it (${((last.with - last.without) / 100).toFixed(2)} points)`);
}

await main();
