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

export const MAX_BATCH = 100;

export async function handleBody(body: string, methods: RpcMethods, logger?: Logger): Promise<string | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.PARSE_ERROR, 'Parse error')));
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.INVALID_REQUEST, 'Invalid Request: empty batch')));
    if (parsed.length > MAX_BATCH)
      return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.INVALID_REQUEST, `Invalid Request: batch of ${parsed.length} > ${MAX_BATCH}`)));
    const out: RpcResponse[] = [];
    // Sequential, so a batch's effects (e.g. two tx_send of one account) apply in order.
    for (const req of parsed) {
      const r = await handleOne(req, methods, logger);
      if (r) out.push(r);
    }
    return out.length ? JSON.stringify(out) : null;
  }
  const r = await handleOne(parsed, methods, logger);
  return r ? JSON.stringify(r) : null;
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
