// Transactions verified per second, per signature path, on one core (this process's thread).
// "Verified" = signing hash + sender recovery with all pre-checks, as the VM does per tx.
// Goal: >= 5,000 tx/s on the hot path.
import { fmt, goal, mapStats, quick, repeat, type Stats } from './lib/repeat.ts';
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

/** tx/s, one figure per run over all of `txs` (a warm-up of 20 first). */
async function rate(txs: TransferTx[], backend: SignatureBackend): Promise<Stats> {
  for (const tx of txs.slice(0, 20)) recoverTxSender(tx, backend); // warm up
  const t = await repeat(() => { for (const tx of txs) recoverTxSender(tx, backend); }, { warmup: 0 });
  return mapStats(t, (ms) => txs.length / (ms / 1000));
}

export default async function (): Promise<void> {
  console.log(`active path: ${signatureBackend()}`);
  const txs = makeTxs(quick ? 400 : 1000);
  const noble = await rate(txs.slice(0, quick ? 50 : 200), 'noble');
  console.log(`noble  : ${fmt(noble, 'tx/s', 0)} (${quick ? 50 : 200} txs a run)`);
  if (signatureBackend() === 'native') {
    const native = await rate(txs, 'native');
    console.log(`native : ${fmt(native, 'tx/s', 0)} (${txs.length} txs a run)   native/noble = ${(native.median / noble.median).toFixed(1)}x   ${goal('>= 5000 tx/s', native.median >= 5000)}`);
  } else {
    console.log('native : not available here; goal >= 5000 tx/s: MISSED on noble');
  }
}
