import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildGenesis } from '../../../genesis/build.ts';
import { loadDevnetSpec, parseGenesis } from '../../../genesis/spec.ts';
import { GenesisError, GenesisErrorCode } from '../../../genesis/errors.ts';
import { sha256 } from '../../../consensus/hash.ts';
import { toHex, utf8Bytes } from '../../../consensus/bytes.ts';
import { PrivateKey } from '../../../consensus/crypto/keys.ts';
import { EMPTY_ROOT } from '../../../consensus/merkle.ts';
import { decodeBlock, encodeBlock, blockHash } from '../../../consensus/encoding/index.ts';
import { datasetHash } from '../../../consensus/training/dataset.ts';
import { loadCheckedTrainingSet, loadMnist } from '../../../genesis/datasets/mnist.ts';
import { thrown } from '../../helpers/errors.ts';

const raw = JSON.parse(readFileSync(new URL('../../../genesis/devnet.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const clone = () => JSON.parse(JSON.stringify(raw)) as Record<string, any>;

function errOf(json: unknown): { code: string; path: string } | undefined {
  try {
    parseGenesis(json);
  } catch (e) {
    if (e instanceof GenesisError) return { code: e.code, path: e.context.path };
    throw e;
  }
  return undefined;
}

describe('devnet genesis', () => {
  const spec = loadDevnetSpec();

  it('has the documented parameters', () => {
    expect(spec.params.blockTimeSeconds).toBe(10);
    expect(spec.params.sealName).toBe('pouw');
    expect(spec.allocations.length).toBe(4);
  });

  it('dev keys are SHA-256("tessera devnet key <i>") and hold the allocations', () => {
    spec.devKeys.forEach((k, i) => {
      expect(toHex(k.privateKey)).toBe(toHex(sha256(utf8Bytes(`tessera devnet key ${i}`))));
      expect(toHex(PrivateKey.fromBytes(k.privateKey).address())).toBe(toHex(k.address));
      expect(toHex(spec.allocations[i]!.address)).toBe(toHex(k.address));
    });
  });

  it('builds block 0 deterministically with the allocations in its state', () => {
    const a = buildGenesis(spec);
    const b = buildGenesis(loadDevnetSpec());
    expect(a.hash).toEqual(b.hash);
    expect(a.hash).toEqual(blockHash(a.block.header));
    expect(a.state.root()).toEqual(a.block.header.stateRoot);
    expect(a.block.header.height).toBe(0);
    expect(a.block.header.txRoot).toEqual(EMPTY_ROOT);
    expect(a.block.header.target).toBe(spec.params.initialTarget);
    expect(a.state.getAccount(spec.allocations[0]!.address).balance).toBe(spec.allocations[0]!.balance);
    expect(decodeBlock(encodeBlock(a.block))).toEqual(a.block);
    const other = buildGenesis({ ...spec, time: spec.time + 1 });
    expect(other.hash).not.toEqual(a.hash);
  });
});

describe('genesis parser', () => {
  it('names the missing or bad field', () => {
    const noChain = clone();
    delete noChain.chainId;
    expect(errOf(noChain)).toEqual({ code: GenesisErrorCode.MISSING_FIELD, path: '$.chainId' });
    const badTime = clone();
    badTime.params.blockTimeSeconds = 0;
    expect(errOf(badTime)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.params.blockTimeSeconds' });
    const badFee = clone();
    badFee.params.minFee = '12.5';
    expect(errOf(badFee)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.params.minFee' });
    const badAddr = clone();
    badAddr.allocations[1].address = '0x1234';
    expect(errOf(badAddr)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.allocations[1].address' });
    const zeroMaturity = clone();
    zeroMaturity.params.rewardMaturity = 0;
    expect(errOf(zeroMaturity)?.path).toBe('$.params.rewardMaturity');
    expect(errOf('not an object')).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$' });
  });

  it('rejects duplicate allocations and dev keys that do not match their address', () => {
    const dup = clone();
    dup.allocations[1].address = dup.allocations[0].address;
    expect(errOf(dup)?.code).toBe(GenesisErrorCode.DUPLICATE_ALLOCATION);
    const mismatch = clone();
    mismatch.devKeys[0].address = mismatch.devKeys[1].address;
    expect(errOf(mismatch)).toEqual({ code: GenesisErrorCode.KEY_MISMATCH, path: '$.devKeys[0].address' });
  });

  it('takes bootnodes outside the hashed genesis: listing them leaves the genesis hash as it is', () => {
    const plain = parseGenesis(clone());
    expect(plain.bootnodes).toBeUndefined();
    const listed = clone();
    listed.bootnodes = [
      '/ip4/127.0.0.1/tcp/9333/p2p/12D3KooWSuUoXYFWoXsrDSZ88oRY9s64J87PncSVNFJQ2rzPomUf',
      '/dns4/boot.example.org/tcp/9333/p2p/12D3KooWP21y2GhCThM7ipc5zSmzt2FwnZYmu4iig7p9NKLkgwaf',
    ];
    const spec = parseGenesis(listed);
    expect(spec.bootnodes).toEqual(listed.bootnodes);
    expect(toHex(buildGenesis(spec).hash)).toBe(toHex(buildGenesis(plain).hash));
    expect(toHex(buildGenesis(spec).hash)).toBe(toHex(buildGenesis(loadDevnetSpec()).hash));
    // a bad entry is named by its path
    const noPeerId = clone();
    noPeerId.bootnodes = [listed.bootnodes[0], '/ip4/127.0.0.1/tcp/9333'];
    expect(errOf(noPeerId)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.bootnodes[1]' });
    const notList = clone();
    notList.bootnodes = listed.bootnodes[0];
    expect(errOf(notList)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.bootnodes' });
    const tooMany = clone();
    tooMany.bootnodes = Array.from({ length: 65 }, () => listed.bootnodes[0]);
    expect(errOf(tooMany)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.bootnodes' });
  });

  it('rejects an initial target above the max target', () => {
    const t = clone();
    t.params.initialTarget = '0x' + 'ff'.repeat(32);
    expect(errOf(t)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.params.initialTarget' });
  });
});

describe('devnet genesis with training', () => {
  it('opens round 0 on the task\'s initial checkpoint, bonds the dev keys, and names the pouw seal', async () => {
    const { readRound, readBond } = await import('../../../vm/round/state.ts');
    const { checkpointRoot, initCheckpoint } = await import('../../../consensus/training/checkpoint.ts');
    const { sealFor } = await import('../../../consensus/seal-pouw.ts');
    const spec = loadDevnetSpec();
    const t = spec.params.training!;
    expect(t.task.name).toBe('mnist-mlp-784-128-10/h32');
    expect([t.pouw.r, t.pouw.h, t.pouw.w]).toEqual([t.task.noiseRank, t.task.tile.h, t.task.tile.w]);
    expect(t.roundBlocks).toBe(6);
    const g = buildGenesis(spec);
    const round = readRound(g.state)!;
    expect([round.round, round.openedAt, round.pool]).toEqual([0, 0, 0n]);
    expect(round.checkpointRoot).toEqual(checkpointRoot(t.task, initCheckpoint(t.task)));
    expect(g.block.header.checkpointRoot).toEqual(round.checkpointRoot);
    for (const k of spec.devKeys) expect(readBond(g.state, k.address)).toBeGreaterThanOrEqual(t.minBond);
    expect(sealFor(spec.params).name).toBe('pouw');
  });

  it('rejects an unknown task, a stated checkpoint root that is not the task\'s, and pouw without training', () => {
    const badTask = clone();
    badTask.params.training.task = 'no-such-task';
    expect(errOf(badTask)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.params.training.task' });
    const badRoot = clone();
    badRoot.checkpointRoot = '0x' + '00'.repeat(32);
    expect(errOf(badRoot)).toEqual({ code: GenesisErrorCode.BAD_FIELD, path: '$.checkpointRoot' });
    const noTraining = clone();
    delete noTraining.params.training;
    expect(errOf(noTraining)).toEqual({ code: GenesisErrorCode.MISSING_FIELD, path: '$.params.training' });
  });

  it('requires unbondDelay > roundBlocks + challengeWindow (a bond outlives the challenges of the rounds it backed)', () => {
    const t = raw.params as { training: { roundBlocks: number; challengeWindow: number } };
    const edge = clone();
    edge.params.training.unbondDelay = t.training.roundBlocks + t.training.challengeWindow;
    expect(errOf(edge)).toEqual({ code: GenesisErrorCode.UNBOND_DELAY_TOO_SHORT, path: '$.params.training.unbondDelay' });
    const ok = clone();
    ok.params.training.unbondDelay = t.training.roundBlocks + t.training.challengeWindow + 1;
    expect(errOf(ok)).toBeUndefined();
  });

  it('commits to its training data: the MNIST set here hashes to datasetHash, other bytes are a startup error', () => {
    const spec = loadDevnetSpec();
    expect(toHex(datasetHash(loadMnist().train))).toBe(toHex(spec.params.training!.datasetHash));
    expect(loadCheckedTrainingSet(spec.params.training!.datasetHash).n).toBe(loadMnist().train.n);
    const other = spec.params.training!.datasetHash.slice();
    other[0]! ^= 1;
    const e = thrown(GenesisError, () => loadCheckedTrainingSet(other));
    expect([e.code, e.context.path]).toEqual([GenesisErrorCode.DATASET_MISMATCH, '$.params.training.datasetHash']);
    const missing = clone();
    delete missing.params.training.datasetHash;
    expect(errOf(missing)).toEqual({ code: GenesisErrorCode.MISSING_FIELD, path: '$.params.training.datasetHash' });
    // one changed pixel changes the hash
    const { train } = loadMnist();
    const x = train.x.slice();
    x[12345] = (x[12345]! + 1) % 64;
    expect(toHex(datasetHash({ ...train, x }))).not.toBe(toHex(datasetHash(train)));
  });

  it('charges an account-creation fee', () => {
    const spec = loadDevnetSpec();
    expect(spec.params.accountCreationFee).toBeGreaterThan(spec.params.minFee);
    const missing = clone();
    delete missing.params.accountCreationFee;
    expect(errOf(missing)).toEqual({ code: GenesisErrorCode.MISSING_FIELD, path: '$.params.accountCreationFee' });
  });
});
