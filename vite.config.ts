import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * The Teams tab: React + Fluent UI v9 from src/tab/web, built into dist/tab and served by
 * the API server. Vite 8 transforms TSX itself (oxc); no React plugin is needed.
 * `RECTIFY_TAB_OUT_DIR` lets tests and the bench build elsewhere; `RECTIFY_API` is where the
 * dev server proxies /api and /dev.
 */
const root = path.resolve(import.meta.dirname, 'src/tab/web');
const outDir = process.env.RECTIFY_TAB_OUT_DIR ?? path.resolve(import.meta.dirname, 'dist/tab');
const api = process.env.RECTIFY_API ?? 'http://127.0.0.1:3978';

/** Text files worth compressing; smaller ones go out as they are. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt)$/;
const MIN_BYTES = 1024;

/**
 * Writes `x.br` (brotli, highest quality) and `x.gz` (gzip, level 9) beside every built text
 * file of 1 KiB or more, so that the server sends them without compressing per request.
 */
function precompress(dir: string): Plugin {
  return {
    name: 'rectify-precompress',
    apply: 'build',
    closeBundle() {
      for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        const file = path.join(dir, name);
        if (!COMPRESSIBLE.test(name) || !statSync(file).isFile()) continue;
        const bytes = readFileSync(file);
        if (bytes.length < MIN_BYTES) continue;
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(bytes, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
            },
          }),
        );
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [precompress(outDir)],
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be one more script; every browser Teams supports has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      onLog(level, log, handler) {
        // Fluent's packages start with "use client" for React Server Components; a browser
        // bundle has nothing to preserve.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: { '/api': api, '/dev': api, '/healthz': api },
  },
});
