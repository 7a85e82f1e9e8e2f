// The mempool journal (as geth's transactions.rlp): at a clean stop the node writes the pool's txs,
// in pool order, to db bucket 0x18; at the next start it offers each back to the pool against the
// head state and logs how many came back and, for each one that did not, why (included meanwhile,
// nonce taken, fee below the minimum...). The journal is cleared once read, so a tx is never
// offered twice. A kill -9 loses the pool since the last clean stop (the txs' senders still have
// them and can send again).
import { u32be } from '../../consensus/bytes.ts';
import { decodeTx, encodeTx, txHash } from '../../consensus/encoding/index.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import { to0x } from '../../consensus/bytes.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { ChainDb } from '../db/db.ts';
import type { Logger } from '../log/logger.ts';
import type { AccountReader, Mempool } from './mempool.ts';

export class MempoolJournal {
  constructor(private readonly modules: { db: ChainDb; mempool: Mempool; logger: Logger }) {}

  /** Offers the journal's txs to the pool; returns how many came back and how many were dropped. */
  async restore(state: AccountReader): Promise<{ restored: number; dropped: number }> {
    const { db, mempool, logger } = this.modules;
    const b = db.batch();
    let restored = 0;
    let dropped = 0;
    for await (const [k, v] of db.entries(Bucket.mempoolJournal)) {
      b.del(key(Bucket.mempoolJournal, k));
      let hash = '(undecodable)';
      try {
        const tx = decodeTx(v);
        hash = to0x(txHash(tx));
        mempool.add(tx, state);
        restored++;
      } catch (e) {
        dropped++;
        logger.warn('mempool journal: tx dropped', { hash, reason: isTesseraError(e) ? e.code : (e as Error).message });
      }
    }
    await db.write(b);
    if (restored + dropped > 0) logger.info('mempool journal: restored the txs pooled at the last stop', { restored, dropped });
    return { restored, dropped };
  }

  /** Writes the pool (replacing any older journal); call at a clean stop. */
  async save(): Promise<number> {
    const { db, mempool, logger } = this.modules;
    const b = db.batch();
    for await (const [k] of db.entries(Bucket.mempoolJournal)) b.del(key(Bucket.mempoolJournal, k));
    const list = mempool.list();
    list.forEach((e, i) => b.put(key(Bucket.mempoolJournal, u32be(i)), encodeTx(e.tx)));
    await db.write(b);
    if (list.length > 0) logger.info('mempool journal: saved the pooled txs for the next start', { txs: list.length });
    return list.length;
  }
}
