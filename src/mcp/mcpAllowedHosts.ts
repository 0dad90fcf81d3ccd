import type { Config } from '../config.js';

/**
 * The Host and Origin values the transport's DNS-rebinding protection accepts: the public URL's, and the localhost
 * forms on the port the request came in on (a local agent, or a proxy on the same machine, calling the bound port).
 */
export function mcpAllowedHosts(
  config: Pick<Config, 'publicUrl'>,
  port: number,
): { hosts: string[]; origins: string[] } {
  const publicUrl = new URL(config.publicUrl);
  const local = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  return {
    hosts: [...new Set([publicUrl.host, ...local])],
    origins: [...new Set([publicUrl.origin, ...local.flatMap((h) => [`http://${h}`, `https://${h}`])])],
  };
}
