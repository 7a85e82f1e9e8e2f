// The node reports equivocation it sees: for each pair of headers the chain kept (one ticket signed
// twice by its miner, Chain.equivocations()) whose offence the head state has not punished, it pools an
// Equivocation tx signed by the mining key, fee = minFee, once per offence. Not against its own key.
// The reporter gains nothing from it (docs/hardening.md, "Equivocation evidence"): it pays one fee.
import { bytesEqual, to0x, toHex } from '../../consensus/bytes.ts';
import { signTx, type PrivateKey } from '../../consensus/crypto/index.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import { TypeTag, type EquivocationTx } from '../../consensus/types.ts';
import { offenceKey } from '../../vm/tx/equivocation.ts';
import type { Chain } from '../chain/chain.ts';
import type { Logger } from '../log/logger.ts';
import type { Mempool } from '../mempool/mempool.ts';

export interface EvidenceReporter {
  /** Offence keys (hex) already reported by this node. */
  readonly reported: Set<string>;
}

/** Pools evidence for the pairs not yet reported; returns how many txs it pooled. */
export function reportEquivocations(chain: Chain, mempool: Mempool, key: PrivateKey, logger: Logger, r: EvidenceReporter): number {
  const pairs = chain.equivocations();
  if (pairs.length === 0) return 0;
  const state = chain.state();
  const me = key.address();
  let pooled = 0;
  for (const { first, second } of pairs) {
    const offence = offenceKey(first);
    const k = toHex(offence);
    if (r.reported.has(k) || bytesEqual(first.miner, me) || state.get(offence) !== undefined) continue;
    r.reported.add(k);
    const meHex = toHex(me);
    const nonce = state.getAccount(me).nonce + mempool.list().filter((e) => e.senderHex === meHex).length;
    const tx = signTx<EquivocationTx>({ type: TypeTag.Equivocation, chainId: chain.params.chainId, nonce, fee: chain.params.minFee, first, second, sig: new Uint8Array(0) }, key);
    try {
      mempool.add(tx, state);
      pooled++;
      logger.info('equivocation evidence pooled', { miner: to0x(first.miner), height: first.height });
    } catch (e) {
      if (!isTesseraError(e)) throw e;
      logger.warn('equivocation evidence not pooled', { miner: to0x(first.miner), code: e.code });
    }
  }
  return pooled;
}
