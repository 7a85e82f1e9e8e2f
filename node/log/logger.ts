// Structured logging: one line per event, either JSON (machine-readable, one object a line)
// or text (time, level, module, message, key=value pairs; "pretty" is its old name). Loggers are injected into
// constructors (`modules.logger`) so tests can pass a silent one.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'text' | 'pretty';

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogContext = Record<string, unknown>;

export interface Logger {
  error(msg: string, ctx?: LogContext): void;
  warn(msg: string, ctx?: LogContext): void;
  info(msg: string, ctx?: LogContext): void;
  debug(msg: string, ctx?: LogContext): void;
  /** A logger whose lines carry `module`. */
  child(module: string): Logger;
}

export interface LoggerOpts {
  level: LogLevel;
  format: LogFormat;
  module?: string;
}

/** Writes lines to `write` (stderr by default, so stdout stays clean for command output). */
export function createLogger(opts: LoggerOpts, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const max = RANK[opts.level];
  const emit = (level: LogLevel, msg: string, ctx?: LogContext): void => {
    if (RANK[level] > max) return;
    const time = new Date().toISOString();
    if (opts.format === 'json') {
      write(JSON.stringify({ time, level, module: opts.module, msg, ...ctx }, jsonValue));
    } else {
      const kv = ctx ? Object.entries(ctx).map(([k, v]) => `${k}=${prettyValue(v)}`) : [];
      const mod = opts.module ? `[${opts.module}] ` : '';
      write(`${time} ${level.toUpperCase().padEnd(5)} ${mod}${msg}${kv.length ? ' ' + kv.join(' ') : ''}`);
    }
  };
  return {
    error: (m, c) => emit('error', m, c),
    warn: (m, c) => emit('warn', m, c),
    info: (m, c) => emit('info', m, c),
    debug: (m, c) => emit('debug', m, c),
    child: (module) => createLogger({ ...opts, module: opts.module ? `${opts.module}/${module}` : module }, write),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

function jsonValue(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (v instanceof Error) return { name: v.name, message: v.message, ...(v as unknown as Record<string, unknown>) };
  return v;
}

function prettyValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v, jsonValue) ?? String(v);
}

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** A hash as 0x and its first 8 hex digits, enough to tell blocks apart in a log line. */
export function shortHex(b: Uint8Array): string {
  let h = '';
  for (let i = 0; i < 4 && i < b.length; i++) h += b[i]!.toString(16).padStart(2, '0');
  return `0x${h}…`;
}
