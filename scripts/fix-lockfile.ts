// `npm run fix-lockfile`: run after `npm install` changes package-lock.json.
//
// The registry this project installs from serves only the linux builds of some packages' platform
// binaries (rollup's and msgpackr-extract's optional per-platform packages). `npm install` then
// leaves the other platforms out of package-lock.json, and `npm ci` (which CI runs) refuses a lock
// file that lacks an entry for an optional dependency. This adds an entry, marked optional with
// the os/cpu its name states, for every optional dependency the lock file lacks; `npm ci` then
// skips those on this platform without fetching them.
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  optionalDependencies?: Record<string, string>;
}

const OSES = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'android', 'openharmony', 'sunos', 'aix'];
const CPUS = ['x64', 'arm64', 'arm', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'];

export function platformOf(name: string): { os?: string[]; cpu?: string[] } {
  const parts = name.split('/').pop()!.split('-');
  const os = OSES.find((o) => parts.includes(o));
  const cpu = CPUS.find((c) => parts.includes(c));
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
}

/** Lock entries missing for declared optional dependencies (name -> entry to add). */
export function missingOptional(packages: Record<string, LockEntry>): Map<string, LockEntry> {
  const out = new Map<string, LockEntry>();
  for (const [path, entry] of Object.entries(packages)) {
    for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${path ? path + '/' : ''}node_modules/${dep}`;
      const top = `node_modules/${dep}`;
      if (packages[nested] || packages[top] || out.has(top)) continue;
      if (dep === 'fsevents') continue; // darwin-only, declared with a range by its users
      // keys in the order npm writes them (version, then alphabetical), so `npm install` keeps the file as is
      const { os, cpu } = platformOf(dep);
      out.set(top, { version: spec, ...(cpu ? { cpu } : {}), ...(entry.dev ? { dev: true } : {}), optional: true, ...(os ? { os } : {}) });
    }
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const file = process.argv[2] ?? 'package-lock.json';
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
  const add = missingOptional(lock.packages);
  for (const [k, v] of add) lock.packages[k] = v;
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
  lock.packages = sorted;
  writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
  console.log(`fix-lockfile: added ${add.size} optional platform entr${add.size === 1 ? 'y' : 'ies'} to ${file}`);
}
