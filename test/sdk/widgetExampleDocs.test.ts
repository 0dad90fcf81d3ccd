import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

// The guide's example is the type-checked file (sdk/test/consumer/widget.ts), word for word, and stays short.
it('docs/build-your-own-widget.md shows the type-checked widget example', () => {
  const example = readFileSync(join(root, 'sdk', 'test', 'consumer', 'widget.ts'), 'utf8');
  const guide = readFileSync(join(root, 'docs', 'build-your-own-widget.md'), 'utf8');
  expect(guide).toContain(`\`\`\`ts\n${example}\`\`\``);
  expect(example.trimEnd().split('\n').length).toBeLessThan(60);
});
