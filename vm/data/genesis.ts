// The registry's genesis entries: registrations of samples from a built-in dataset (their
// pixels are not stored in state; nodes load them by name, and the content hash pins them).
import { toHex } from '../../consensus/bytes.ts';
import type { StateWriter } from '../round/state.ts';
import { addRegistration, writeRegistry } from './registry.ts';
import type { Registry } from './keys.ts';

export interface GenesisSamples {
  readonly contributor: Uint8Array;
  readonly royaltyBps: number;
  /** Where the samples come from, e.g. "mnist-train:0-2001". */
  readonly source: string;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** State entries of a registry of `dim`-feature samples in `classes` classes with these registrations, all active. */
export function registryEntries(dim: number, classes: number, regs: readonly GenesisSamples[]): Array<[Uint8Array, Uint8Array]> {
  const out = new Map<string, [Uint8Array, Uint8Array]>();
  const view: StateWriter = {
    get: (k) => out.get(toHex(k))?.[1],
    set: (k, v) => void (v ? out.set(toHex(k), [k, v]) : out.delete(toHex(k))),
    keysWithPrefix: () => [],
  };
  let reg: Registry = { dim, classes, nextId: 0, total: 0, active: 0, attributed: 0n };
  writeRegistry(view, reg);
  for (const r of regs)
    reg = addRegistration(view, reg, { contributor: r.contributor, royaltyBps: r.royaltyBps, count: r.labels.length, height: 0, source: r.source }, r.pixels, r.labels, false);
  writeRegistry(view, { ...reg, active: reg.total });
  return [...out.values()];
}
