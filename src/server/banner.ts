import type { Config } from '../config.js';
import type { DemoInfo } from '../demo/seedDemo.js';

/** The start banner: where things are, the demo key, and a curl for step 2 of the quick start. */
export function banner(args: { url: string; config: Config; demo: DemoInfo | undefined; origins: string[] }): string {
  const { url, config, demo } = args;
  const storage = config.backend === 'pglite' ? `${config.dataDir} (embedded PGlite)` : 'PostgreSQL (DATABASE_URL)';
  const origin = args.origins.find((o) => o.startsWith('http://localhost')) ?? args.origins[0]!;
  const lines = [
    '',
    `Comerix is running at ${url}`,
    `  Chat API    ${url}/api/public/v1/chat`,
    `  API docs    ${url}/api/docs   (OpenAPI: ${url}/api/openapi.json)`,
    `  Health      ${url}/healthz  ${url}/readyz`,
    `  Storage     ${storage}`,
  ];
  if (demo?.publicKey) {
    lines.push(
      `  Demo key    ${demo.publicKey}   (tenant "demo", intents order_status, returns, track_order${demo.llm ? ', product_advice' : ''}; origins ${args.origins.join(', ')})`,
      `  Widget demo ${url}/widget/demo   (the reference chat widget on the demo key; embed: ${url}/widget/comerix-chat.js)`,
      ...(demo.admin
        ? [
            `  Admin panel ${url}/admin   (the login below)`,
            `  Admin API   ${url}/api/admin/v1   (login ${demo.admin.email} / ${demo.admin.password ?? `password file ${demo.admin.file} is gone: run \`npx comerix admin:reset-password --tenant demo --email ${demo.admin.email}\``})`,
          ]
        : []),
      ...(demo.llm
        ? []
        : [
            '  LLM demo    set COMERIX_DEMO_LLM_BASE_URL (+ COMERIX_DEMO_LLM_API_KEY, COMERIX_DEMO_LLM_MODEL) and run `npx comerix demo:seed --llm` for the product_advice flow',
          ]),
      '',
      'Open a session (step 2 of the quick start):',
      `  curl -X POST ${url}/api/public/v1/chat/sessions \\`,
      `    -H 'Origin: ${origin}' -H 'Content-Type: application/json' \\`,
      `    -d '{"publicKey":"${demo.publicKey}","customerId":"u-42"}'`,
    );
  } else {
    lines.push(
      '  Demo        off (COMERIX_DEMO=off or no demo tenant); create a key with `npx comerix widget-key:create`',
    );
  }
  lines.push('', 'Stop with Ctrl+C.', '');
  return `${lines.join('\n')}\n`;
}
