// The node's HTTP server (`tessera node --http`, default the RPC port + 1): the explorer page
// (node/explorer/static, plain HTML/JS/CSS, no build step), its chart library (uPlot, served from
// its npm package, so the page needs no internet), /metrics (Prometheus text), /model/round/<N>.safetensors
// (a round's checkpoint), and JSON-RPC by POST to any path (the same methods as the RPC port: the
// page reads the node's own JSON-RPC from its own origin).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { to0x } from '../../consensus/bytes.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { checkpointSafetensors } from '../model/export.ts';
import type { CheckpointStore } from '../model/checkpoint-store.ts';
import type { PromMetrics } from '../metrics/prometheus.ts';
import type { HttpAnswer } from '../rpc/server.ts';

export interface ExplorerModules {
  metrics?: PromMetrics;
  /** The checkpoint store and task of a chain that trains (safetensors downloads). */
  model?: { task: TrainingTask; store: CheckpointStore };
}

const STATIC = join(dirname(fileURLToPath(import.meta.url)), 'static');
const require = createRequire(import.meta.url);

/** Every asset the page loads, read once: path -> [content type, bytes]. */
function assets(): Map<string, [string, Buffer]> {
  const uplotDir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return new Map<string, [string, Buffer]>([
    ['/', ['text/html; charset=utf-8', readFileSync(join(STATIC, 'index.html'))]],
    ['/app.js', ['text/javascript; charset=utf-8', readFileSync(join(STATIC, 'app.js'))]],
    ['/style.css', ['text/css; charset=utf-8', readFileSync(join(STATIC, 'style.css'))]],
    ['/vendor/uPlot.iife.min.js', ['text/javascript; charset=utf-8', readFileSync(join(uplotDir, 'uPlot.iife.min.js'))]],
    ['/vendor/uPlot.min.css', ['text/css; charset=utf-8', readFileSync(join(uplotDir, 'uPlot.min.css'))]],
  ]);
}

// The page may load and call only its own origin: no asset from elsewhere, so it works offline.
const SECURITY = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export function explorerRoutes(modules: ExplorerModules): (path: string) => Promise<HttpAnswer | undefined> {
  const files = assets();
  return async (path) => {
    const f = files.get(path === '/index.html' ? '/' : path);
    if (f) return { contentType: f[0], body: f[1], headers: SECURITY };
    if (path === '/metrics' && modules.metrics) {
      const { contentType, body } = await modules.metrics.text();
      return { contentType, body };
    }
    const m = /^\/model\/round\/([0-9]{1,12})\.safetensors$/.exec(path);
    if (m && modules.model) {
      const round = Number(m[1]);
      const c = await modules.model.store.get(round);
      if (!c) return undefined;
      const bytes = checkpointSafetensors(modules.model.task, round, to0x(c.root), c.checkpoint);
      return {
        contentType: 'application/octet-stream',
        body: bytes,
        headers: { 'content-disposition': `attachment; filename="${modules.model.task.name}-round-${round}.safetensors"` },
      };
    }
    return undefined;
  };
}
