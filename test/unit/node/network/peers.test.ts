// The peer manager with a real LevelDB: charges only what it is told, bans at the threshold,
// keeps the ban across a restart (a new manager on the same db), lets it expire, and rate-limits
// requests per (peer, protocol) with a token bucket (a fake clock: no timed assertions).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainDb } from '../../../../node/db/db.ts';
import { silentLogger } from '../../../../node/log/logger.ts';
import { BAN_SCORE, PENALTY, PeerManager } from '../../../../node/network/peers.ts';
import { OrphanPool } from '../../../../node/network/orphans.ts';
import { gossipVerdict, GOSSIP_ACTION } from '../../../../node/network/verdict.ts';
import { BlockError, BlockErrorCode, CodecError, CodecErrorCode } from '../../../../consensus/errors.ts';
import { ChainError, ChainErrorCode } from '../../../../node/chain/errors.ts';
import type { Block } from '../../../../consensus/types.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function openDb(dir?: string): Promise<{ db: ChainDb; dir: string }> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'tessera-peers-')));
  if (!dir) dirs.push(d);
  const db = new ChainDb({ path: d });
  await db.open();
  return { db, dir: d };
}

describe('PeerManager', () => {
  it('bans at the threshold, calls onBan, and keeps the ban across a restart until it expires', async () => {
    let now = 1_800_000_000_000;
    const banned: string[] = [];
    const { db, dir } = await openDb();
    const pm = new PeerManager({ banSeconds: 600, nowMs: () => now }, { db, logger: silentLogger, onBan: (id) => banned.push(id) });
    await pm.load();
    const hits = Math.ceil(-BAN_SCORE / PENALTY.rejectedGossip);
    for (let i = 0; i < hits - 1; i++) pm.penalize('peerA', 'rejectedGossip', 'CODEC_MALFORMED');
    expect(pm.isBanned('peerA')).toBe(false);
    expect(pm.score('peerA')).toBe(-(hits - 1) * PENALTY.rejectedGossip);
    expect(pm.offences('peerA')).toEqual({ CODEC_MALFORMED: hits - 1 });
    pm.penalize('peerA', 'rejectedGossip', 'CODEC_MALFORMED');
    expect(pm.isBanned('peerA')).toBe(true);
    expect(banned).toEqual(['peerA']);
    expect(pm.isBanned('peerB')).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // the ban's db write
    await db.close();

    const again = await openDb(dir);
    const pm2 = new PeerManager({ nowMs: () => now }, { db: again.db, logger: silentLogger });
    await pm2.load();
    expect(pm2.isBanned('peerA')).toBe(true);
    now += 601_000;
    expect(pm2.isBanned('peerA')).toBe(false);
    await again.db.close();
  });

  it('recovers score slowly and never above zero', async () => {
    let now = 0;
    const { db } = await openDb();
    const pm = new PeerManager({ nowMs: () => now }, { db, logger: silentLogger });
    pm.penalize('p', 'badRequest', 'NET_BAD_REQUEST');
    expect(pm.score('p')).toBe(-PENALTY.badRequest);
    now += 10_000;
    expect(pm.score('p')).toBeGreaterThan(-PENALTY.badRequest);
    now += 10_000_000;
    expect(pm.score('p')).toBe(0);
    await db.close();
  });

  it('rate-limits each (peer, protocol) with a token bucket', async () => {
    let now = 0;
    const { db } = await openDb();
    const pm = new PeerManager({ ratePerSecond: 2, rateBurst: 4, nowMs: () => now }, { db, logger: silentLogger });
    const allowed = Array.from({ length: 6 }, () => pm.allowRequest('p', 'status'));
    expect(allowed).toEqual([true, true, true, true, false, false]);
    expect(pm.allowRequest('p', 'headers')).toBe(true); // another protocol has its own bucket
    expect(pm.allowRequest('q', 'status')).toBe(true); // another peer too
    now += 1000; // two tokens back
    expect([pm.allowRequest('p', 'status'), pm.allowRequest('p', 'status'), pm.allowRequest('p', 'status')]).toEqual([true, true, false]);
    await db.close();
  });
});

describe('OrphanPool', () => {
  const orphan = (i: number, parent: number, bytes = 10) => {
    const hash = new Uint8Array(32).fill(i);
    const block = { header: { parent: new Uint8Array(32).fill(parent) } } as unknown as Block;
    return { hash, block, bytes, from: 'p' };
  };

  it('holds at most maxCount (oldest out first) and maxBytes, and hands children over by parent', () => {
    const pool = new OrphanPool({ maxCount: 3, maxBytes: 100 });
    expect(pool.add(orphan(1, 9))).toBe(0);
    expect(pool.add(orphan(1, 9))).toBe(-1);
    pool.add(orphan(2, 1));
    pool.add(orphan(3, 1));
    expect(pool.add(orphan(4, 2))).toBe(1); // orphan 1 evicted
    expect(pool.size).toBe(3);
    expect(pool.has(new Uint8Array(32).fill(1))).toBe(false);
    expect(pool.takeChildren(new Uint8Array(32).fill(1)).map((o) => o.hash[0])).toEqual([2, 3]);
    expect(pool.size).toBe(1);
    expect(pool.add(orphan(5, 4, 95))).toBe(1); // bytes: 10 + 95 > 100
    expect(pool.size).toBe(1);
  });
});

describe('gossip verdicts', () => {
  it('maps typed errors through the one table and our own bugs to ignore', () => {
    expect(gossipVerdict(new CodecError(CodecErrorCode.MALFORMED, { what: 'x' }))).toEqual({ action: 'reject', code: 'CODEC_MALFORMED' });
    expect(gossipVerdict(new BlockError(BlockErrorCode.BAD_SEAL))).toEqual({ action: 'reject', code: 'BLOCK_BAD_SEAL' });
    expect(gossipVerdict(new ChainError(ChainErrorCode.ALREADY_KNOWN, {}))).toEqual({ action: 'ignore', code: 'CHAIN_ALREADY_KNOWN' });
    expect(gossipVerdict(new BlockError(BlockErrorCode.STATE_MISMATCH)).action).toBe('ignore');
    expect(gossipVerdict(new TypeError('bug'))).toEqual({ action: 'ignore', code: 'NET_INTERNAL' });
    for (const code of [...Object.values(CodecErrorCode), ...Object.values(BlockErrorCode), ...Object.values(ChainErrorCode)]) expect(GOSSIP_ACTION).toHaveProperty(code);
  });
});
