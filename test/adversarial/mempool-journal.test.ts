// The mempool journal is read back from the node's own database at start. Whoever can write to the
// datadir could plant txs there (or a bug could leave stale ones): every journal entry goes through
// the pool's full entry checks against the head state, so a tampered signature, a replayed nonce, a
// tx of another chain or undecodable bytes are dropped with their typed reason, logged, and never
// reach the pool; the journal is cleared so nothing is offered twice. Real LevelDB on disk.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { u32be } from '../../consensus/bytes.ts';
import { encodeTx } from '../../consensus/encoding/index.ts';
import { TxErrorCode } from '../../consensus/errors.ts';
import { PrivateKey, signTx } from '../../consensus/crypto/index.ts';
import { TypeTag, type TransferTx } from '../../consensus/types.ts';
import { Bucket, key } from '../../node/db/buckets.ts';
import { ChainDb } from '../../node/db/db.ts';
import { createLogger } from '../../node/log/logger.ts';
import { MempoolJournal } from '../../node/mempool/journal.ts';
import { Mempool, type AccountReader } from '../../node/mempool/mempool.ts';

const CHAIN = 7;
const alice = PrivateKey.fromBytes(new Uint8Array(32).fill(1));
const bob = PrivateKey.fromBytes(new Uint8Array(32).fill(2));
const to = new Uint8Array(20).fill(0xee);
const transfer = (k: PrivateKey, nonce: number, chainId = CHAIN): TransferTx =>
  signTx({ type: TypeTag.Transfer, chainId, nonce, fee: 10n, to, amount: 100n, sig: new Uint8Array(0) }, k);
const state = (aliceNonce: number): AccountReader => ({ getAccount: (a) => ({ balance: 10_000n, nonce: a[0] === alice.address()[0] ? aliceNonce : 0 }) });

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function setup() {
  dir = await mkdtemp(join(tmpdir(), 'tessera-journal-'));
  const db = new ChainDb({ path: dir });
  await db.open();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', format: 'json' }, (l) => lines.push(JSON.parse(l)));
  const mempool = new Mempool({ chainId: CHAIN, minFee: 1n }, { logger });
  return { db, mempool, lines, journal: new MempoolJournal({ db, mempool, logger }) };
}

describe('the mempool journal', () => {
  it('refuses planted and stale entries with their typed reasons, keeps the valid ones, and is read once', async () => {
    const { db, mempool, lines, journal } = await setup();
    try {
      const good = transfer(bob, 0);
      const replayed = transfer(alice, 0); // alice's nonce is 1 at the head: included meanwhile
      const forged = { ...transfer(bob, 1), amount: 9_999n }; // signature no longer matches (recovers another sender)
      const otherChain = transfer(bob, 1, CHAIN + 1);
      const b = db.batch();
      [encodeTx(good), encodeTx(replayed), encodeTx(forged), encodeTx(otherChain), new Uint8Array([0x10, 0xff])].forEach((bytes, i) => b.put(key(Bucket.mempoolJournal, u32be(i)), bytes));
      await db.write(b);

      const r = await journal.restore(state(1));
      expect(r).toEqual({ restored: 1, dropped: 4 });
      expect(mempool.list().map((e) => e.tx)).toEqual([good]);
      const reasons = lines.filter((l) => l.msg === 'mempool journal: tx dropped').map((l) => l.reason);
      expect(reasons).toContain(TxErrorCode.BAD_NONCE);
      expect(reasons).toContain(TxErrorCode.WRONG_CHAIN);
      expect(reasons.length).toBe(4);
      // nothing is left to offer again
      expect(await journal.restore(state(1))).toEqual({ restored: 0, dropped: 0 });
      // a save writes exactly the pool, replacing what was there
      expect(await journal.save()).toBe(1);
      const again = new Mempool({ chainId: CHAIN, minFee: 1n }, { logger: createLogger({ level: 'error', format: 'json' }, () => {}) });
      expect(await new MempoolJournal({ db, mempool: again, logger: createLogger({ level: 'error', format: 'json' }, () => {}) }).restore(state(1))).toEqual({ restored: 1, dropped: 0 });
    } finally {
      await db.close();
    }
  });
});
