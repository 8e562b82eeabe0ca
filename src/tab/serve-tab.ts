import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/** Paths the tab's client-side routes never take: the server answers them itself. */
const SERVER_PATHS = /^\/(api|dev|healthz)(\/|$)/;
/** Vite names built files `name-<hash>.ext` under assets/: they never change. */
const HASHED_ASSET = /^\/assets\//;

/** The encodings the build writes beside a file (`x.js.br`, `x.js.gz`), best first. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** URL path of each built file that has precompressed copies, with the encodings it has. */
function precompressedFiles(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  const all = new Set(names.map((n) => n.split(path.sep).join('/')));
  for (const name of all)
    for (const { encoding, suffix } of PRECOMPRESSED)
      if (name.endsWith(suffix) && all.has(name.slice(0, -suffix.length))) {
        const url = `/${name.slice(0, -suffix.length)}`;
        found.set(url, [...(found.get(url) ?? []), encoding]);
      }
  return found;
}

export interface TabRouterOptions {
  /** The Vite build output (index.html and assets/). */
  readonly dir: string;
}

/** Where `npm run build:tab` writes the tab, relative to the working directory like ./data. */
export const defaultTabDir = (): string => path.resolve('dist', 'tab');

/**
 * Serves the built Teams tab: hashed assets cached for a year, index.html never cached (so a
 * deployment is picked up at once), and index.html for every client route (SPA fallback),
 * never for the API, the local-mode routes or the health check. Without a build it serves
 * nothing and the server's 404 answers.
 */
export function tabRouter(options: TabRouterOptions): Router | undefined {
  const index = path.join(options.dir, 'index.html');
  if (!existsSync(index)) return undefined;
  const router = express.Router();
  const cacheControl = (url: string): string =>
    HASHED_ASSET.test(url) ? 'public, max-age=31536000, immutable' : 'no-cache';
  // Files the build compressed (brotli, gzip) are sent as they are, to clients that accept them;
  // only paths found in the build at start-up are looked up, so no request names a file.
  const compressed = precompressedFiles(options.dir);
  router.use((req, res, next) => {
    const encodings = compressed.get(req.path);
    if (!encodings || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    res.vary('Accept-Encoding');
    // Ours first (brotli is smaller), among those the client accepts; none without the header.
    const variant = req.headers['accept-encoding']
      ? PRECOMPRESSED.find(
          (p) => encodings.includes(p.encoding) && req.acceptsEncodings(p.encoding) === p.encoding,
        )
      : undefined;
    if (!variant) {
      next();
      return;
    }
    res.type(path.extname(req.path));
    res.setHeader('Content-Encoding', variant.encoding);
    res.setHeader('Cache-Control', cacheControl(req.path));
    res.sendFile(`${req.path.slice(1)}${variant.suffix}`, { root: options.dir, dotfiles: 'deny' });
  });
  router.use(
    express.static(options.dir, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        const relative = `/${path.relative(options.dir, file).split(path.sep).join('/')}`;
        res.setHeader('Cache-Control', cacheControl(relative));
        if (compressed.has(relative)) res.vary('Accept-Encoding');
      },
    }),
  );
  router.get(/.*/, (req, res, next) => {
    const wantsPage = !SERVER_PATHS.test(req.path) && !path.extname(req.path);
    if (!wantsPage || !req.accepts('html')) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
