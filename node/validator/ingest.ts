// Attestations arriving by gossip (and the validator's own), checked in layers, cheapest first,
// each failure a typed ValidatorError / CodecError that node/network/verdict.ts maps to a verdict:
//   size (<= MAX_ATTESTATION_BYTES)                                  NET_TOO_LARGE at the topic door
//   canonical decode, type byte 0x69                                 CODEC_* (reject)
//   step < H or AGGREGATE_STEP (then lane = laneStart)               VAL_BAD_ATTESTATION (reject)
//   the part (round, miner, laneStart) is known, of that partHash    VAL_UNKNOWN_PART (ignore: our chain may lag)
//   lane inside the part's range                                     VAL_BAD_ATTESTATION (reject)
//   the signature recovers to `validator`                            VAL_BAD_SIGNATURE (reject)
//   not stored yet, caps not reached                                 VAL_DUPLICATE / VAL_STORE_FULL (ignore)
// Then it is stored (and relayed by gossip).
import { bytesEqual } from '../../consensus/bytes.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { AGGREGATE_STEP, attestationSigner, decodeAttestation, MAX_ATTESTATION_BYTES, type Attestation } from './attestation.ts';
import { ValidatorError, ValidatorErrorCode } from './errors.ts';
import type { PartFeed } from './parts.ts';
import type { AttestationStore } from './store.ts';
import { NetworkError, NetworkErrorCode } from '../network/errors.ts';

export class AttestationIngest {
  constructor(
    private readonly opts: { chainId: number; task: TrainingTask },
    private readonly modules: { parts: PartFeed; store: AttestationStore },
  ) {}

  /** Checks `bytes` and stores the attestation; throws the typed error of the first check that fails. */
  async accept(bytes: Uint8Array): Promise<Attestation> {
    if (bytes.length > MAX_ATTESTATION_BYTES) throw new NetworkError(NetworkErrorCode.TOO_LARGE, { topic: 'attestations', limit: MAX_ATTESTATION_BYTES, got: bytes.length });
    const a = decodeAttestation(bytes);
    await this.check(a);
    await this.modules.store.put(a);
    return a;
  }

  /** Every check but the store's. */
  async check(a: Attestation): Promise<void> {
    const ctx = { round: a.round, lane: a.lane, step: a.step };
    if (a.step !== AGGREGATE_STEP && a.step >= this.opts.task.localSteps)
      throw new ValidatorError(ValidatorErrorCode.BAD_ATTESTATION, { ...ctx, reason: `step beyond the task's ${this.opts.task.localSteps}` });
    if (a.step === AGGREGATE_STEP && a.lane !== a.laneStart) throw new ValidatorError(ValidatorErrorCode.BAD_ATTESTATION, { ...ctx, reason: 'an aggregate check names the part by its first lane' });
    const p = this.modules.parts.known(a.round, a.miner, a.laneStart);
    if (!p || !bytesEqual(p.partHash, a.partHash)) throw new ValidatorError(ValidatorErrorCode.UNKNOWN_PART, ctx);
    if (a.lane < p.laneStart || a.lane >= p.laneStart + p.laneCount) throw new ValidatorError(ValidatorErrorCode.BAD_ATTESTATION, { ...ctx, reason: `lane outside the part [${p.laneStart}, ${p.laneStart + p.laneCount})` });
    let signer: Uint8Array;
    try {
      signer = attestationSigner(a, this.opts.chainId);
    } catch (e) {
      if (isTesseraError(e)) throw new ValidatorError(ValidatorErrorCode.BAD_SIGNATURE, { ...ctx, cause: e.code });
      throw e;
    }
    if (!bytesEqual(signer, a.validator)) throw new ValidatorError(ValidatorErrorCode.BAD_SIGNATURE, { ...ctx, reason: 'signed by another key' });
  }
}
