// Regenerates web/admin/src/api/schema.d.ts from the OpenAPI document the server builds from its route
// declarations, so the panel's client can never drift from the API: `npm run admin:api-types`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allRoutes } from '../../../src/app/routes.js';
import { openApiDocument } from '../../../src/openapi/openApiDocument.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'comerix-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(openApiDocument(allRoutes(), 'http://localhost:3000')));
  // openapi-typescript lives in the sdk workspace, which keeps the TypeScript 5 compiler API it needs.
  const bin = join(root, 'sdk/node_modules/.bin/openapi-typescript');
  execFileSync(bin, [file, '-o', join(root, 'web/admin/src/api/schema.d.ts')], { stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
