// A small JSON-RPC 2.0 client over HTTP (used by the CLI and tests).
import { TesseraError } from '../../consensus/errors.ts';

export enum RpcClientErrorCode {
  /** The node could not be reached (refused, timeout, DNS...). */
  UNREACHABLE = 'RPC_UNREACHABLE',
  /** The node answered with a JSON-RPC error; context has its code, message and data. */
  REMOTE = 'RPC_REMOTE',
  /** The answer was not a JSON-RPC response. */
  BAD_RESPONSE = 'RPC_BAD_RESPONSE',
}
export class RpcClientError extends TesseraError<RpcClientErrorCode, { url: string; rpcCode?: number; rpcMessage?: string; data?: unknown; reason?: string }> {}

export class RpcClient {
  private nextId = 1;
  readonly url: string;
  constructor(address: string, private readonly timeoutMs = 10_000) {
    this.url = address.startsWith('http') ? address : `http://${address}/`;
  }

  async call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params });
    const resp = (await this.post(body)) as { result?: T; error?: { code: number; message: string; data?: unknown } };
    if (resp && typeof resp === 'object' && resp.error)
      throw new RpcClientError(
        RpcClientErrorCode.REMOTE,
        { url: this.url, rpcCode: resp.error.code, rpcMessage: resp.error.message, data: resp.error.data },
        `${resp.error.message} (code ${resp.error.code})`,
      );
    if (!resp || typeof resp !== 'object' || !('result' in resp)) throw new RpcClientError(RpcClientErrorCode.BAD_RESPONSE, { url: this.url });
    return resp.result as T;
  }

  /** Posts a raw body; returns the parsed JSON (or null for 204). */
  async post(body: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new RpcClientError(
        RpcClientErrorCode.UNREACHABLE,
        { url: this.url, reason: ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message },
        `cannot reach the node's RPC at ${this.url}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`,
      );
    }
    if (res.status === 204) return null;
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new RpcClientError(RpcClientErrorCode.BAD_RESPONSE, { url: this.url, reason: `HTTP ${res.status}: ${text.slice(0, 100)}` });
    }
  }
}
