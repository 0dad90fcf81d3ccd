import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The flow file format (docs/flows.md, DESIGN §5.1) as an MCP resource, so an agent can write valid flows. */
export const FLOW_FORMAT_URI = 'comerix://docs/flow-format';

let cached: string | undefined;

/** docs/flows.md, read once: the very page a person reads (three levels up from src/mcp/resources and dist/mcp/resources). */
export function flowFormatText(): string {
  cached ??= readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'flows.md'), 'utf8');
  return cached;
}
