import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type StubHandler = (request: StubRequest, res: ServerResponse, index: number) => void | Promise<void>;

/** A real HTTP server on a loopback port that records every request it gets. */
export class StubServer {
  readonly requests: StubRequest[] = [];
  private readonly sockets = new Set<Socket>();
  /** Connections accepted, including those that never sent a complete request. */
  connections = 0;

  private constructor(
    private readonly server: Server,
    public handler: StubHandler,
  ) {}

  static async start(handler: StubHandler = (_req, res) => sendJson(res, 200, { ok: true }), host = '127.0.0.1') {
    let stub: StubServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        stub!.requests.push(request);
        void Promise.resolve(stub!.handler(request, res, stub!.requests.length - 1)).catch(() => res.destroy());
      });
    });
    stub = new StubServer(server, handler);
    server.on('connection', (socket: Socket) => {
      stub!.connections++;
      stub!.sockets.add(socket);
      socket.on('close', () => stub!.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    return stub;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** http://127.0.0.1:<port> (or the IPv6 form). */
  get origin(): string {
    const { address } = this.server.address() as AddressInfo;
    return address.includes(':') ? `http://[${address}]:${this.port}` : `http://${address}:${this.port}`;
  }

  reset(handler?: StubHandler): void {
    this.requests.length = 0;
    this.connections = 0;
    if (handler) this.handler = handler;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
