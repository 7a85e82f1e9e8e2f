// Attestations this node accepted (its own and gossiped ones), bucket `attestation`, keyed so that
// one round's are one range: u64be(round) || miner || u32be(laneStart) || u32be(lane) || u32be(step)
// || validator. One entry per (validator, part, lane, step): a second copy is DUPLICATE. Bounded:
// at most `maxPerRound` entries per round and `maxPerValidator` per validator and round (counted
// in memory since start; STORE_FULL beyond), since anyone can make a validator key. Rounds behind
// `keepRounds` are deleted by prune().
import { bytesEqual, toHex, u32be, u64be } from '../../consensus/bytes.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { ChainDb } from '../db/db.ts';
import { decodeAttestation, encodeAttestation, type Attestation } from './attestation.ts';
import { ValidatorError, ValidatorErrorCode } from './errors.ts';

export interface AttestationStoreOpts {
  maxPerRound?: number;
  maxPerValidator?: number;
}

const attKey = (a: Attestation): Uint8Array => key(Bucket.attestation, u64be(a.round), a.miner, u32be(a.laneStart), u32be(a.lane), u32be(a.step), a.validator);

export class AttestationStore {
  private readonly perRound = new Map<number, number>();
  private readonly perValidator = new Map<string, number>();

  constructor(
    private readonly opts: AttestationStoreOpts,
    private readonly modules: { db: ChainDb },
  ) {}

  /** Stores `a`; throws DUPLICATE or STORE_FULL (state unchanged). */
  async put(a: Attestation): Promise<void> {
    const k = attKey(a);
    const had = await this.modules.db.get(k);
    if (had && bytesEqual(had, encodeAttestation(a))) throw new ValidatorError(ValidatorErrorCode.DUPLICATE, { round: a.round, lane: a.lane, step: a.step });
    if (had) throw new ValidatorError(ValidatorErrorCode.DUPLICATE, { round: a.round, lane: a.lane, step: a.step, reason: 'another verdict of this validator on this check is kept' });
    const vk = `${a.round}/${toHex(a.validator)}`;
    const nr = this.perRound.get(a.round) ?? 0;
    const nv = this.perValidator.get(vk) ?? 0;
    if (nr >= (this.opts.maxPerRound ?? 65_536) || nv >= (this.opts.maxPerValidator ?? 4096))
      throw new ValidatorError(ValidatorErrorCode.STORE_FULL, { round: a.round, reason: nr >= (this.opts.maxPerRound ?? 65_536) ? 'round' : 'validator' });
    const b = this.modules.db.batch();
    b.put(k, encodeAttestation(a));
    await this.modules.db.write(b);
    this.perRound.set(a.round, nr + 1);
    this.perValidator.set(vk, nv + 1);
  }

  /** The attestations of `round`, in key order (miner, laneStart, lane, step, validator); at most `limit`. */
  async byRound(round: number, limit = 10_000): Promise<Attestation[]> {
    const out: Attestation[] = [];
    const prefix = u64be(round);
    for await (const [k, v] of this.modules.db.bucketEntries(Bucket.attestation, prefix)) {
      if (!bytesEqual(k.subarray(0, 8), prefix) || out.length >= limit) break;
      out.push(decodeAttestation(v));
    }
    return out;
  }

  /** Deletes the rounds below `round`. */
  async prune(round: number): Promise<void> {
    const b = this.modules.db.batch();
    for await (const [k] of this.modules.db.bucketEntries(Bucket.attestation)) {
      if (Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0)) >= round) break;
      b.del(key(Bucket.attestation, k));
    }
    if (b.ops.length > 0) await this.modules.db.write(b);
    for (const r of this.perRound.keys()) if (r < round) this.perRound.delete(r);
    for (const v of this.perValidator.keys()) if (Number(v.split('/')[0]) < round) this.perValidator.delete(v);
  }
}
