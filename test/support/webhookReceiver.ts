import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed envelope `{type, timestamp, data}`. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Whether the stock `standardwebhooks` verifier accepted it with the path's secret. */
  verified: boolean;
  verifyError?: string;
  answered: number;
}

/**
 * A real HTTP server standing in for a tenant's webhook receiver: every request is checked with the stock
 * `standardwebhooks` verifier (the secret of its path), recorded, and answered with the next status scripted for the
 * path (200 once the script is used up). Tests wait for requests as events, never for time.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly secrets = new Map<string, string>();
  private readonly scripts = new Map<string, number[]>();
  private readonly emitter = new EventEmitter();
  private server: Server | undefined;
  private base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        const body = Buffer.concat(chunks).toString('utf8');
        let verified = false;
        let verifyError: string | undefined;
        const secret = this.secrets.get(path);
        try {
          if (!secret) throw new Error('no secret for this path');
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch (error) {
          verifyError = (error as Error).message;
        }
        const status = this.scripts.get(path)?.shift() ?? 200;
        const entry: ReceivedWebhook = {
          path,
          headers: req.headers,
          body,
          payload: JSON.parse(body),
          verified,
          ...(verifyError ? { verifyError } : {}),
          answered: status,
        };
        this.received.push(entry);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
        this.emitter.emit('request', entry);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** The secret deliveries to `path` are signed with, and statuses to answer in turn. */
  expect(path: string, secret: string, statuses: number[] = []): void {
    this.secrets.set(path, secret);
    this.scripts.set(path, [...statuses]);
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `predicate` holds over the requests received so far. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate(this.received)) return;
        this.emitter.off('request', check);
        resolve();
      };
      this.emitter.on('request', check);
      check();
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
