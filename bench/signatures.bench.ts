// Transactions verified per second, per signature path, on one core (this process's thread).
// "Verified" = signing hash + sender recovery with all pre-checks, as the VM does per tx.
// Goal: >= 5,000 tx/s on the hot path.
import { performance } from 'node:perf_hooks';
import { sha256 } from '../consensus/hash.ts';
import { u32be } from '../consensus/bytes.ts';
import { PrivateKey, recoverTxSender, signatureBackend, signTx, type SignatureBackend } from '../consensus/crypto/index.ts';
import { TypeTag, type TransferTx } from '../consensus/types.ts';

function makeTxs(n: number): TransferTx[] {
  const keys = Array.from({ length: 16 }, (_, i) => PrivateKey.fromBytes(sha256(u32be(i + 1))));
  return Array.from({ length: n }, (_, i) =>
    signTx({ type: TypeTag.Transfer, chainId: 1, nonce: i, fee: 10n, to: keys[(i + 1) % 16]!.address(), amount: BigInt(i + 1), sig: new Uint8Array(65) }, keys[i % 16]!),
  );
}

function rate(txs: TransferTx[], backend: SignatureBackend): number {
  for (const tx of txs.slice(0, 20)) recoverTxSender(tx, backend); // warm up
  const t0 = performance.now();
  for (const tx of txs) recoverTxSender(tx, backend);
  return txs.length / ((performance.now() - t0) / 1000);
}

export default async function (): Promise<void> {
  console.log(`active path: ${signatureBackend()}`);
  const txs = makeTxs(3000);
  const noble = rate(txs.slice(0, 400), 'noble');
  console.log(`noble  : ${noble.toFixed(0).padStart(7)} tx/s (400 txs)`);
  if (signatureBackend() === 'native') {
    const native = rate(txs, 'native');
    console.log(`native : ${native.toFixed(0).padStart(7)} tx/s (3000 txs)   native/noble = ${(native / noble).toFixed(1)}x   goal >= 5000 tx/s: ${native >= 5000 ? 'met' : 'MISSED'}`);
  } else {
    console.log('native : not available here; goal >= 5000 tx/s: MISSED on noble');
  }
}
