// `tessera model export|eval`: the model the chain trained, from a node over RPC (--rpc) or from a
// stopped node's datadir (--datadir; LevelDB allows one process at a time).
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { to0x } from '../../../consensus/bytes.ts';
import type { Checkpoint } from '../../../consensus/training/checkpoint.ts';
import { evaluate } from '../../../consensus/training/evaluate.ts';
import { layerCount, type TrainingTask } from '../../../consensus/training/spec.ts';
import { loadMnist } from '../../../genesis/datasets/mnist.ts';
import { loadDevnetSpec, loadGenesisFile, type GenesisSpec } from '../../../genesis/index.ts';
import { ChainDb } from '../../db/db.ts';
import { CheckpointStore } from '../../model/checkpoint-store.ts';
import { checkpointSafetensors } from '../../model/export.ts';
import { RpcClient } from '../../rpc/client.ts';
import { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE, parseFlags, rpcUrl, usageError, type Io } from '../util.ts';

export const MODEL_HELP = `Usage: tessera model export --out <file> [--round N] [source]
       tessera model eval [--round N] [source]

export  writes round N's checkpoint W_N (default: the open round's) as safetensors: for each
        layer l, "layer<l>.weight" (F32, the real weights: int32 / 2^fracBits, shape in x out)
        and "layer<l>.weight_int32" (I32, the exact master weights); metadata: task, round,
        checkpointRoot, weightFracBits.
eval    prints W_N's accuracy and loss on the held-out MNIST split (1,996 digits), computed
        here with the chain's exact integer forward pass.

Source (one of):
  --rpc <host:port | url>  a running node's JSON-RPC (e.g. 127.0.0.1:8545 or http://127.0.0.1:8545/)
  --datadir <dir>    a stopped node's datadir (default ./data)
  --genesis <file>   genesis JSON of that datadir (default: the embedded devnet genesis)

Options:
  --round <N>        round number (default: the newest stored)
  --out <file>       output file (export)
  --json             machine-readable output
  -h, --help         this help`;

interface Loaded {
  task: TrainingTask;
  round: number;
  root: string;
  checkpoint: Checkpoint;
}

function parseRound(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw usageError(`--round must be a non-negative integer, got "${v}"`, MODEL_HELP);
  return n;
}

async function fromRpc(url: string, round: number | undefined, task: TrainingTask | undefined): Promise<Loaded> {
  const c = new RpcClient(url);
  const st = await c.call<{ task: string; round: number }>('training_status');
  const r = round ?? st.round;
  const cp = await c.call<{ round: number; checkpointRoot: string; tensors: { name: string; shape: number[]; data: string }[] } | null>('training_getCheckpoint', [r]);
  if (!cp) throw new CliError(`the node has no checkpoint of round ${r} (open round: ${st.round})`, EXIT_FAIL);
  const { taskByName } = await import('../../../genesis/tasks.ts');
  const t = task ?? taskByName(st.task);
  const ts = cp.tensors.map((x) => {
    const b = Buffer.from(x.data, 'base64');
    const a = new Int32Array(b.length / 4);
    for (let i = 0; i < a.length; i++) a[i] = b.readInt32LE(i * 4);
    return a;
  });
  const L = layerCount(t);
  return { task: t, round: r, root: cp.checkpointRoot, checkpoint: { weights: ts.slice(0, L), momentum: ts.slice(L) } };
}

async function fromDatadir(datadir: string, genesisFile: string | undefined, round: number | undefined): Promise<Loaded> {
  if (genesisFile !== undefined && !existsSync(genesisFile)) throw new CliError(`no genesis: ${genesisFile} does not exist`, EXIT_USAGE);
  const spec: GenesisSpec = genesisFile !== undefined ? loadGenesisFile(genesisFile) : loadDevnetSpec();
  const t = spec.params.training;
  if (!t) throw new CliError(`the genesis ${spec.name} has no training task, so there is no model`, EXIT_FAIL);
  const db = new ChainDb({ path: join(datadir, 'chain') });
  try {
    await db.open();
  } catch (e) {
    const why = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    throw new CliError(`cannot open ${join(datadir, 'chain')}: ${why} (is a node running on it? then use --rpc)`, EXIT_FAIL);
  }
  try {
    const store = new CheckpointStore({ task: t.task }, { db });
    let r = round;
    if (r === undefined) {
      r = -1;
      while (await store.get(r + 1)) r++;
      if (r < 0) throw new CliError(`no checkpoint stored in ${datadir}`, EXIT_FAIL);
    }
    const c = await store.get(r);
    if (!c) throw new CliError(`no checkpoint of round ${r} stored in ${datadir}`, EXIT_FAIL);
    return { task: t.task, round: r, root: to0x(c.root), checkpoint: c.checkpoint };
  } finally {
    await db.close();
  }
}

export { modelTensors } from '../../model/export.ts';

export async function modelCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { rpc: { type: 'string' }, datadir: { type: 'string' }, genesis: { type: 'string' }, round: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    MODEL_HELP,
    { min: 1, max: 1 },
  );
  const sub = positionals[0]!;
  if (sub !== 'export' && sub !== 'eval') throw usageError(`unknown subcommand "${sub}"`, MODEL_HELP);
  if (values.rpc && (values.datadir || values.genesis)) throw usageError('give --rpc or --datadir/--genesis, not both', MODEL_HELP);
  if (sub === 'export' && !values.out) throw usageError('export needs --out <file>', MODEL_HELP);
  const round = parseRound(values.round);
  const m = values.rpc ? await fromRpc(rpcUrl(values.rpc, MODEL_HELP), round, undefined) : await fromDatadir(resolve(values.datadir ?? './data'), values.genesis, round);
  if (sub === 'export') {
    const bytes = checkpointSafetensors(m.task, m.round, m.root, m.checkpoint);
    await writeFile(values.out!, bytes);
    if (values.json) io.out(JSON.stringify({ round: m.round, checkpointRoot: m.root, file: values.out, bytes: bytes.length }));
    else io.out(`wrote round ${m.round} (checkpoint ${m.root}) to ${values.out} (${bytes.length} bytes)`);
    return EXIT_OK;
  }
  const { heldOut } = loadMnist();
  const ev = await evaluate(m.task, m.checkpoint.weights, heldOut);
  if (values.json) io.out(JSON.stringify({ round: m.round, checkpointRoot: m.root, samples: ev.n, correct: ev.correct, accuracy: ev.accuracyBp / 10000, lossNats: ev.lossMilli / 1000 }));
  else io.out(`round ${m.round}: held-out accuracy ${(ev.accuracyBp / 100).toFixed(2)}% (${ev.correct}/${ev.n}), loss ${(ev.lossMilli / 1000).toFixed(3)} nats, checkpoint ${m.root}`);
  return EXIT_OK;
}
