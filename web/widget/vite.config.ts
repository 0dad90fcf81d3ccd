import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { widgetBudget } from './widgetBudget.js';

// Built into dist/widget as one minified ES module, served at /widget/comerix-chat.js (src/chatWidget/widgetRoutes.ts).
// A fixed file name (no content hash) because embedders paste the URL into their pages; the server revalidates it
// by ETag. Not Vite's library mode, which leaves ES output unminified.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [widgetBudget()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    assetsInlineLimit: 0,
    modulePreload: false,
    rollupOptions: {
      input: fileURLToPath(new URL('./src/comerix-chat.ts', import.meta.url)),
      preserveEntrySignatures: 'exports-only',
      // Everything (Lit, the SDK) goes into the one file a page loads.
      output: { format: 'es', entryFileNames: 'comerix-chat.js', codeSplitting: false },
    },
  },
});
