// Shared CLI plumbing: flag parsing with clear errors, exit codes, output helpers.
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isTesseraError } from '../../consensus/errors.ts';

/** Exit codes: 0 success, 1 the command failed, 2 bad usage (unknown flag, bad value). */
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports as one clear line (no stack trace) with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAIL,
  ) {
    super(message);
  }
}

export function usageError(message: string, help?: string): CliError {
  return new CliError(`${message}${help ? `\n\n${help}` : ''}`, EXIT_USAGE);
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly: unknown flags and missing values are usage errors. */
export function parseFlags<O extends Options>(argv: string[], options: O, help: string, positionals = { min: 0, max: 0 }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (e) {
    throw usageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), help);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(help);
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max)
    throw usageError(
      parsed.positionals.length < positionals.min ? 'missing argument' : `unexpected argument: ${parsed.positionals[positionals.max]}`,
      help,
    );
  return parsed as { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean }; positionals: string[] };
}

/** Thrown by parseFlags for --help: the command prints the help and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly help: string) {
    super('help');
  }
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}
export const stdio: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

/** JSON with bigints as decimal strings and bytes as 0x hex. */
export function toJson(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? '0x' + Buffer.from(x).toString('hex') : x),
    2,
  );
}

/** One line describing an error for a user. */
export function describeError(e: unknown): string {
  if (e instanceof CliError) return e.message;
  if (isTesseraError(e)) return `${e.message}`;
  return (e as Error)?.message ?? String(e);
}

export const MAX_U64 = (1n << 64n) - 1n;

export function parseAmount(s: string | undefined, flag: string, help: string): bigint {
  if (s === undefined) throw usageError(`missing ${flag}`, help);
  if (!/^[0-9]+$/.test(s)) throw usageError(`${flag} must be a whole number of base units (decimal digits), got "${s}"`, help);
  const v = BigInt(s);
  if (v > MAX_U64) throw usageError(`${flag} is larger than 2^64 - 1`, help);
  return v;
}

/**
 * An address given as host:port or as an http URL (http://host:port/, as the node prints it):
 * both are accepted wherever the CLI takes an address (--rpc, --http).
 */
export function parseHostPort(s: string, flag: string, help: string): { host: string; port: number } {
  const bare = s.replace(/^http:\/\//, '').replace(/\/$/, '');
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s/]+):([0-9]{1,5})$/.exec(bare);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw usageError(`${flag} must be host:port or http://host:port/ (e.g. 127.0.0.1:8545), got "${s}"`, help);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The JSON-RPC URL of --rpc (host:port or http URL); default 127.0.0.1:8545. */
export function rpcUrl(s: string | undefined, help: string): string {
  const { host, port } = parseHostPort(s ?? '127.0.0.1:8545', '--rpc', help);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/** A unix time (seconds) as ISO 8601 UTC. */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Options from a config file (`--config`): TOML when the name ends in .toml, else JSON. Keys are
 * the command's flag names without the dashes; a string flag takes a string (or a number, written
 * as decimal), a boolean flag a boolean. An unknown key, a wrong type, or `config` itself is a usage
 * error naming the key. The caller lets the command line's flags override what this returns.
 */
export async function readConfig<O extends Options>(file: string, options: O, help: string): Promise<Partial<Record<keyof O, string | boolean>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw usageError(`cannot read --config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, help);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.toml') ? (await import('smol-toml')).parse(text) : JSON.parse(text);
  } catch (e) {
    throw usageError(`--config ${file} is not valid ${file.endsWith('.toml') ? 'TOML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`, help);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usageError(`--config ${file} must hold a table of options`, help);
  const out: Partial<Record<keyof O, string | boolean>> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const opt = k !== 'config' && Object.hasOwn(options, k) ? options[k] : undefined;
    if (!opt) throw usageError(`--config ${file}: unknown option "${k}" (keys are the flags' names without the dashes)`, help);
    if (opt.type === 'boolean') {
      if (typeof v !== 'boolean') throw usageError(`--config ${file}: "${k}" must be true or false`, help);
      out[k as keyof O] = v;
    } else {
      if (typeof v === 'string') out[k as keyof O] = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) out[k as keyof O] = String(v);
      else if (typeof v === 'bigint') out[k as keyof O] = v.toString();
      else throw usageError(`--config ${file}: "${k}" must be a string`, help);
    }
  }
  return out;
}
