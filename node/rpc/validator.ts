// validator_status and training_attestations: what a validating node checked and found, and the
// attestations this node keeps (its own and gossiped ones) per round.
import type { AttestationStore } from '../validator/store.ts';
import { attestationJson } from '../validator/attestation.ts';
import type { ValidatorService } from '../validator/service.ts';
import { badParams } from './errors.ts';
import type { Json, RpcMethods } from './jsonrpc.ts';

export function validatorMethods(ctx: { store?: AttestationStore; validator?: ValidatorService }): RpcMethods {
  return {
    validator_status: (params): Json => {
      if (params !== undefined && (!Array.isArray(params) || params.length > 0)) throw badParams('expected no params');
      if (!ctx.validator) throw badParams('this node does not validate (start it with --validate)');
      return ctx.validator.status() as Json;
    },
    training_attestations: async (params): Promise<Json> => {
      if (!Array.isArray(params) || params.length !== 1) throw badParams('expected [round]');
      const round = params[0];
      if (typeof round !== 'number' || !Number.isSafeInteger(round) || round < 0) throw badParams('round must be a non-negative integer');
      if (!ctx.store) throw badParams('this node keeps no attestations (it needs training and P2P)');
      const list = await ctx.store.byRound(round, 10_000);
      return { round, count: list.length, attestations: list.map(attestationJson) as Json[] };
    },
  };
}
