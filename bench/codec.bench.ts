// Codec cost per 1,000-tx block: encode, decode (with the canonical re-encode check), block hash,
// tx root. Printed as milliseconds per block, median of several runs.
import { performance } from 'node:perf_hooks';
import { sha256 } from '../consensus/hash.ts';
import { u32be } from '../consensus/bytes.ts';
import { PrivateKey, signTx } from '../consensus/crypto/index.ts';
import { blockHash, computeTxRoot, decodeBlock, encodeBlock } from '../consensus/encoding/index.ts';
import { TypeTag, type Block, type TransferTx } from '../consensus/types.ts';

function median(f: () => void, runs = 9): number {
  const ts: number[] = [];
  f();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[runs >> 1]!;
}

export default async function (): Promise<void> {
  const keys = Array.from({ length: 8 }, (_, i) => PrivateKey.fromBytes(sha256(u32be(i + 1))));
  const txs: TransferTx[] = Array.from({ length: 1000 }, (_, i) =>
    signTx({ type: TypeTag.Transfer, chainId: 1, nonce: i, fee: 1000n + BigInt(i), to: keys[(i + 1) % 8]!.address(), amount: 10n ** 12n + BigInt(i), sig: new Uint8Array(65) }, keys[i % 8]!),
  );
  const block: Block = {
    header: {
      version: 1, chainId: 1, height: 1000, parent: sha256(u32be(1)), time: 1_700_000_000,
      stateRoot: sha256(u32be(2)), txRoot: computeTxRoot(txs), contributionsRoot: sha256(u32be(3)),
      checkpointRoot: sha256(u32be(4)), target: 1n << 230n, seal: new Uint8Array(4096), miner: keys[0]!.address(), sig: new Uint8Array(65),
    },
    txs,
    contributions: [],
  };
  const bytes = encodeBlock(block);
  console.log(`block: 1000 transfers, ${bytes.length} bytes (${(bytes.length / 1000).toFixed(0)} B/tx incl. header + 4 KiB seal)`);
  console.log(`encode        : ${median(() => encodeBlock(block)).toFixed(2)} ms/block`);
  console.log(`decode        : ${median(() => decodeBlock(bytes)).toFixed(2)} ms/block (canonical check included)`);
  console.log(`tx root       : ${median(() => computeTxRoot(txs)).toFixed(2)} ms/block`);
  console.log(`block hash    : ${median(() => blockHash(block.header)).toFixed(3)} ms`);
}
