// Block import against state size (issue 13 item 5): applyBlock (the state transition with the
// state root, in memory; the db batch it feeds has one write per changed key) on states of 10k,
// 100k and 1M accounts, for a one-write block (one transfer) and a 1,000-transfer block. Goal: the
// time flat in the state size (ratio to the 10k time near 1). Also prints the heap a state of that
// size holds and the machine's load average beside each line.
// TESSERA_BENCH_STATE_SIZES=10000,100000 picks other sizes.
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sha256 } from '../consensus/hash.ts';
import { u32be } from '../consensus/bytes.ts';
import { signatureBackend } from '../consensus/crypto/index.ts';
import type { Tx } from '../consensus/types.ts';
import { accountKey, applyBlock, buildBlock, encodeAccount, State } from '../vm/index.ts';
import { testNet } from '../test/integration/helpers/chain-builder.ts';
import { transfer } from '../test/fixtures/chain.ts';

// a full collection after each state is built, so the timings do not include the one-time
// marking and sweeping of the state just loaded (a node pays that once, at start)
v8.setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;

const SIZES = (process.env['TESSERA_BENCH_STATE_SIZES'] ?? '10000,100000,1000000').split(',').map(Number);
const TXS = 1000;

const synthetic = (i: number): Uint8Array => sha256(u32be(i), u32be(0x5eed)).subarray(0, 20);
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeApply(pre: State, block: ReturnType<typeof buildBlock>['block'], p: ReturnType<typeof testNet>['params'], reps: number): number {
  const ms: number[] = [];
  applyBlock(pre, block, p); // warm-up, not counted
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    applyBlock(pre, block, p);
    ms.push(performance.now() - s);
  }
  return median(ms);
}

export default async function (): Promise<void> {
  const net = testNet(TXS);
  const p = net.params;
  const parent = net.genesis.block.header;
  // signed once: every sender is a funded genesis key, every recipient an existing synthetic account
  const t0 = performance.now();
  const many: Tx[] = net.keys.slice(0, TXS).map((k, i) => transfer(k, synthetic(i), 1_000n, 0, { chainId: p.chainId, fee: p.minFee }));
  const one: Tx[] = [many[0]!];
  console.log(`signed ${many.length} transfers in ${((performance.now() - t0) / 1000).toFixed(1)} s; signature path ${signatureBackend()}; load ${load()}`);
  const base = [...net.genesis.state.entries()];
  const rows: { n: number; one: number; many: number }[] = [];
  for (const n of SIZES) {
    fullGc();
    const b0 = performance.now();
    function* entries(): Generator<[Uint8Array, Uint8Array]> {
      yield* base;
      for (let i = 0; i < n; i++) yield [accountKey(synthetic(i)), encodeAccount({ balance: 1n + BigInt(i), nonce: 0 })];
    }
    let pre: State | undefined = State.fromEntries(entries());
    pre.root();
    const buildS = (performance.now() - b0) / 1000;
    fullGc();
    const heap = process.memoryUsage().heapUsed;
    const tpl = { parent, time: parent.time + p.blockTimeSeconds, target: p.initialTarget, miner: new Uint8Array(20).fill(7), seal: new Uint8Array(0), contributions: [] };
    const b1 = buildBlock(pre, { ...tpl, txs: one }, p).block;
    const bN = buildBlock(pre, { ...tpl, txs: many }, p).block;
    const row = { n, one: timeApply(pre, b1, p, 7), many: timeApply(pre, bN, p, 3) };
    rows.push(row);
    console.log(
      `${String(n).padStart(8)} accounts (state built + rooted in ${buildS.toFixed(1)} s, heap used ${mb(heap)} MiB, rss ${mb(process.memoryUsage().rss)} MiB): ` +
        `one-write block ${row.one.toFixed(2)} ms, ${TXS}-transfer block ${row.many.toFixed(0)} ms; load ${load()}`,
    );
    pre = undefined;
  }
  const first = rows[0]!;
  for (const r of rows.slice(1))
    console.log(`  ratio ${r.n} / ${first.n} accounts: one-write ${(r.one / first.one).toFixed(2)}, ${TXS}-transfer ${(r.many / first.many).toFixed(2)} (flat = 1; state grew ${(r.n / first.n).toFixed(0)}x)`);
}
