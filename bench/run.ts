// `npm run bench [-- [--quick] name ...]`: runs every bench/*.bench.ts (or the named ones) in one
// process, one after another, so that the ratios each prints are measured in one run.
// Each suite exports `default async function (): Promise<void>` and prints its own lines; bench/lib/
// repeat.ts has the shared repetition (warm-up, >= 5 runs, min / median / max), goals against the
// median and the --quick flag (a smoke run: fewer runs and shapes). The load average is printed around
// every suite: the machine may be shared, and every figure moves with it.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { LoadMeter, loadNow, quick } from './lib/repeat.ts';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));

if (suites.length === 0) {
  console.error(`no bench suite matches ${wanted.join(', ')}; have: ${readdirSync(here).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(2);
}

console.log(`tessera bench${quick ? ' --quick (smoke run: fewer runs and shapes)' : ''}: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}, ${loadNow()}`);
for (const f of suites) {
  console.log(`\n== ${f.replace('.bench.ts', '')} == (${loadNow()})`);
  const meter = new LoadMeter().start();
  const mod = (await import(join(here, f))) as { default: () => Promise<void> };
  await mod.default();
  console.log(`-- ${f.replace('.bench.ts', '')}: ${meter.stop()}`);
}
