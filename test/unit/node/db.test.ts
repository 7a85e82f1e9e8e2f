import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainDb } from '../../../node/db/db.ts';
import { Bucket } from '../../../node/db/buckets.ts';

describe('ChainDb', () => {
  it('writes a batch atomically and reads it back after reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-db-'));
    try {
      const h1 = new Uint8Array(32).fill(1);
      const h2 = new Uint8Array(32).fill(2);
      let db = new ChainDb({ path: dir });
      await db.open();
      const b = db
        .batch()
        .putBlock(h1, new Uint8Array([9, 9]))
        .putBlockIndex(h1, { header: new Uint8Array([1, 2, 3]), totalWork: 1n << 200n })
        .putCanonical(0, h1)
        .putState(new Uint8Array([1, 5]), new Uint8Array([7]))
        .putState(new Uint8Array([1, 3]), new Uint8Array([8]))
        .putTxIndex(h2, h1, 4)
        .putHead(h1);
      await db.write(b);
      await db.write(db.batch().putState(new Uint8Array([1, 5]), null));
      await db.close();

      db = new ChainDb({ path: dir });
      await db.open();
      expect(await db.getHead()).toEqual(h1);
      expect(await db.getBlock(h1)).toEqual(new Uint8Array([9, 9]));
      expect(await db.getCanonical(0)).toEqual(h1);
      expect(await db.getCanonical(1)).toBeUndefined();
      expect(await db.getBlockIndex(h1)).toEqual({ header: new Uint8Array([1, 2, 3]), totalWork: 1n << 200n });
      expect(await db.getTxIndex(h2)).toEqual({ blockHash: h1, index: 4 });
      const state: [Uint8Array, Uint8Array][] = [];
      for await (const e of db.stateEntries()) state.push(e);
      expect(state).toEqual([[new Uint8Array([1, 3]), new Uint8Array([8])]]);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has distinct one-byte bucket ids', () => {
    const ids = Object.values(Bucket).filter((v) => typeof v === 'number') as number[];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toBeGreaterThan(0), expect(id).toBeLessThan(256);
  });
});
