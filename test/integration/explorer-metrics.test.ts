// A mining node seen as an operator sees it: its explorer page in headless Chromium (Debian's
// `chromium` driven by playwright-core), its /metrics scraped and parsed as Prometheus text, its log,
// and the CLI views of training and mempool. One node (short blocks and rounds, real MNIST, real
// LevelDB, 127.0.0.1 with OS-assigned ports) serves every check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheus, { type PromFamily } from 'parse-prometheus-text-format';
import { ROOT, runCli } from '../helpers/cli.ts';
import { rpcCall, shortRoundGenesis, startNode, stopNode, until, type NodeProcess } from './helpers/node-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: CI installs Debian's chromium package (.ci/run)`);
  console.warn(`explorer browser test SKIPPED: ${CHROMIUM} not found (install it: apt-get install -y chromium)`);
}
/** Where the browser test leaves its screenshot. */
export const OUTPUT_DIR = join(ROOT, 'test-output', 'explorer');

let dir: string;
let node: NodeProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-explorer-'));
  const g = await shortRoundGenesis(dir);
  node = await startNode(['--mine', '--miner-address', g.devKeys[1]!.address, '--datadir', join(dir, 'data'), '--genesis', g.file, '--rpc', '127.0.0.1:0', '--http', '127.0.0.1:0', '--log-format', 'json', '--threads', '1']);
}, 120_000);

afterAll(async () => {
  if (node) await stopNode(node);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scrape(): Promise<PromFamily[]> {
  const res = await fetch(new URL('/metrics', node.explorer!));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parsePrometheus(await res.text());
}
const family = (fs: PromFamily[], name: string): PromFamily => {
  const f = fs.find((x) => x.name === name);
  if (!f) throw new Error(`no metric ${name}`);
  return f;
};
const value = (fs: PromFamily[], name: string): number => Number(family(fs, name).metrics[0]!.value);

describe('a mining node for its operator', () => {
  it('serves /metrics in Prometheus text format: the height grows, histograms have buckets, names follow conventions', async () => {
    const first = await scrape();
    const h0 = value(first, 'tessera_chain_head_height');
    await until('two more blocks', async () => ((await rpcCall(node.rpc, 'chain_head')).height >= h0 + 2 ? true : undefined), 90_000);
    // the miner worker reports its totals every few seconds: scrape until its first report is in
    const later = await until('the miner\'s first totals', async () => {
      const fs = await scrape();
      return value(fs, 'tessera_miner_tiles_total') > 0 ? fs : undefined;
    }, 60_000, 1000);
    expect(value(later, 'tessera_chain_head_height')).toBeGreaterThanOrEqual(h0 + 2);
    expect(value(later, 'tessera_chain_blocks_imported_total')).toBeGreaterThan(value(first, 'tessera_chain_blocks_imported_total'));
    expect(value(later, 'tessera_miner_tiles_total')).toBeGreaterThan(0);
    expect(value(later, 'tessera_miner_ops_total')).toBeGreaterThan(0);
    expect(value(later, 'tessera_miner_blocks_mined_total')).toBeGreaterThan(0);
    expect(value(later, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    for (const name of ['tessera_chain_block_import_seconds', 'tessera_chain_block_verify_seconds']) {
      const h = family(later, name);
      expect(h.type).toBe('HISTOGRAM');
      const s = h.metrics[0]!;
      expect(Object.keys(s.buckets!).length).toBeGreaterThanOrEqual(5);
      expect(Number(s.count)).toBeGreaterThan(0);
      expect(Number(s.buckets!['+Inf'] ?? s.count)).toBe(Number(s.count));
    }
    const ours = later.filter((f) => f.name.startsWith('tessera_'));
    expect(ours.length).toBeGreaterThanOrEqual(12);
    for (const f of later) {
      expect(f.name, f.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(f.help.length, `${f.name} has help`).toBeGreaterThan(0);
      if (f.type === 'COUNTER') expect(f.name, `counter ${f.name}`).toMatch(/_total$/);
      if (!f.name.startsWith('tessera_')) continue; // prom-client's process and runtime metrics keep their standard names
      if (f.type !== 'COUNTER') expect(f.name, `${f.type} ${f.name}`).not.toMatch(/_total$/);
      if (f.type === 'HISTOGRAM') expect(f.name).toMatch(/_seconds$/);
      expect(f.name, 'base units only').not.toMatch(/_(ms|milliseconds|microseconds|kb|kilobytes|mb|megabytes|percent)(_|$)/);
    }
    expect(later.some((f) => f.name.endsWith('_bytes'))).toBe(true);
  }, 120_000);

  it('shows its explorer: the head rises without a reload, the training chart has rounds, a block link opens the block', async (ctx) => {
    if (!hasChromium) {
      ctx.skip();
      return;
    }
    await until('two evaluated rounds', async () => ((await rpcCall(node.rpc, 'training_history')).rounds.length >= 2 ? true : undefined), 90_000);
    const { chromium } = await import('playwright-core');
    const profile = await mkdtemp(join(tmpdir(), 'tessera-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    const origin = new URL(node.explorer!).origin;
    const foreign: string[] = [];
    const pageErrors: string[] = [];
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.on('request', (r) => {
        if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(node.explorer!);
      const height = page.locator('#head-height');
      await page.waitForFunction(() => /^[0-9]+$/.test((globalThis as any).document.querySelector('#head-height')?.textContent ?? ''), undefined, { timeout: 30_000 });
      const h1 = Number(await height.textContent());
      // live: the number rises with no reload (the page polls the node's JSON-RPC)
      await page.waitForFunction((h) => Number((globalThis as any).document.querySelector('#head-height')?.textContent) > h, h1, { timeout: 60_000 });
      expect(Number(await height.textContent())).toBeGreaterThan(h1);
      await page.locator('#blocks a.block-link').first().waitFor({ timeout: 30_000 });

      // the training curve: a uPlot chart with at least two rounds, a safetensors link per round
      await page.goto(`${node.explorer}#/training`);
      await page.locator('#chart canvas').first().waitFor({ timeout: 30_000 });
      expect(Number(await page.locator('#chart').getAttribute('data-rounds'))).toBeGreaterThanOrEqual(2);
      await page.locator('#chart .u-legend').first().waitFor({ timeout: 30_000 }); // the page redraws the chart on each new block
      const links = page.locator('#rounds a[href$=".safetensors"]');
      expect(await links.count()).toBeGreaterThanOrEqual(2);
      const href = await links.last().getAttribute('href');
      const file = await fetch(new URL(href!, origin));
      expect(file.status).toBe(200);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)))).toHaveProperty('layer0.weight');
      await mkdir(OUTPUT_DIR, { recursive: true });
      const shot = join(OUTPUT_DIR, 'explorer-training.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);

      // follow a block link from the home page to its page
      await page.goto(`${node.explorer}#/`);
      const second = page.locator('#blocks a.block-link').nth(1);
      await second.waitFor({ timeout: 30_000 });
      const target = Number(await second.textContent());
      // the list re-renders on each new block: find the link by its target, which stays the same
      await page.locator(`#blocks a.block-link[href="#/block/${target}"]`).click();
      await page.locator('#block-page').waitFor({ timeout: 30_000 });
      expect(await page.locator('#block-page h2').textContent()).toBe(`Block ${target}`);
      expect(await page.locator('#block-page').textContent()).toContain((await rpcCall(node.rpc, 'chain_getBlock', [target])).hash);
      await page.screenshot({ path: join(OUTPUT_DIR, 'explorer-block.png'), fullPage: true });
      await page.goto(`${node.explorer}#/`);
      await page.locator('#blocks a.block-link').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(OUTPUT_DIR, 'explorer-home.png'), fullPage: true });
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
    expect(foreign, 'every request stays on the node (works offline)').toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('logs one INFO line per mined block with short hashes, and the round numbers of log, RPC and model eval agree', async () => {
    await until('an opened round', async () => (node.log().includes('"round opened"') ? true : undefined), 90_000);
    const lines = node.log().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const mined = lines.filter((l) => l.msg === 'mined block');
    expect(mined.length).toBeGreaterThan(0);
    for (const m of mined) {
      expect(m.level).toBe('info');
      expect(m.hash).toMatch(/^0x[0-9a-f]{8}…$/);
      // no other INFO line about the same block
      expect(lines.filter((l) => l.level === 'info' && l !== m && l.height === m.height && l.module !== 'training')).toEqual([]);
    }
    // "round opened round=N" reports W_N: the same N in training_history and in `model eval --round N`
    const opened = lines.filter((l) => l.msg === 'round opened');
    const hist = (await rpcCall(node.rpc, 'training_history')).rounds as { round: number; heldOutAccuracyBp: number }[];
    const last = opened[opened.length - 1]!;
    const entry = hist.find((h) => h.round === last.round)!;
    expect(`${(entry.heldOutAccuracyBp / 100).toFixed(2)}%`).toBe(last.heldOutAccuracy);
    const status = await rpcCall(node.rpc, 'training_status');
    expect(status.round).toBeGreaterThanOrEqual(last.round);
    const ev = await runCli(['model', 'eval', '--round', String(last.round), '--rpc', node.rpc, '--json'], { timeoutMs: 60_000 });
    expect(ev.code, ev.err).toBe(0);
    expect(JSON.parse(ev.out)).toMatchObject({ round: last.round, accuracy: entry.heldOutAccuracyBp / 10000 });
  }, 120_000);

  it('shows the training curve and the mempool on the command line, with --rpc as host:port or URL', async () => {
    const hostPort = new URL(node.rpc).host;
    const [training, pool] = await Promise.all([runCli(['query', 'training', '--rpc', hostPort]), runCli(['query', 'mempool', '--rpc', node.rpc])]);
    const trainingJson = await runCli(['query', 'training', '--rpc', node.rpc, '--json']); // after: the chain only moves on
    expect(training.code, training.err).toBe(0);
    const s = JSON.parse(trainingJson.out);
    const r0 = s.history[0];
    expect(training.out).toMatch(new RegExp(`^\\s+${r0.round}\\s+${(r0.heldOutAccuracyBp / 100).toFixed(2)}%\\s+${(r0.heldOutLossMilli / 1000).toFixed(3)}`, 'm'));
    const open = Number(/round ([0-9]+) open/.exec(training.out)?.[1]);
    expect(open).toBeGreaterThanOrEqual(1);
    expect(open).toBeLessThanOrEqual(s.round);
    expect(pool.code, pool.err).toBe(0);
    expect(pool.out).toMatch(/^mempool: (empty|[0-9]+ transactions?)/);
  }, 60_000);
});
