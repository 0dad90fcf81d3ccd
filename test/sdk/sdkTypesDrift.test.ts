import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentText, publicApiDocument, publicApiTypes } from '../../sdk/scripts/publicApiDocument.js';

const sdk = join(import.meta.dirname, '..', '..', 'sdk');
const FIX = 'the SDK is out of date with the routes: run `npm run generate -w sdk` and commit the result';

describe('the SDK matches the server', () => {
  const document = publicApiDocument();

  it('commits the OpenAPI document the routes declare', () => {
    expect(readFileSync(join(sdk, 'openapi.json'), 'utf8'), FIX).toBe(documentText(document));
  });

  it('commits the types generated from that document', async () => {
    expect(readFileSync(join(sdk, 'src', 'generated', 'api.ts'), 'utf8'), FIX).toBe(await publicApiTypes(document));
  }, 60_000);

  it('covers every public route', () => {
    expect(Object.keys(document.paths as object).sort()).toEqual([
      '/api/public/v1/chat/events',
      '/api/public/v1/chat/events/batch',
      '/api/public/v1/chat/executions/{id}',
      '/api/public/v1/chat/executions/{id}/stream',
      '/api/public/v1/chat/history',
      '/api/public/v1/chat/messages',
      '/api/public/v1/chat/quick-questions',
      '/api/public/v1/chat/sessions',
      '/api/public/v1/chat/uploads',
      '/api/public/v1/config/{section}',
      '/api/public/v1/forms/{codeOrId}',
      '/api/public/v1/forms/{codeOrId}/schema',
      '/api/public/v1/forms/{codeOrId}/submissions',
      '/api/public/v1/forms/{codeOrId}/uploads',
    ]);
  });
});
