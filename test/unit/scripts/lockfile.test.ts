import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingOptional, platformOf } from '../../../scripts/fix-lockfile.ts';

// `npm ci` on a clean clone refuses a lock file without an entry for every optional dependency;
// the registry serves only some platforms' binaries, so `npm install` can leave them out.
describe('package-lock.json', () => {
  it('has an entry for every optional dependency (else run `npm run fix-lockfile`)', () => {
    const lock = JSON.parse(readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8'));
    expect([...missingOptional(lock.packages).keys()]).toEqual([]);
  });

  it('fix-lockfile adds the missing ones with the platform their name states', () => {
    const packages = {
      '': {},
      'node_modules/rollup': { version: '4.0.0', dev: true, optionalDependencies: { '@rollup/rollup-darwin-arm64': '4.0.0', '@rollup/rollup-linux-x64-gnu': '4.0.0' } },
      'node_modules/@rollup/rollup-linux-x64-gnu': { version: '4.0.0', dev: true, optional: true },
    };
    const add = missingOptional(packages);
    expect([...add.keys()]).toEqual(['node_modules/@rollup/rollup-darwin-arm64']);
    expect(add.get('node_modules/@rollup/rollup-darwin-arm64')).toEqual({ version: '4.0.0', optional: true, dev: true, os: ['darwin'], cpu: ['arm64'] });
    expect(platformOf('@msgpackr-extract/msgpackr-extract-win32-x64')).toEqual({ os: ['win32'], cpu: ['x64'] });
  });
});
