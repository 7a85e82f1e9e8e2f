// The validators' "Must show" on local devnets of separate `tessera node` processes (127.0.0.1,
// OS-assigned ports, each stopped by its pid). Per fault kind, one devnet: two honest miners, one
// faulty miner (`--fault`, on a genesis marked testOnly) and one validator (--validate --sample 0.5)
// connected to every miner. (All kinds on one devnet is 8 busy processes: on a 2-core machine the
// validator then falls minutes behind the chain and its challenges arrive after their window; set
// VALIDATOR_FAULTS to run a subset.)
// Each fault is found by the validator with what its fraud proof needs (the wrong step, job or
// element of D); a miner that withholds its data is attested `unavailable` and asked for a leaf on
// chain (a data request), which it does not answer. The honest miners have no fraud finding (a
// request that reached one is answered) and valid attestations; the attestations reach the other
// nodes by gossip. Then the challenge lands: the faulty miner's part is void (by a proof, or by its
// unanswered request) and its bond slashed; the honest miners' bonds are untouched; held-out
// accuracy still rose; and an honest node's stored chain, voids included, replays from genesis to its
// head state (the checkpoint without the void parts is the one every node computes). A challenge of
// an honest part (it fails and costs the challenger) is shown in one process over a real chain:
// test/unit/node/validator/service.test.ts. The genesis gives a loaded 2-core machine room: 3 s
// blocks, a 40-block challenge window, 4 blocks to answer a request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { to0x, utf8Bytes } from '../../consensus/bytes.ts';
import { PrivateKey } from '../../consensus/crypto/index.ts';
import { sha256 } from '../../consensus/hash.ts';
import { replayDatadir, rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from '../integration/helpers/nodes.ts';

const FAULTS = (process.env.VALIDATOR_FAULTS ?? 'wrong-weights:7,wrong-aggregate,junk-lane:0,synthetic-operands,withheld').split(',');

interface Finding { kind: string; miner: string; lane: number; step?: number; reason: string; jobId?: number; element?: unknown; answered?: boolean; challenge?: { status: string; voided?: boolean; code?: string } }

const expectFinding: Record<string, (f: Finding) => boolean> = {
  'wrong-weights:7': (f) => f.kind === 'step' && f.step === 7 && f.reason === 'next-weights',
  'wrong-aggregate': (f) => f.kind === 'aggregate',
  'junk-lane:0': (f) => f.kind === 'step' && f.lane === 0 && f.reason === 'next-weights',
  'synthetic-operands': (f) => f.kind === 'step' && f.reason === 'job',
  withheld: (f) => f.kind === 'request',
};

for (const fault of FAULTS) {
  describe(`a devnet with a miner run with --fault ${fault}`, () => {
    const running: RunningNode[] = [];
    let dir: string;
    let genesisFile: string;
    let devKeys: { privateKey: string; address: string }[];
    let genesisJson: any;
    const faultyKey = PrivateKey.fromBytes(sha256(utf8Bytes(`validators heavy test miner ${fault}`)));
    let honest: RunningNode[] = [];
    let validator: RunningNode;
    const common = (name: string): string[] => ['--datadir', join(dir, name), '--genesis', genesisFile, '--rpc', '127.0.0.1:0', '--http', 'off'];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tessera-validators-'));
      const g = await writeTestGenesis(dir, (g) => {
        // the default task (H = 8): lanes short enough to land within a round on a loaded 2-core machine
        g.params.blockTimeSeconds = 3;
        Object.assign(g.params.training, { task: 'mnist-mlp-784-128-10/v1', roundBlocks: 5, challengeWindow: 40, unbondDelay: 60, challengeAnswerBlocks: 4 });
        g.allocations.push({ address: to0x(faultyKey.address()), balance: '1000000000000000' });
        g.bonds.push({ address: to0x(faultyKey.address()), amount: '10000000000000' });
      });
      genesisFile = g.file;
      devKeys = g.json.devKeys;
      genesisJson = g.json;
      const START = 600_000; // a loaded 2-core machine starts a node (and its miner's backend) slowly
      const a = await startNode([...common('a'), '--mine', '--miner-key-file', await writeKey(dir, 'ka', devKeys[0]!.privateKey), '--threads', '1', '--p2p', '127.0.0.1:0'], START);
      running.push(a);
      const settled = await Promise.allSettled([
        startNode([...common('b'), '--mine', '--miner-key-file', await writeKey(dir, 'kb', devKeys[1]!.privateKey), '--threads', '1', '--bootnodes', a.p2p], START),
        startNode([...common('f'), '--mine', '--miner-key-file', await writeKey(dir, 'kf', to0x(faultyKey.bytes)), '--threads', '1', '--bootnodes', a.p2p, '--fault', fault], START),
      ]);
      // every child that started is stopped by afterAll, also when another did not start
      for (const x of settled) if (x.status === 'fulfilled') running.push(x.value);
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      honest = [a, running[1]!];
      const all = running.map((n) => n.p2p).join(',');
      validator = await startNode([...common('v'), '--validate', '--sample', '0.5', '--validator-key', await writeKey(dir, 'kv', devKeys[3]!.privateKey), '--bootnodes', all], START);
      running.push(validator);
    }, 1_500_000);

    afterAll(async () => {
      await Promise.all(running.map(stopNode));
      // every node's log, for a failure to be read after the run (test-output/ is not committed)
      const out = join(import.meta.dirname, '..', '..', 'test-output', 'validators-heavy', fault.replace(/[^a-z0-9-]/g, '_'));
      await mkdir(out, { recursive: true });
      await Promise.all(running.map((n, i) => writeFile(join(out, `${['honest-a', 'honest-b', 'faulty', 'validator'][i]}.log`), n.log())));
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('finds the fault, attests every check, challenges and slashes it, never blames an honest miner, and the chain replays', async () => {
      const miner = to0x(faultyKey.address());
      const honestMiners = devKeys.slice(0, 2).map((k) => k.address.toLowerCase());
      let last: { findings: Finding[]; lastRound: number } | undefined;
      const status = async () => {
        // a loaded machine may drop an RPC connection now and then: asked again at the next poll
        const s = await rpc(validator.rpc, 'validator_status').catch(() => undefined);
        if (s) last = s;
        return s as typeof last;
      };
      const log = (e: Error) => new Error(`${e.message}; last status ${JSON.stringify(last)}; validator log:\n${validator.log().split('\n').filter((l) => /validator: (checked|fraud|challenge|data)|WARN|ERROR/.test(l)).slice(-40).join('\n')}`);
      await until('a finding of the fault', async () => ((await status())?.findings.some((f) => f.miner === miner && expectFinding[fault]!(f)) ? true : undefined), 600_000).catch((e: Error) => {
        throw log(e);
      });
      // the challenge (or the unanswered request) lands: the part is void
      await until('a void part of the faulty miner', async () => ((await status())?.findings.some((f) => f.miner === miner && f.challenge?.voided === true) ? true : undefined), 300_000).catch((e: Error) => {
        throw log(e);
      });
      const findings = last!.findings;
      // an honest miner is never found at fault; a leaf it could not serve in time may be requested, never left unanswered
      expect(findings.filter((f) => honestMiners.includes(f.miner) && f.kind !== 'request')).toEqual([]);
      for (const f of findings.filter((x) => honestMiners.includes(x.miner))) expect(f.challenge?.voided, JSON.stringify(f)).not.toBe(true);
      // the faulty miner's findings are of its own kind only
      for (const f of findings.filter((x) => x.miner === miner)) expect(expectFinding[fault]!(f), JSON.stringify(f)).toBe(true);

      // bonds: the faulty miner's slashed, the honest miners' untouched
      const bondOf = async (addr: string) => BigInt((await rpc(honest[0]!.rpc, 'state_getAccount', [addr])).bond);
      const genesisBond = (addr: string) => BigInt(genesisJson.bonds.find((b: { address: string }) => b.address.toLowerCase() === addr).amount);
      await until('the slash on an honest node', async () => ((await bondOf(miner)) < genesisBond(miner) ? true : undefined), 120_000);
      for (const m of honestMiners) expect(await bondOf(m)).toBe(genesisBond(m));

      // the attestations of the rounds checked: honest miners have valid ones and no fraud; the faulty miner's say fraud (unavailable when it withholds)
      type Attestation = { miner: string; verdict: string; served: boolean; check: string; validator: string };
      const attestations = async (): Promise<{ all: Attestation[]; rounds: Set<number> }> => {
        const all: Attestation[] = [];
        const rounds = new Set<number>();
        const upTo = (await status())?.lastRound ?? last!.lastRound;
        for (let r = 0; r <= upTo; r++) {
          const res = await rpc(validator.rpc, 'training_attestations', [r]);
          if (res.count > 0) rounds.add(r);
          all.push(...res.attestations);
        }
        return { all, rounds };
      };
      // the validator checks rounds in order and may be rounds behind the chain when the fault's part
      // is void: wait (bounded) until it has attested a check of each honest miner
      let got = await attestations();
      await until('a valid attestation of each honest miner', async () => {
        got = await attestations();
        return honestMiners.every((m) => got.all.some((a) => a.miner === m && a.verdict === 'valid')) ? true : undefined;
      }, 300_000).catch((e: Error) => {
        throw log(e);
      });
      const { all, rounds } = got;
      for (const m of honestMiners) {
        expect(all.some((a) => a.miner === m && a.verdict === 'valid')).toBe(true);
        expect(all.filter((a) => a.miner === m && a.verdict === 'fraud')).toEqual([]);
      }
      // and still no finding against an honest miner among the checks made meanwhile
      expect(last!.findings.filter((f) => honestMiners.includes(f.miner) && f.kind !== 'request')).toEqual([]);
      for (const f of last!.findings.filter((x) => honestMiners.includes(x.miner))) expect(f.challenge?.voided, JSON.stringify(f)).not.toBe(true);
      const ofFaulty = all.filter((a) => a.miner === miner);
      if (fault === 'withheld') expect(ofFaulty.length > 0 && ofFaulty.every((a) => !a.served && a.verdict === 'unavailable')).toBe(true);
      else expect(ofFaulty.some((a) => a.verdict === 'fraud')).toBe(true);

      // gossip: an honest miner's node keeps the validator's attestations too
      const v = devKeys[3]!.address.toLowerCase();
      await until('attestations on an honest node', async () => {
        for (const r of rounds) if ((await rpc(honest[0]!.rpc, 'training_attestations', [r])).attestations.some((a: { validator: string }) => a.validator === v)) return true;
        return undefined;
      }, 60_000);

      // the model kept learning: held-out accuracy of the latest evaluated round above round 0's
      const hist = (await rpc(honest[0]!.rpc, 'training_history')).rounds as { round: number; heldOutAccuracyBp: number }[];
      expect(hist.length).toBeGreaterThanOrEqual(3);
      expect(hist[hist.length - 1]!.heldOutAccuracyBp).toBeGreaterThan(hist[0]!.heldOutAccuracyBp);

      // an honest node's stored chain (the challenge and the void in it) replays from genesis to its head state
      await stopNode(honest[0]!);
      const replay = await replayDatadir(join(dir, 'a'), genesisFile);
      expect(replay.stateMatches, replay.why).toBe(true);
    }, 1_200_000);
  });
}
