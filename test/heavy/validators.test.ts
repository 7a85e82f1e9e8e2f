// The validators' "Must show" on a local devnet of separate `tessera node` processes (127.0.0.1,
// OS-assigned ports, each stopped by its pid): two honest miners, one faulty miner per fault kind
// (`--fault`, on a genesis marked testOnly), and one validator (--validate --sample 0.5) connected
// to every miner. Every fault is found by the validator, with what its fraud proof needs (the
// wrong step, job or element of D); a miner that withholds its data is attested `unavailable` and
// asked for a leaf on chain (a data request), which it does not answer; the honest miners have no
// fraud finding (a request that reached one is answered) and valid attestations; the attestations
// reach the other nodes by gossip (an honest miner's node keeps them: training_attestations).
// Then the validator's challenges land: each faulty miner has a part voided (by a proof, or by its
// unanswered request) and its bond slashed; the honest miners' bonds are untouched. The genesis
// gives a loaded 2-core machine room: 3 s blocks, a 40-block challenge window, 4 blocks to answer. (The replay of the
// final checkpoint without the void parts, and a failed challenge, are shown in one process over a
// real chain: test/unit/node/validator/service.test.ts and test/unit/vm/challenge.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { to0x, utf8Bytes } from '../../consensus/bytes.ts';
import { PrivateKey } from '../../consensus/crypto/index.ts';
import { sha256 } from '../../consensus/hash.ts';
import { rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from '../integration/helpers/nodes.ts';

const FAULTS = (process.env.VALIDATOR_FAULTS ?? 'wrong-weights:7,wrong-aggregate,junk-lane:0,synthetic-operands,withheld').split(',');

const running: RunningNode[] = [];
let dir: string;
let genesisFile: string;
let devKeys: { privateKey: string; address: string }[];
let genesisJson: any;
const faulty = FAULTS.map((f, i) => ({ fault: f, key: PrivateKey.fromBytes(sha256(utf8Bytes(`validators heavy test miner ${i}`))) }));
let honest: RunningNode[] = [];
const faultyNodes = new Map<string, RunningNode>();
let validator: RunningNode;

const common = (name: string): string[] => ['--datadir', join(dir, name), '--genesis', genesisFile, '--rpc', '127.0.0.1:0', '--http', 'off'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-validators-'));
  const g = await writeTestGenesis(dir, (g) => {
    // the default task (H = 8): lanes short enough to land within a round on a loaded 2-core machine
    g.params.blockTimeSeconds = 3;
    Object.assign(g.params.training, { task: 'mnist-mlp-784-128-10/v1', roundBlocks: 5, challengeWindow: 40, unbondDelay: 60, challengeAnswerBlocks: 4 });
    for (const f of faulty) {
      g.allocations.push({ address: to0x(f.key.address()), balance: '1000000000000000' });
      g.bonds.push({ address: to0x(f.key.address()), amount: '10000000000000' });
    }
  });
  genesisFile = g.file;
  devKeys = g.json.devKeys;
  genesisJson = g.json;
  const START = 600_000; // a loaded 2-core machine starts a node (and its miner's backend) slowly
  const a = await startNode([...common('a'), '--mine', '--miner-key-file', await writeKey(dir, 'ka', devKeys[0]!.privateKey), '--threads', '1', '--p2p', '127.0.0.1:0'], START);
  running.push(a);
  const settled = await Promise.allSettled([
    startNode([...common('b'), '--mine', '--miner-key-file', await writeKey(dir, 'kb', devKeys[1]!.privateKey), '--threads', '1', '--bootnodes', a.p2p], START),
    ...faulty.map(async (f, i) => startNode([...common(`f${i}`), '--mine', '--miner-key-file', await writeKey(dir, `kf${i}`, to0x(f.key.bytes)), '--threads', '1', '--bootnodes', a.p2p, '--fault', f.fault], START)),
  ]);
  // every child that started is stopped by afterAll, also when another did not start
  for (const x of settled) if (x.status === 'fulfilled') running.push(x.value);
  const failed = settled.find((x) => x.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const others = settled.map((x) => (x as PromiseFulfilledResult<RunningNode>).value);
  honest = [a, others[0]!];
  faulty.forEach((f, i) => faultyNodes.set(f.fault, others[i + 1]!));
  const all = running.map((n) => n.p2p).join(',');
  validator = await startNode([...common('v'), '--validate', '--sample', '0.5', '--validator-key', await writeKey(dir, 'kv', devKeys[3]!.privateKey), '--bootnodes', all], START);
  running.push(validator);
}, 1_500_000);

afterAll(async () => {
  await Promise.all(running.map(stopNode));
  // every node's log, for a failure to be read after the run (test-output/ is not committed)
  const out = join(import.meta.dirname, '..', '..', 'test-output', 'validators-heavy');
  await mkdir(out, { recursive: true });
  await Promise.all(running.map((n, i) => writeFile(join(out, `${n === validator ? 'validator' : `node-${i}`}.log`), n.log())));
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Finding { kind: string; miner: string; lane: number; step?: number; reason: string; jobId?: number; element?: unknown; challenge?: { status: string; voided?: boolean; code?: string } }

describe('validators on a devnet of separate processes', () => {
  it('finds every injected fault, attests every check, and never blames an honest miner', async () => {
    const minerOf = (fault: string) => to0x(faulty.find((f) => f.fault === fault)!.key.address());
    const expectFinding: Record<string, (f: Finding) => boolean> = {
      'wrong-weights:7': (f) => f.kind === 'step' && f.step === 7 && f.reason === 'next-weights',
      'wrong-aggregate': (f) => f.kind === 'aggregate',
      'junk-lane:0': (f) => f.kind === 'step' && f.lane === 0 && f.reason === 'next-weights',
      'synthetic-operands': (f) => f.kind === 'step' && f.reason === 'job',
      withheld: (f) => f.kind === 'request',
    };
    const wanted = FAULTS.filter((f) => f in expectFinding);
    let last: unknown;
    const status = await until('a finding for every faulty miner', async () => {
      // a loaded machine may drop an RPC connection now and then: asked again at the next poll
      const s = await rpc(validator.rpc, 'validator_status').catch(() => undefined);
      if (!s) return undefined;
      last = s;
      const found = wanted.every((k) => (s.findings as Finding[]).some((f) => f.miner === minerOf(k) && expectFinding[k]!(f)));
      return found ? s : undefined;
    }, 600_000).catch((e: Error) => {
      throw new Error(`${e.message}; last status ${JSON.stringify(last)}; validator log:\n${validator.log().split('\n').filter((l) => /validator|WARN|ERROR/.test(l)).slice(-40).join('\n')}`);
    });
    const findings = status.findings as Finding[];
    const honestMiners = devKeys.slice(0, 2).map((k) => k.address.toLowerCase());
    // an honest miner is never found at fault; a leaf it could not serve in time may be requested, never left unanswered
    expect(findings.filter((f) => honestMiners.includes(f.miner) && f.kind !== 'request')).toEqual([]);
    // each faulty miner's findings are of its own kind only
    for (const k of wanted) for (const f of findings.filter((x) => x.miner === minerOf(k))) expect(expectFinding[k]!(f), `${k}: ${JSON.stringify(f)}`).toBe(true);

    // the attestations of the rounds checked: every honest miner has valid ones; the withholding miner's
    // checks are unavailable (nothing served)
    const rounds = new Set<number>();
    const all: { miner: string; verdict: string; served: boolean; check: string; validator: string }[] = [];
    for (let r = 0; r <= status.lastRound; r++) {
      const res = await rpc(validator.rpc, 'training_attestations', [r]);
      if (res.count > 0) rounds.add(r);
      all.push(...res.attestations);
    }
    for (const m of honestMiners) {
      expect(all.some((a) => a.miner === m && a.verdict === 'valid')).toBe(true);
      expect(all.filter((a) => a.miner === m && a.verdict === 'fraud')).toEqual([]);
    }
    if (FAULTS.includes('withheld')) {
      const w = all.filter((a) => a.miner === minerOf('withheld'));
      expect(w.length).toBeGreaterThan(0);
      expect(w.every((a) => !a.served && a.verdict === 'unavailable')).toBe(true);
    }
    for (const k of wanted.filter((x) => x !== 'withheld')) expect(all.some((a) => a.miner === minerOf(k) && a.verdict === 'fraud'), k).toBe(true);

    // the challenges land: every faulty miner found has a void part and a slashed bond; honest bonds untouched
    const bondOf = async (addr: string) => BigInt((await rpc(honest[0]!.rpc, 'state_getAccount', [addr])).bond);
    const genesisBond = (addr: string) => BigInt(genesisJson.bonds.find((b: { address: string }) => b.address.toLowerCase() === addr).amount);
    await until('a void part for every faulty miner found', async () => {
      const s = await rpc(validator.rpc, 'validator_status').catch(() => undefined);
      if (!s) return undefined;
      last = s;
      return wanted.every((k) => (s.findings as Finding[]).some((f) => f.miner === minerOf(k) && f.challenge?.voided === true)) ? true : undefined;
    }, 300_000).catch((e: Error) => {
      throw new Error(`${e.message}; last status ${JSON.stringify(last)}`);
    });
    for (const k of wanted) expect(await bondOf(minerOf(k))).toBeLessThan(genesisBond(minerOf(k)));
    for (const m of honestMiners) expect(await bondOf(m)).toBe(genesisBond(m));
    for (const f of (last as { findings: (Finding & { answered?: boolean })[] }).findings.filter((x) => honestMiners.includes(x.miner))) expect(f.challenge?.voided, JSON.stringify(f)).not.toBe(true);

    // gossip: an honest miner's node keeps the validator's attestations too
    const v = devKeys[3]!.address.toLowerCase();
    await until('attestations on an honest node', async () => {
      for (const r of rounds) if ((await rpc(honest[0]!.rpc, 'training_attestations', [r])).attestations.some((a: { validator: string }) => a.validator === v)) return true;
      return undefined;
    }, 60_000);
  }, 900_000);
});
