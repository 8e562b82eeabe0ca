import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/** Paths the tab's client-side routes never take: the server answers them itself. */
const SERVER_PATHS = /^\/(api|dev|healthz)(\/|$)/;
/** Vite names built files `name-<hash>.ext` under assets/: they never change. */
const HASHED_ASSET = /^\/assets\//;

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
  router.use(
    express.static(options.dir, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        const relative = `/${path.relative(options.dir, file).split(path.sep).join('/')}`;
        res.setHeader(
          'Cache-Control',
          HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
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
