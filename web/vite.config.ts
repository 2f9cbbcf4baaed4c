import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console's front end, built into dist/web and served offline by the console (no CDN).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: { outDir: fileURLToPath(new URL('../dist/web', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1024 },
});
