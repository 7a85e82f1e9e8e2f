// Codec cost per 1,000-tx block: encode, decode (with the canonical re-encode check), block hash,
// tx root. Printed as milliseconds per block: median (min-max) of 9 runs after a warm-up.
import { fmtMs, quick, repeat } from './lib/repeat.ts';
import { sha256 } from '../consensus/hash.ts';
import { u32be } from '../consensus/bytes.ts';
import { PrivateKey, signTx } from '../consensus/crypto/index.ts';
import { blockHash, computeTxRoot, decodeBlock, encodeBlock } from '../consensus/encoding/index.ts';
import { TypeTag, type Block, type TransferTx } from '../consensus/types.ts';

const runs = quick ? 2 : 9;

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
  console.log(`encode        : ${fmtMs(await repeat(() => encodeBlock(block), { runs }))} per block`);
  console.log(`decode        : ${fmtMs(await repeat(() => decodeBlock(bytes), { runs }))} per block (canonical check included)`);
  console.log(`tx root       : ${fmtMs(await repeat(() => computeTxRoot(txs), { runs }))} per block`);
  console.log(`block hash    : ${fmtMs(await repeat(() => blockHash(block.header), { runs }), 3)}`);
}
