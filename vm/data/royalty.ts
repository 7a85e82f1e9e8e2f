// PayRoyalty: a model usage fee, split among data contributors by cumulative attribution.
// Contributor i gets floor(amount · weighted_i / (attributed · 10,000)) (weighted: its samples used
// times their registrations' royaltyBps), credited at once; the rounding rest, the parts
// contributors waived (royaltyBps < 10,000) and the whole fee before any attribution go to the
// treasury. Exact: the payer's debit equals the credits plus the treasury's gain.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import { BPS, type ChainParams } from '../../consensus/params.ts';
import type { PayRoyaltyTx } from '../../consensus/types.ts';
import { addTreasury } from '../governance/state.ts';
import { credit } from '../rewards.ts';
import { checkSignedTx, type TxOutcome } from '../tx/common.ts';
import type { StateView } from '../view.ts';
import { attributionKey, attributionPrefix, decodeAttribution, encodeAttribution } from './keys.ts';
import { readRegistry } from './registry.ts';

export function applyPayRoyalty(view: StateView, tx: PayRoyaltyTx, p: ChainParams, backend?: SignatureBackend): TxOutcome {
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const cost = tx.amount + tx.fee;
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance });
  view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
  const attributed = readRegistry(view)?.attributed ?? 0n;
  let paid = 0n;
  if (attributed > 0n) {
    const denom = attributed * BigInt(BPS);
    for (const k of view.keysWithPrefix(attributionPrefix())) {
      const a = decodeAttribution(view.get(k)!);
      const share = (tx.amount * a.weighted) / denom;
      if (share === 0n) continue;
      const who = k.subarray(1);
      credit(view, who, share);
      view.set(attributionKey(who), encodeAttribution({ ...a, royalties: a.royalties + share }));
      paid += share;
    }
  }
  addTreasury(view, tx.amount - paid);
  return { sender, fee: tx.fee };
}
