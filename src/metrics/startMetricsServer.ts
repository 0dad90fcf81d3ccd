import { createServer, type Server } from 'node:http';
import type { Metrics } from './Metrics.js';
import { metricsAuthorized } from './metricsAuthorized.js';

/**
 * COMERIX_METRICS_PORT: a listener of its own that serves only `GET /metrics`, bound to COMERIX_METRICS_HOST
 * (loopback unless told otherwise), so a scraper reaches it without the API port exposing anything. `comerix worker`
 * has no other HTTP. With COMERIX_METRICS_TOKEN set, this port asks for the token too.
 */
export async function startMetricsServer(
  metrics: Metrics,
  options: { port: number; host: string; token?: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (options.token && !metricsAuthorized(options.token, req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
