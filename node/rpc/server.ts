// JSON-RPC 2.0 over HTTP. POST / with a JSON body; answers 200 with the JSON-RPC response
// (errors included: JSON-RPC carries them in the body), 204 when the request held only
// notifications, 405 for other HTTP methods, 413 for bodies over the limit.
// Binds to 127.0.0.1 by default; port 0 picks a free port (tests).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleBody, type RpcMethods } from './jsonrpc.ts';
import { isHeavyCall } from './methods.ts';
import type { Logger } from '../log/logger.ts';

export interface RpcServerOpts {
  host: string;
  port: number;
  /** Largest accepted request body in bytes (default 2 MiB: a full block of signed txs fits). */
  maxBodyBytes?: number;
}

/** An answer to a GET (the node's HTTP server: explorer, /metrics); undefined: 404. */
export interface HttpAnswer {
  status?: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface RpcServerModules {
  logger: Logger;
  methods: RpcMethods;
  /** Serves GET requests by path (without the query string); without it GET is refused (405). */
  get?: (path: string) => Promise<HttpAnswer | undefined>;
}

export class RpcServer {
  private server: Server | undefined;
  private readonly maxBody: number;

  constructor(
    private readonly opts: RpcServerOpts,
    private readonly modules: RpcServerModules,
  ) {
    this.maxBody = opts.maxBodyBytes ?? 2 * 1024 * 1024;
  }

  /** Starts listening; resolves to the bound address as `host:port`. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return this.address();
  }

  address(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('RPC server is not listening');
    return `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async onGet(req: IncomingMessage, res: ServerResponse, get: NonNullable<RpcServerModules['get']>): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    let a: HttpAnswer | undefined;
    try {
      a = await get(path);
    } catch (e) {
      this.modules.logger.error('http GET failed', { path, err: e as Error });
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
      return;
    }
    if (!a) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(a.status ?? 200, { 'content-type': a.contentType, ...a.headers });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.method === 'GET' || req.method === 'HEAD') && this.modules.get) {
      await this.onGet(req, res, this.modules.get);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('JSON-RPC 2.0: POST a JSON body\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > this.maxBody) {
        tooLarge = true;
        break;
      }
      chunks.push(c);
    }
    if (tooLarge) {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end(`request body over ${this.maxBody} bytes\n`);
      req.destroy();
      return;
    }
    let out: string | null;
    try {
      out = await handleBody(Buffer.concat(chunks).toString('utf8'), this.modules.methods, this.modules.logger, { heavy: isHeavyCall });
    } catch (e) {
      this.modules.logger.error('rpc dispatch failed', { err: e as Error });
      res.writeHead(500).end();
      return;
    }
    if (out === null) res.writeHead(204).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(out);
  }
}
