// The peer manager: the node's own score of each peer (what it caused: rejected gossip, bad or
// flooding requests, bad responses), bans that outlive a reconnect and a restart, and per-peer
// request rate limits. Gossipsub's score (scoring.ts) punishes invalid gossip inside the mesh;
// this score also covers request/response, and when it falls to the ban threshold the peer is
// disconnected and refused (the connection gater asks isBanned) until the ban expires. Bans are
// written to the db (bucket peerBan), so restarting the node does not forgive them.
// Only what the peer caused is charged (after Lodestar's gossipHandlers): an 'ignore' verdict
// costs nothing, our own faults never. The score recovers slowly (RECOVERY_PER_SECOND).
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import { utf8Bytes } from '../../consensus/bytes.ts';
import type { ChainDb } from '../db/db.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { Logger } from '../log/logger.ts';

/** Score charged per event; the ban threshold is BAN_SCORE. */
export const PENALTY = {
  /** A gossip message whose verdict is reject. */
  rejectedGossip: 25,
  /** A request that does not decode or asks for too much. */
  badRequest: 25,
  /** A request over the protocol's rate. */
  rateLimited: 5,
  /** A response that does not decode or does not answer the request. */
  badResponse: 25,
  /** A peer of another chain: banned at once. */
  wrongGenesis: 100,
} as const;
export type PenaltyKind = keyof typeof PENALTY;

export const BAN_SCORE = -100;

/**
 * The request rate every node serves a peer per protocol by default (a token bucket): what a
 * requester may count on. A node's own requests keep under it (reqresp.ts paces them), so a sync
 * or an ancestor walk after a partition is never taken for a flood.
 */
export const REQUEST_RATE = { perSecond: 10, burst: 20 } as const;
const RECOVERY_PER_SECOND = 0.2;

export interface PeerManagerOpts {
  /** How long a ban lasts (default 1 hour). */
  banSeconds?: number;
  /** Requests per second each peer may make per protocol, and the burst (default 10/s, burst 20). */
  ratePerSecond?: number;
  rateBurst?: number;
  /** Unix milliseconds; default the system clock (node-side only: bans and rate limits, never consensus). */
  nowMs?: () => number;
}

export interface PeerManagerModules {
  db: ChainDb;
  logger: Logger;
  /** Called when a peer gets banned: hang up on it. */
  onBan?: (peerId: string) => void;
}

interface PeerScore {
  score: number;
  at: number;
  /** Counts of what was charged, by typed code (shown by net_peers). */
  offences: Map<string, number>;
}

export interface BanEntry {
  readonly until: number;
  readonly reason: string;
}

export class PeerManager {
  private readonly scores = new Map<string, PeerScore>();
  private readonly bans = new Map<string, BanEntry>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(
    private readonly opts: PeerManagerOpts,
    private readonly modules: PeerManagerModules,
  ) {
    this.now = opts.nowMs ?? (() => Date.now());
  }

  /** Loads stored bans (expired ones are deleted). */
  async load(): Promise<void> {
    const expired: Uint8Array[] = [];
    const nowS = Math.floor(this.now() / 1000);
    for await (const [k, v] of this.modules.db.entries(Bucket.peerBan)) {
      const r = TupleReader.of(decodeCanonical(v, 'peer ban'), 'peer ban', 2);
      const e = { until: r.uint(), reason: r.string(64) };
      const id = Buffer.from(k).toString('utf8');
      if (e.until <= nowS) expired.push(k);
      else this.bans.set(id, e);
    }
    if (expired.length) {
      const b = this.modules.db.batch();
      for (const k of expired) b.del(key(Bucket.peerBan, k));
      await this.modules.db.write(b);
    }
    if (this.bans.size) this.modules.logger.info('peer bans loaded', { banned: this.bans.size });
  }

  isBanned(peerId: string): boolean {
    const b = this.bans.get(peerId);
    if (!b) return false;
    if (b.until * 1000 > this.now()) return true;
    this.bans.delete(peerId);
    void this.modules.db.write(this.modules.db.batch().del(key(Bucket.peerBan, utf8Bytes(peerId)))).catch(() => {});
    return false;
  }

  banned(): ReadonlyMap<string, BanEntry> {
    return this.bans;
  }

  /** The node's own score of a peer: 0 is neutral, BAN_SCORE bans. */
  score(peerId: string): number {
    const s = this.scores.get(peerId);
    if (!s) return 0;
    const t = this.now();
    s.score = Math.min(0, s.score + ((t - s.at) / 1000) * RECOVERY_PER_SECOND);
    s.at = t;
    return s.score;
  }

  offences(peerId: string): Record<string, number> {
    return Object.fromEntries(this.scores.get(peerId)?.offences ?? []);
  }

  /** Charges a peer for `kind` (the typed code it is counted under); bans it at BAN_SCORE. */
  penalize(peerId: string, kind: PenaltyKind, code: string): void {
    if (this.isBanned(peerId)) return;
    const cur = this.score(peerId);
    const s = this.scores.get(peerId) ?? { score: 0, at: this.now(), offences: new Map<string, number>() };
    s.score = cur - PENALTY[kind];
    s.offences.set(code, (s.offences.get(code) ?? 0) + 1);
    this.scores.set(peerId, s);
    this.modules.logger.debug('peer penalized', { peer: peerId, code, score: s.score });
    if (s.score <= BAN_SCORE) void this.ban(peerId, code);
  }

  async ban(peerId: string, reason: string): Promise<void> {
    const until = Math.floor(this.now() / 1000) + (this.opts.banSeconds ?? 3600);
    this.bans.set(peerId, { until, reason });
    this.modules.logger.warn('peer banned', { peer: peerId, reason, until: new Date(until * 1000).toISOString() });
    this.modules.onBan?.(peerId);
    await this.modules.db.write(this.modules.db.batch().put(key(Bucket.peerBan, utf8Bytes(peerId)), encode([until, reason.slice(0, 64)])));
  }

  /** Token bucket per (peer, protocol): false when the peer asks faster than allowed. */
  allowRequest(peerId: string, protocol: string): boolean {
    const rate = this.opts.ratePerSecond ?? REQUEST_RATE.perSecond;
    const burst = this.opts.rateBurst ?? REQUEST_RATE.burst;
    const k = `${peerId} ${protocol}`;
    const t = this.now();
    const b = this.buckets.get(k) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    this.buckets.set(k, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forget the rate buckets of a peer that left (scores stay: a reconnect does not reset them). */
  disconnected(peerId: string): void {
    for (const k of [...this.buckets.keys()]) if (k.startsWith(`${peerId} `)) this.buckets.delete(k);
  }
}
