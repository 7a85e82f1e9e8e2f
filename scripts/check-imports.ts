// Enforces the import direction of DESIGN.md: consensus <- vm <- {genesis, miner} <- node.
// consensus imports nothing of the project outside itself; genesis and miner do not import each
// other; nothing outside node/ (and the tools in test/, bench/, scripts/) imports node/.
// Also bans nondeterminism from consensus/ and vm/: Math.random, Date.now, new Date.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const allowed: Record<string, readonly string[]> = {
  consensus: ['consensus'],
  vm: ['consensus', 'vm'],
  genesis: ['consensus', 'vm', 'genesis'],
  miner: ['consensus', 'vm', 'miner'],
  node: ['consensus', 'vm', 'genesis', 'miner', 'node'],
};
const deterministic = new Set(['consensus', 'vm']);
const banned: [RegExp, string][] = [
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew Date\s*\(/, 'new Date'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|js|mjs|cjs)$/.test(name)) out.push(p);
  }
  return out;
}

const importRe = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g;

const problems: string[] = [];
let files = 0;
for (const layer of Object.keys(allowed)) {
  const dir = join(root, layer);
  try {
    statSync(dir);
  } catch {
    continue;
  }
  for (const file of walk(dir, [])) {
    files++;
    const src = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const m of src.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec || !spec.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), spec));
      const top = target.split(sep)[0]!;
      if (top.startsWith('..')) problems.push(`${rel}: imports ${spec}, outside the project`);
      else if (!allowed[layer]!.includes(top)) problems.push(`${rel}: ${layer}/ may not import ${top}/ (${spec})`);
    }
    if (deterministic.has(layer)) {
      const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const [re, what] of banned) if (re.test(code)) problems.push(`${rel}: ${what} in deterministic code`);
    }
  }
}

if (problems.length > 0) {
  console.error(`import direction: ${problems.length} problem(s)\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log(`import direction: ok (${files} files in consensus, vm, genesis, miner, node)`);
