// JSON-RPC 2.0 dispatch, transport-free: a request body (string) in, a response body (string,
// or null when there is nothing to answer: notifications only) out. The HTTP server in
// server.ts is a thin wrapper around `handleBody`.
import { RpcError, RpcErrorCode, toRpcError } from './errors.ts';
import type { Logger } from '../log/logger.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type RpcId = string | number | null;

/** A method gets the raw `params` (array or object or undefined) and returns a JSON value. */
export type RpcMethod = (params: unknown) => Promise<Json> | Json;
export type RpcMethods = Readonly<Record<string, RpcMethod>>;

export interface RpcResponse {
  jsonrpc: '2.0';
  id: RpcId;
  result?: Json;
  error?: { code: number; message: string; data?: Json };
}

/**
 * Bounds on what one request body may cost the node (docs/node.md, "RPC bounds"): requests per
 * batch, expensive calls per batch (a full block with sender recovery, a checkpoint), and the
 * bytes of the response. Past a bound the request gets a typed LIMIT_EXCEEDED error, never a
 * partial answer that looks whole.
 */
export const MAX_BATCH = 100;
export const MAX_HEAVY_PER_BATCH = 4;
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Methods (with these params) that may take long or answer megabytes: at most MAX_HEAVY_PER_BATCH in a batch. */
export type HeavyCall = (method: string, params: unknown) => boolean;

export interface RpcLimits {
  readonly heavy?: HeavyCall;
  readonly maxBatch?: number;
  readonly maxHeavyPerBatch?: number;
  readonly maxResponseBytes?: number;
}

function limitExceeded(what: string, limit: number, got: number): RpcError {
  return new RpcError(RpcErrorCode.LIMIT_EXCEEDED, `Limit exceeded: ${what} (${got} > ${limit})`, { code: 'RPC_LIMIT_EXCEEDED', context: { what, limit, got } });
}

export async function handleBody(body: string, methods: RpcMethods, logger?: Logger, limits: RpcLimits = {}): Promise<string | null> {
  const maxBatch = limits.maxBatch ?? MAX_BATCH;
  const maxHeavy = limits.maxHeavyPerBatch ?? MAX_HEAVY_PER_BATCH;
  const maxBytes = limits.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.PARSE_ERROR, 'Parse error')));
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: empty batch')));
    if (parsed.length > maxBatch)
      return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.INVALID_REQUEST, `Invalid Request: batch of ${parsed.length} > ${maxBatch}`)));
    // the batch's expensive calls are counted before any runs: over the cap, none of it runs
    const heavy = limits.heavy ? parsed.filter((q) => isCall(q) && limits.heavy!(q.method, q.params)).length : 0;
    if (heavy > maxHeavy) return JSON.stringify(errorResponse(null, limitExceeded('expensive calls in one batch', maxHeavy, heavy)));
    const out: string[] = [];
    let bytes = 2;
    // Sequential, so a batch's effects (e.g. two tx_send of one account) apply in order.
    for (const req of parsed) {
      const r = await handleOne(req, methods, logger);
      if (!r) continue;
      let text = JSON.stringify(r);
      if (bytes + text.length + 1 > maxBytes) text = JSON.stringify(errorResponse(r.id, limitExceeded('response bytes of the batch', maxBytes, bytes + text.length + 1)));
      bytes += text.length + 1;
      out.push(text);
    }
    return out.length ? `[${out.join(',')}]` : null;
  }
  const r = await handleOne(parsed, methods, logger);
  if (!r) return null;
  const text = JSON.stringify(r);
  return text.length > maxBytes ? JSON.stringify(errorResponse(r.id, limitExceeded('response bytes', maxBytes, text.length))) : text;
}

function isCall(q: unknown): q is { method: string; params: unknown } {
  return typeof q === 'object' && q !== null && typeof (q as { method?: unknown }).method === 'string';
}

function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

async function handleOne(req: unknown, methods: RpcMethods, logger?: Logger): Promise<RpcResponse | null> {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return errorResponse(null, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: not an object'));
  const r = req as Record<string, unknown>;
  const hasId = 'id' in r;
  const id = hasId && isValidId(r.id) ? r.id : null;
  if (hasId && !isValidId(r.id)) return errorResponse(null, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: bad id'));
  if (r.jsonrpc !== '2.0') return errorResponse(id, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: jsonrpc must be "2.0"'));
  if (typeof r.method !== 'string') return errorResponse(id, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: method must be a string'));
  if ('params' in r && (typeof r.params !== 'object' || r.params === null))
    return errorResponse(id, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: params must be an array or object'));
  const method = Object.hasOwn(methods, r.method) ? methods[r.method] : undefined;
  let resp: RpcResponse;
  if (!method) {
    resp = errorResponse(id, new RpcError(RpcErrorCode.METHOD_NOT_FOUND, `Method not found: ${r.method.slice(0, 64)}`));
  } else {
    try {
      resp = { jsonrpc: '2.0', id, result: await method(r.params) };
    } catch (e) {
      const err = toRpcError(e);
      if (err.code === RpcErrorCode.INTERNAL_ERROR) logger?.error('rpc method failed', { method: r.method, err: e as Error });
      resp = errorResponse(id, err);
    }
  }
  return hasId ? resp : null;
}

function errorResponse(id: RpcId, e: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) } };
}
