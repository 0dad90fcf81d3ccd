import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/app/AppContext.js';
import type { PublicKey, Tenant } from '../../src/db/types.js';
import { importFlow } from '../../src/flows/flowService.js';
import { type CreateWidgetKeyInput, createWidgetKey } from '../../src/keys/widgetKeyService.js';
import { createTenant } from '../../src/tenants/tenantStore.js';

export const ORIGIN = 'https://acme.com';
let counter = 0;

export function exampleFlow(name: 'order_status' | 'returns' | 'track_order'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'flows', `${name}.json`), 'utf8'));
}

/** A tenant with the example flows published and one widget key. */
export async function seedTenant(
  ctx: AppContext,
  options: { flows?: unknown[]; key?: Partial<Omit<CreateWidgetKeyInput, 'tenantId'>> } = {},
): Promise<{ tenant: Tenant; key: PublicKey }> {
  counter += 1;
  const slug = `t${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const tenant = await createTenant(ctx, { name: `Tenant ${slug}`, slug });
  for (const flow of options.flows ?? [exampleFlow('order_status'), exampleFlow('returns')]) {
    await importFlow(ctx, tenant.id, flow, { publish: true });
  }
  const key = await createWidgetKey(ctx, {
    tenantId: tenant.id,
    label: 'Demo widget',
    origins: [ORIGIN],
    ...(options.key?.allIntents ? {} : { intents: ['order_status', 'returns'] }),
    ...options.key,
  });
  return { tenant, key };
}

export interface Json200 {
  status: number;
  body: Record<string, unknown>;
  headers: LightMyRequestResponse['headers'];
}

function wrap(res: LightMyRequestResponse): Json200 {
  let body: Record<string, unknown> = {};
  try {
    body = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
  } catch {
    body = { raw: res.body };
  }
  return { status: res.statusCode, body, headers: res.headers };
}

export class Widget {
  token?: string;
  constructor(
    readonly app: FastifyInstance,
    readonly origin = ORIGIN,
  ) {}

  async open(publicKey: string, extra: Record<string, unknown> = {}): Promise<Json200> {
    const res = wrap(
      await this.app.inject({
        method: 'POST',
        url: '/api/public/v1/chat/sessions',
        headers: { origin: this.origin, 'content-type': 'application/json' },
        payload: { publicKey, customerId: 'u-42', ...extra },
      }),
    );
    if (res.status === 201) this.token = String(res.body.sessionToken);
    return res;
  }

  async send(payload: unknown, headers: Record<string, string> = {}): Promise<Json200> {
    return wrap(
      await this.app.inject({
        method: 'POST',
        url: '/api/public/v1/chat/messages',
        headers: {
          origin: this.origin,
          'content-type': 'application/json',
          authorization: `Bearer ${this.token}`,
          ...headers,
        },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      }),
    );
  }

  async trigger(intentName: string, extra: Record<string, unknown> = {}): Promise<Json200> {
    return this.send({ text: 'hi', intentName, ...extra });
  }

  async resume(turn: Json200, values: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Json200> {
    return this.send({ waitToken: turn.body.waitToken, executionId: turn.body.executionId, values, ...extra });
  }

  async get(url: string): Promise<Json200> {
    return wrap(
      await this.app.inject({
        method: 'GET',
        url,
        headers: { origin: this.origin, authorization: `Bearer ${this.token}` },
      }),
    );
  }
}

export function blockTypes(res: Json200): string[] {
  return (res.body.blocks as { type: string }[]).map((b) => b.type);
}
