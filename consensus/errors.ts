// Typed errors: every failure a peer or user can cause has a code from a closed enum and a
// typed context. The network maps codes to accept / ignore / reject in one place
// (node/network), the RPC maps them to application error codes (node/rpc).
//
// Each area declares its own enum of codes (CodecErrorCode here, TxErrorCode, BlockErrorCode, ...)
// and throws `new TesseraError(code, context)`.

export class TesseraError<C extends string = string, Ctx extends object = Record<string, unknown>> extends Error {
  readonly code: C;
  readonly context: Ctx;
  constructor(code: C, context: Ctx = {} as Ctx, message?: string) {
    super(message ?? `${code}${formatContext(context)}`);
    this.name = 'TesseraError';
    this.code = code;
    this.context = context;
  }
}

function formatContext(ctx: object): string {
  const entries = Object.entries(ctx);
  if (entries.length === 0) return '';
  return ' (' + entries.map(([k, v]) => `${k}=${fmt(v)}`).join(', ') + ')';
}

function fmt(v: unknown): string {
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex').slice(0, 16) + (v.length > 8 ? '…' : '');
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

export function isTesseraError(e: unknown): e is TesseraError {
  return e instanceof TesseraError;
}

export enum CodecErrorCode {
  /** Bytes are not valid msgpack, or have trailing bytes. */
  MALFORMED = 'CODEC_MALFORMED',
  /** Valid msgpack, but not the canonical encoding of what it decodes to. */
  NON_CANONICAL = 'CODEC_NON_CANONICAL',
  /** Decoded, but the shape (type byte, arity, field types, lengths) is wrong. */
  BAD_SHAPE = 'CODEC_BAD_SHAPE',
  /** Larger than the limit for its kind. */
  TOO_LARGE = 'CODEC_TOO_LARGE',
}

export class CodecError extends TesseraError<CodecErrorCode, { what: string; reason?: string }> {}
