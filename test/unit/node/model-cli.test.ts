// `tessera model export|eval` on a datadir holding stored checkpoints; the exported safetensors
// file is read back by our reader and, when python3 is present, by an independent reader written
// in a few lines of python (struct + json), as any standard safetensors reader parses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { to0x } from '../../../consensus/bytes.ts';
import { checkpointRoot, initCheckpoint } from '../../../consensus/training/checkpoint.ts';
import { evaluate } from '../../../consensus/training/evaluate.ts';
import { loadMnist } from '../../../genesis/datasets/mnist.ts';
import { loadDevnetSpec } from '../../../genesis/index.ts';
import { main } from '../../../node/cli/main.ts';
import { ChainDb } from '../../../node/db/db.ts';
import { CheckpointStore } from '../../../node/model/checkpoint-store.ts';
import { decodeSafetensors } from '../../../node/model/safetensors.ts';

let dir: string;
const task = loadDevnetSpec().params.training!.task;
const ck = initCheckpoint(task);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n') });
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-model-'));
  await writeFile(join(dir, 'genesis.json'), await readFile(new URL('../../../genesis/devnet.json', import.meta.url)));
  const db = new ChainDb({ path: join(dir, 'chain') });
  await db.open();
  const store = new CheckpointStore({ task }, { db });
  await store.put({ round: 0, root: checkpointRoot(task, ck), openedAt: 0, checkpoint: ck });
  // round 1: the same weights scaled, so that the two rounds differ
  const w1 = ck.weights.map((w) => w.map((x) => x >> 1));
  await store.put({ round: 1, root: checkpointRoot(task, { weights: w1, momentum: ck.momentum }), openedAt: 3, checkpoint: { weights: w1, momentum: ck.momentum } });
  await db.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tessera model', () => {
  it('export writes a safetensors file of the newest round that our reader and a python reader load', async () => {
    const out = join(dir, 'model.safetensors');
    const r = await cli(['model', 'export', '--datadir', dir, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('round 1');
    const bytes = new Uint8Array(await readFile(out));
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata.round).toBe('1');
    expect(metadata.task).toBe(task.name);
    expect(tensors['layer0.weight_int32']!.shape).toEqual([784, 128]);
    expect(Array.from(tensors['layer1.weight_int32']!.data.slice(0, 5))).toEqual(Array.from(ck.weights[1]!.slice(0, 5)).map((x) => x >> 1));
    const f = tensors['layer0.weight']!.data[3]!;
    expect(f).toBeCloseTo((ck.weights[0]![3]! >> 1) / 2 ** task.weightFracBits, 6);

    if (spawnSync('python3', ['--version']).status !== 0) {
      console.warn('python3 not found: skipping the independent safetensors reader');
      return;
    }
    const py = `
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
data = b[8 + n:]
out = {}
for name, t in h.items():
    if name == '__metadata__':
        continue
    s, e = t['data_offsets']
    fmt = {'I32': 'i', 'F32': 'f'}[t['dtype']]
    count = (e - s) // 4
    assert count == t['shape'][0] * t['shape'][1], name
    vals = struct.unpack('<%d%s' % (count, fmt), data[s:e])
    out[name] = {'shape': t['shape'], 'dtype': t['dtype'], 'first': vals[0], 'sum': sum(vals) if fmt == 'i' else None}
print(json.dumps({'tensors': out, 'meta': h.get('__metadata__', {})}))
`;
    const parsed = JSON.parse(execFileSync('python3', ['-c', py, out], { encoding: 'utf8' })) as {
      tensors: Record<string, { shape: number[]; dtype: string; first: number; sum: number }>;
      meta: Record<string, string>;
    };
    expect(Object.keys(parsed.tensors).sort()).toEqual(['layer0.weight', 'layer0.weight_int32', 'layer1.weight', 'layer1.weight_int32']);
    expect(parsed.tensors['layer1.weight_int32']!.shape).toEqual([128, 10]);
    expect(parsed.tensors['layer1.weight_int32']!.sum).toBe(ck.weights[1]!.reduce((a, x) => a + (x >> 1), 0));
    expect(parsed.meta.round).toBe('1');
  });

  it('eval prints the held-out accuracy of the chosen round', async () => {
    const r = await cli(['model', 'eval', '--round', '0', '--datadir', dir, '--json']);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out) as { round: number; accuracy: number; samples: number; checkpointRoot: string };
    const ev = await evaluate(task, ck.weights, loadMnist().heldOut);
    expect(got).toMatchObject({ round: 0, samples: 1996, accuracy: ev.accuracyBp / 10000, checkpointRoot: to0x(checkpointRoot(task, ck)) });
  });

  it('refuses bad usage with exit 2 and a missing round with exit 1', async () => {
    expect((await cli(['model', 'export', '--datadir', dir])).code).toBe(2);
    expect((await cli(['model', 'eval', '--round', 'x', '--datadir', dir])).code).toBe(2);
    const r = await cli(['model', 'eval', '--round', '9', '--datadir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no checkpoint of round 9');
  });
});
