// Genesis specs: parsed from JSON with a clear error (code + JSON path) for every bad field.
// Big integers (amounts, targets) are strings in JSON: decimal, or 0x hex.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '../consensus/bytes.ts';
import { parseAddress, PrivateKey } from '../consensus/crypto/keys.ts';
import { BPS, DEFAULT_GOVERNANCE, pouwSpecOf, type ChainParams, type GovernanceParams, type TrainingParams } from '../consensus/params.ts';
import { checkSpec } from '../consensus/pouw/spec.ts';
import { checkpointRoot, initCheckpoint } from '../consensus/training/checkpoint.ts';
import { GenesisError, GenesisErrorCode } from './errors.ts';
import { taskByName } from './tasks.ts';

export interface Allocation {
  readonly address: Uint8Array;
  readonly balance: bigint;
}

export interface DevKey {
  readonly index: number;
  readonly privateKey: Uint8Array;
  readonly address: Uint8Array;
}

/** Samples registered at genesis from a built-in dataset: rows [from, to) of `source`. */
export interface GenesisRegistration {
  readonly contributor: Uint8Array;
  readonly royaltyBps: number;
  /** A built-in dataset: "mnist-train" (genesis/datasets/mnist.ts, 8,004 digits). */
  readonly source: string;
  readonly from: number;
  readonly to: number;
}

export interface GenesisData {
  readonly dim: number;
  readonly classes: number;
  readonly registrations: readonly GenesisRegistration[];
}

export interface GenesisSpec {
  readonly chainId: number;
  readonly name: string;
  /** Genesis block time (Unix seconds). */
  readonly time: number;
  readonly checkpointRoot: Uint8Array;
  readonly params: ChainParams;
  readonly allocations: readonly Allocation[];
  /** Mining bonds at genesis (on top of the allocations), so the dev keys can contribute at once. */
  readonly bonds?: readonly Allocation[];
  /** Public, well-known test keys (devnets only). */
  readonly devKeys: readonly DevKey[];
  /** The data registry at genesis (chains that train): who supplied which training samples. */
  readonly data?: GenesisData;
  /**
   * A devnet made for tests (`"testOnly": true`): the only kind of chain on which a node accepts
   * fault injection (`--fault`, miner/faults.ts). Node policy, not consensus: not in the genesis hash.
   */
  readonly testOnly?: boolean;
  /**
   * Where a new node finds peers: multiaddrs with /p2p/<peer id>, dialled when `tessera node` gets
   * no --bootnodes. Not part of the genesis block (buildGenesis never reads it), so listing or
   * changing bootnodes leaves the genesis hash, and the chain, as they are.
   */
  readonly bootnodes?: readonly string[];
}

/** A bootnode address: /ip4|ip6|dns4|dns6|dns/<host>/tcp/<port>/p2p/<peer id>. */
export const BOOTNODE_MULTIADDR = /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/[0-9]{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/;
/** Most bootnodes a genesis lists. */
export const MAX_GENESIS_BOOTNODES = 64;

export const BUILTIN_DATASETS: Readonly<Record<string, number>> = Object.freeze({ 'mnist-train': 8004 });

const MAX_U64 = (1n << 64n) - 1n;

type Obj = Record<string, unknown>;

function bad(path: string, reason: string): never {
  throw new GenesisError(GenesisErrorCode.BAD_FIELD, { path, reason });
}

function field(o: Obj, key: string, path: string): unknown {
  if (!(key in o) || o[key] === undefined) throw new GenesisError(GenesisErrorCode.MISSING_FIELD, { path: `${path}.${key}` });
  return o[key];
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'expected an object');
  return v as Obj;
}

function int(o: Obj, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = field(o, key, path);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(`${path}.${key}`, `expected an integer in [${min}, ${max}]`);
  return v as number;
}

function str(o: Obj, key: string, path: string): string {
  const v = field(o, key, path);
  if (typeof v !== 'string' || v.length === 0) bad(`${path}.${key}`, 'expected a non-empty string');
  return v as string;
}

function big(o: Obj, key: string, path: string, min: bigint, max: bigint): bigint {
  const v = str(o, key, path);
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) bad(`${path}.${key}`, 'expected a decimal or 0x-hex integer string');
  const n = BigInt(v);
  if (n < min || n > max) bad(`${path}.${key}`, `out of range [${min}, ${max}]`);
  return n;
}

function bytes32(o: Obj, key: string, path: string): Uint8Array {
  const v = str(o, key, path);
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) bad(`${path}.${key}`, 'expected 0x and 64 hex digits');
  return fromHex(v);
}

function address(o: Obj, key: string, path: string): Uint8Array {
  const v = str(o, key, path);
  try {
    return parseAddress(v);
  } catch {
    return bad(`${path}.${key}`, 'expected 0x and 40 hex digits');
  }
}

export function parseParams(v: unknown, chainId: number, name: string, path = '$.params'): ChainParams {
  const o = obj(v, path);
  const params: ChainParams = {
    chainId,
    name,
    version: int(o, 'version', path, 1, 0xffffffff),
    blockTimeSeconds: int(o, 'blockTimeSeconds', path, 1, 86_400),
    asertHalfLifeSeconds: int(o, 'asertHalfLifeSeconds', path, 1, 365 * 86_400),
    initialTarget: big(o, 'initialTarget', path, 1n, (1n << 256n) - 1n),
    maxTarget: big(o, 'maxTarget', path, 1n, (1n << 256n) - 1n),
    rewardMaturity: int(o, 'rewardMaturity', path, 1, 1_000_000),
    subsidy: big(o, 'subsidy', path, 0n, MAX_U64),
    minFee: big(o, 'minFee', path, 0n, MAX_U64),
    accountCreationFee: big(o, 'accountCreationFee', path, 0n, MAX_U64),
    maxFutureSeconds: int(o, 'maxFutureSeconds', path, 0, 86_400),
    medianTimeSpan: int(o, 'medianTimeSpan', path, 1, 1_000),
    maxBlockBytes: int(o, 'maxBlockBytes', path, 1024, 1 << 30),
    maxTxsPerBlock: int(o, 'maxTxsPerBlock', path, 1, 1_000_000),
    maxSealBytes: int(o, 'maxSealBytes', path, 0, 1 << 26),
    sealName: str(o, 'sealName', path),
  };
  if (params.initialTarget > params.maxTarget) bad(`${path}.initialTarget`, 'greater than maxTarget');
  const training = 'training' in o ? parseTraining(o['training'], `${path}.training`) : undefined;
  if (params.sealName === 'pouw' && !training) throw new GenesisError(GenesisErrorCode.MISSING_FIELD, { path: `${path}.training` });
  const governance = 'governance' in o ? parseGovernance(o['governance'], `${path}.governance`) : undefined;
  return Object.freeze({ ...params, ...(training ? { training } : {}), ...(governance ? { governance } : {}) });
}

/** Governance section: every field optional, DEFAULT_GOVERNANCE for the rest. */
export function parseGovernance(v: unknown, path: string): GovernanceParams {
  const o = obj(v, path);
  const d = DEFAULT_GOVERNANCE;
  const i = (k: keyof GovernanceParams, min: number, max: number) => (k in o ? int(o, k, path, min, max) : (d[k] as number));
  const g: GovernanceParams = {
    minDeposit: 'minDeposit' in o ? big(o, 'minDeposit', path, 1n, MAX_U64) : d.minDeposit,
    votingPeriod: i('votingPeriod', 2, 1_000_000),
    timelock: i('timelock', 1, 1_000_000),
    quorumBps: i('quorumBps', 1, BPS),
    thresholdBps: i('thresholdBps', 1, BPS),
    vetoBps: i('vetoBps', 1, BPS),
    dataShareBps: i('dataShareBps', 0, BPS),
    treasuryShareBps: i('treasuryShareBps', 0, BPS),
  };
  if (g.dataShareBps > BPS) bad(`${path}.dataShareBps`, 'at most 10000');
  return Object.freeze(g);
}

function parseData(v: unknown, path: string, params: ChainParams): GenesisData {
  const o = obj(v, path);
  const t = params.training;
  if (!t) bad(path, 'data needs params.training');
  const dim = int(o, 'dim', path, 1, 1 << 16);
  const classes = int(o, 'classes', path, 2, 1 << 16);
  if (dim !== t!.task.layers[0] || classes !== t!.task.layers[t!.task.layers.length - 1]) bad(path, "dim and classes must be the task's input and output widths");
  const raw = field(o, 'registrations', path);
  if (!Array.isArray(raw)) bad(`${path}.registrations`, 'expected an array');
  const taken: Array<[string, number, number]> = [];
  const registrations = (raw as unknown[]).map((r, i) => {
    const rp = `${path}.registrations[${i}]`;
    const ro = obj(r, rp);
    const source = str(ro, 'source', rp);
    const size = BUILTIN_DATASETS[source];
    if (size === undefined) bad(`${rp}.source`, `unknown dataset (known: ${Object.keys(BUILTIN_DATASETS).join(', ')})`);
    const from = int(ro, 'from', rp, 0, size! - 1);
    const to = int(ro, 'to', rp, from + 1, size!);
    for (const [s2, a, b] of taken) if (s2 === source && from < b && a < to) bad(rp, 'overlaps another registration');
    taken.push([source, from, to]);
    return Object.freeze({ contributor: address(ro, 'contributor', rp), royaltyBps: int(ro, 'royaltyBps', rp, 0, BPS), source, from, to });
  });
  return Object.freeze({ dim, classes, registrations: Object.freeze(registrations) });
}

export function parseTraining(v: unknown, path: string): TrainingParams {
  const o = obj(v, path);
  const task = taskByName(str(o, 'task', path), `${path}.task`);
  const pouw = pouwSpecOf(task, int(o, 'minDimFactor', path, 1, 64));
  try {
    checkSpec(pouw);
  } catch (e) {
    bad(`${path}.task`, `the task's tile / noise rank is not a valid PoUW spec: ${(e as Error).message}`);
  }
  const roundBlocks = int(o, 'roundBlocks', path, 1, 1_000_000);
  const challengeWindow = int(o, 'challengeWindow', path, 1, 1_000_000);
  const unbondDelay = int(o, 'unbondDelay', path, 1, 1_000_000);
  // A bond must still be there when a challenge of the last round it backed can land: the round
  // lasts roundBlocks, its challenge window challengeWindow more.
  if (unbondDelay <= roundBlocks + challengeWindow)
    throw new GenesisError(GenesisErrorCode.UNBOND_DELAY_TOO_SHORT, {
      path: `${path}.unbondDelay`,
      reason: `unbondDelay ${unbondDelay} must exceed roundBlocks + challengeWindow = ${roundBlocks + challengeWindow}`,
    });
  return Object.freeze({
    task,
    pouw,
    roundBlocks,
    challengeWindow,
    minBond: big(o, 'minBond', path, 0n, MAX_U64),
    bondPerLane: big(o, 'bondPerLane', path, 0n, MAX_U64),
    laneBudget: int(o, 'laneBudget', path, 1, 1 << 30),
    maxContributionBytes: int(o, 'maxContributionBytes', path, 1024, 1 << 30),
    maxContributionsPerBlock: int(o, 'maxContributionsPerBlock', path, 1, 100_000),
    ticketShareBps: int(o, 'ticketShareBps', path, 0, BPS),
    unbondDelay,
    datasetHash: bytes32(o, 'datasetHash', path),
    // optional (default DEFAULT_EQUIVOCATION_BOND_SLASH_BPS); a share of the bond, so at most 10,000
    ...('equivocationBondSlashBps' in o ? { equivocationBondSlashBps: int(o, 'equivocationBondSlashBps', path, 0, BPS) } : {}),
    // fraud proofs (docs/validators.md), optional: defaults in consensus/params.ts
    ...('challengeBond' in o ? { challengeBond: big(o, 'challengeBond', path, 0n, MAX_U64) } : {}),
    ...('fraudBondSlashBps' in o ? { fraudBondSlashBps: int(o, 'fraudBondSlashBps', path, 0, BPS) } : {}),
    ...('challengeRewardBps' in o ? { challengeRewardBps: int(o, 'challengeRewardBps', path, 0, BPS) } : {}),
    ...('maxChallengesPerBlock' in o ? { maxChallengesPerBlock: int(o, 'maxChallengesPerBlock', path, 1, 1_000) } : {}),
    ...('challengeAnswerBlocks' in o ? { challengeAnswerBlocks: int(o, 'challengeAnswerBlocks', path, 1, 1_000) } : {}),
    ...('maxPartLanes' in o ? { maxPartLanes: int(o, 'maxPartLanes', path, 1, 0xffff_ffff) } : {}),
  });
}

/** Validates a parsed JSON genesis document; throws GenesisError naming the bad field. */
export function parseGenesis(json: unknown): GenesisSpec {
  const root = obj(json, '$');
  const chainId = int(root, 'chainId', '$', 0, 0xffffffff);
  const name = str(root, 'name', '$');
  const time = int(root, 'time', '$', 0, 0xffffffff);
  let ckptRoot = 'checkpointRoot' in root ? bytes32(root, 'checkpointRoot', '$') : new Uint8Array(32);
  const params = parseParams(field(root, 'params', '$'), chainId, name);
  if (params.training) {
    // W_0 is a function of the task: the genesis checkpoint root is computed, and a stated one must agree.
    const computed = checkpointRoot(params.training.task, initCheckpoint(params.training.task));
    if ('checkpointRoot' in root && toHex(ckptRoot) !== toHex(computed))
      bad('$.checkpointRoot', `the task's initial checkpoint root is 0x${toHex(computed)}`);
    ckptRoot = computed;
  }

  const allocsRaw = field(root, 'allocations', '$');
  if (!Array.isArray(allocsRaw)) bad('$.allocations', 'expected an array');
  const seen = new Set<string>();
  let total = 0n;
  const allocations = (allocsRaw as unknown[]).map((a, i) => {
    const path = `$.allocations[${i}]`;
    const o = obj(a, path);
    const alloc = { address: address(o, 'address', path), balance: big(o, 'balance', path, 1n, MAX_U64) };
    const k = toHex(alloc.address);
    if (seen.has(k)) throw new GenesisError(GenesisErrorCode.DUPLICATE_ALLOCATION, { path: `${path}.address` });
    seen.add(k);
    total += alloc.balance;
    if (total > MAX_U64) bad(`${path}.balance`, 'total allocations exceed 2^64 - 1');
    return Object.freeze(alloc);
  });

  const devRaw = root['devKeys'] ?? [];
  if (!Array.isArray(devRaw)) bad('$.devKeys', 'expected an array');
  const devKeys = (devRaw as unknown[]).map((d, i) => {
    const path = `$.devKeys[${i}]`;
    const o = obj(d, path);
    const privateKey = bytes32(o, 'privateKey', path);
    const addr = address(o, 'address', path);
    let derived: Uint8Array;
    try {
      derived = PrivateKey.fromBytes(privateKey).address();
    } catch {
      return bad(`${path}.privateKey`, 'not a valid secp256k1 private key');
    }
    if (toHex(derived) !== toHex(addr)) throw new GenesisError(GenesisErrorCode.KEY_MISMATCH, { path: `${path}.address`, reason: `key gives 0x${toHex(derived)}` });
    return Object.freeze({ index: int(o, 'index', path, 0), privateKey, address: addr });
  });

  const bondsRaw = root['bonds'] ?? [];
  if (!Array.isArray(bondsRaw)) bad('$.bonds', 'expected an array');
  const bondSeen = new Set<string>();
  const bonds = (bondsRaw as unknown[]).map((a, i) => {
    const path = `$.bonds[${i}]`;
    if (!params.training) bad(path, 'bonds need params.training');
    const o = obj(a, path);
    const b = { address: address(o, 'address', path), balance: big(o, 'amount', path, 1n, MAX_U64) };
    const k = toHex(b.address);
    if (bondSeen.has(k)) throw new GenesisError(GenesisErrorCode.DUPLICATE_ALLOCATION, { path: `${path}.address` });
    bondSeen.add(k);
    return Object.freeze(b);
  });

  const data = 'data' in root ? parseData(root['data'], '$.data', params) : undefined;
  if ('testOnly' in root && typeof root['testOnly'] !== 'boolean') bad('$.testOnly', 'expected true or false');
  const testOnly = root['testOnly'] === true;
  const bootnodes = 'bootnodes' in root ? parseBootnodes(root['bootnodes']) : undefined;

  return Object.freeze({
    chainId, name, time, checkpointRoot: ckptRoot, params,
    allocations: Object.freeze(allocations), bonds: Object.freeze(bonds), devKeys: Object.freeze(devKeys), ...(data ? { data } : {}),
    ...(testOnly ? { testOnly } : {}),
    ...(bootnodes ? { bootnodes } : {}),
  });
}

function parseBootnodes(v: unknown): readonly string[] {
  if (!Array.isArray(v)) bad('$.bootnodes', 'expected an array of multiaddr strings');
  if ((v as unknown[]).length > MAX_GENESIS_BOOTNODES) bad('$.bootnodes', `at most ${MAX_GENESIS_BOOTNODES} bootnodes`);
  return Object.freeze(
    (v as unknown[]).map((b, i) => {
      if (typeof b !== 'string' || !BOOTNODE_MULTIADDR.test(b)) bad(`$.bootnodes[${i}]`, 'expected a multiaddr like /ip4/127.0.0.1/tcp/9333/p2p/<peer id>');
      return b as string;
    }),
  );
}

const here = dirname(fileURLToPath(import.meta.url));

/** Reads and parses a genesis JSON file. */
export function loadGenesisFile(path: string): GenesisSpec {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GenesisError(GenesisErrorCode.BAD_FIELD, { path: '$', reason: `not JSON: ${(e as Error).message}` });
  }
  return parseGenesis(json);
}

export function loadDevnetSpec(): GenesisSpec {
  return loadGenesisFile(join(here, 'devnet.json'));
}
