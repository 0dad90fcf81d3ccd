// Bundles the SDK into one ESM file (its only runtime need is `fetch`) and reports its size, raw and gzipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const outfile = join(root, 'dist', 'index.js');
await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  legalComments: 'none',
});
const code = readFileSync(outfile);
const minified = await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  write: false,
});
const min = minified.outputFiles[0].contents;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
process.stdout.write(
  `sdk: dist/index.js ${kb(code.length)} (minified ${kb(min.length)}, minified + gzip ${kb(gzipSync(min).length)})\n`,
);
