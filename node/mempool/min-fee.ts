// The minFee a tx must pay to enter the pool: the one in effect for the next block on the head
// (vm/governance/params.ts paramsAt; a passed ParamChange applies from the block after its execution).
import type { ChainParams } from '../../consensus/params.ts';
import { paramsAt } from '../../vm/governance/params.ts';
import type { StateReader } from '../../vm/round/state.ts';

/** `head()`: the head's state and height (undefined before the chain is open: genesis minFee). */
export function governedMinFee(head: () => { state: StateReader; height: number } | undefined, genesis: ChainParams): () => bigint {
  return () => {
    const h = head();
    return h ? paramsAt(h.state, genesis, h.height + 1).minFee : genesis.minFee;
  };
}
