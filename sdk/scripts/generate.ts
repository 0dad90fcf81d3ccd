import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { documentText, publicApiDocument, publicApiTypes } from './publicApiDocument.js';

// One command regenerates both files after routes change: `npm run generate -w sdk` (the drift test says when).
const root = join(import.meta.dirname, '..');
const document = publicApiDocument();
await writeFile(join(root, 'openapi.json'), documentText(document));
await writeFile(join(root, 'src', 'generated', 'api.ts'), await publicApiTypes(document));
process.stdout.write('sdk: wrote openapi.json and src/generated/api.ts\n');
