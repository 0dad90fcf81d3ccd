import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ScenarioContext, type ScenarioRow, turnPairScenario } from './scenarios.js';
import { runCli } from './servers.js';

/**
 * The turn pair again, after the demo tenant got one enabled endpoint subscribed to `chat.execution.updated`: set
 * beside the `turn` row (no endpoint), same run, same sessions, it shows what webhooks cost a chat turn — each turn
 * then writes its events and delivery jobs in the turn's transaction. Only the API process runs here (no worker), so
 * the figure is the outbox's cost on the hot path; the deliveries themselves are a worker's work. The receiver
 * answers 204 in case a worker does run; the endpoint is deleted afterwards.
 */
export async function webhookTurnScenario(
  ctx: ScenarioContext,
  sessions: string[][],
  productEnv: Record<string, string>,
): Promise<ScenarioRow> {
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    runCli(['webhook:create', '--tenant=demo', `--url=${url}`, '--event=chat.execution.updated'], productEnv);
    const id = runCli(['webhook:list', '--tenant=demo'], productEnv).split('\n')[1]?.split(' ')[0];
    try {
      const row = await turnPairScenario(ctx, sessions);
      return {
        ...row,
        key: 'turnWebhook',
        name: 'turn pair, tenant with a webhook endpoint',
        note: `${row.note}; 1 endpoint on chat.execution.updated (outbox writes only: no worker delivers here)`,
      };
    } finally {
      if (id) runCli(['webhook:delete', id, '--tenant=demo'], productEnv);
    }
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
