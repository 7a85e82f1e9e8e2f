// The mining service signs what its (keyless) miner worker hands it: the worker's unsigned
// contribution enters the pool signed by the miner's key, and a worker message that is not the
// miner's own announced lane is logged and never signed. No worker thread is started: the test
// feeds the service the worker's message directly.
import { describe, expect, it } from 'vitest';
import { to0x } from '../../../consensus/bytes.ts';
import { contributionSigner, decodeSignedContribution, encodeContribution } from '../../../consensus/training/contribution.ts';
import type { Chain } from '../../../node/chain/chain.ts';
import { createLogger } from '../../../node/log/logger.ts';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../node/mempool/mempool.ts';
import type { FromMiner } from '../../../node/mining/messages.ts';
import { MiningService } from '../../../node/mining/service.ts';
import { testKey } from '../../fixtures/chain.ts';
import { MINING_PARAMS, TINY_TASK, mineLane, miningGenesis } from '../../fixtures/mining.ts';

const key = testKey(1);
const A = key.address();
const B = testKey(2).address();
const p = MINING_PARAMS;

function service(opts: { miner?: Uint8Array } = {}) {
  const lines: string[] = [];
  const contributions = new ContributionPool();
  const svc = new MiningService(
    { miner: opts.miner ?? A, key, backend: 'js', params: p },
    { chain: {} as Chain, mempool: {} as Mempool, contributions, logger: createLogger({ level: 'debug', format: 'json' }, (l) => lines.push(l)) },
  );
  const fromWorker = (m: FromMiner) => (svc as unknown as { onMessage(m: FromMiner): void }).onMessage(m);
  return { contributions, fromWorker, lines };
}

describe('MiningService signs its miner worker\'s contributions', () => {
  it('pools the worker\'s unsigned contribution signed by the miner, for this chain', async () => {
    const g = miningGenesis([A, B], [A, B]);
    const w = await mineLane(g.state, g.header, key, 1);
    const { contributions, fromWorker } = service();
    fromWorker({ type: 'contribution', round: 0, lane: 1, bytes: encodeContribution(w.contribution), macs: 1, lossMilli: 0, accuracyBp: 0 });
    const [pooled] = contributions.forBlock(g.state, 0, 8, 1 << 20);
    expect(contributions.size).toBe(1);
    expect(pooled!.bytes).toEqual(w.bytes); // deterministic signature: exactly the fixture's signed bytes
    const c = decodeSignedContribution(TINY_TASK, pooled!.bytes);
    expect(to0x(contributionSigner(c, p.chainId))).toBe(to0x(A));
  });

  it('signs nothing that is not its own miner\'s lane as announced, or not a contribution', async () => {
    const g = miningGenesis([A, B], [A, B]);
    const wb = await mineLane(g.state, g.header, B, 0);
    const wa = await mineLane(g.state, g.header, A, 0);
    const { contributions, fromWorker, lines } = service();
    fromWorker({ type: 'contribution', round: 0, lane: 0, bytes: encodeContribution(wb.contribution), macs: 1, lossMilli: 0, accuracyBp: 0 });
    fromWorker({ type: 'contribution', round: 0, lane: 2, bytes: encodeContribution(wa.contribution), macs: 1, lossMilli: 0, accuracyBp: 0 });
    fromWorker({ type: 'contribution', round: 0, lane: 0, bytes: wa.bytes, macs: 1, lossMilli: 0, accuracyBp: 0 }); // already signed: not the worker's form
    expect(contributions.size).toBe(0);
    expect(lines.filter((l) => l.includes('will not sign')).length).toBe(3);
  });

  it('refuses a key that is not the miner address\'s', () => {
    expect(() => service({ miner: B })).toThrow(/not for the miner address/);
  });
});
