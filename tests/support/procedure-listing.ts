import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { authenticate } from '../../src/http/authenticate.js';
import { notFoundHandler, problemHandler } from '../../src/http/problem.js';
import { proceduresRouter } from '../../src/http/procedures-routes.js';
import type {
  LibraryProblem,
  ProcedureLibrary,
} from '../../src/application/ports/procedure-library.js';
import { RectifyError } from '../../src/domain/errors.js';
import type { Principal } from '../../src/domain/identity.js';

/** The procedure routes behind the real bearer check, for an MR and a member. */
export function proceduresApp(library: ProcedureLibrary): express.Express {
  const people: Record<string, Principal> = {
    'token-mr': { id: 'mr-1', name: 'Jordan Lee', tenantId: 't', roles: new Set(['mr']) },
    'token-member': { id: 'm-1', name: 'Alex Morgan', tenantId: 't', roles: new Set() },
  };
  const app = express();
  const api = express.Router();
  api.use(
    authenticate({
      validate: (token) => {
        const p = people[token];
        return p ? Promise.resolve(p) : Promise.reject(new RectifyError('AUTH.UNAUTHENTICATED'));
      },
    }),
  );
  api.use(proceduresRouter({ library }));
  app.use('/api', api);
  app.use(notFoundHandler);
  app.use(problemHandler(pino({ level: 'silent' })));
  return app;
}

export interface ListedProcedure {
  readonly id: string;
  readonly docId: string | null;
  readonly title: string;
  readonly category: string | null;
  readonly location: string;
  readonly keywords: string[];
  readonly author: string | null;
  readonly manager: string | null;
  readonly additionalPaths: string[];
  readonly revisionCount: number;
  readonly revisionInForce: { versionName: string; versionDate: string | null } | null;
}

export interface Listing {
  readonly items: ListedProcedure[];
  readonly problems: LibraryProblem[];
}

export async function listThroughApi(
  app: express.Express,
  query = '',
  token = 'token-mr',
): Promise<{ status: number; body: Listing }> {
  const res = await request(app)
    .get(`/api/procedures${query}`)
    .set('Authorization', `Bearer ${token}`);
  return { status: res.status, body: res.body as Listing };
}

/** What two libraries must agree on: the documents, and the paths of what was wrong. */
export function comparable(listing: Listing, leaveOut: readonly string[] = []) {
  const problems = new Set(
    listing.problems
      .filter((p) => !leaveOut.includes(p.path))
      // A SharePoint file's versions are named after it: "Forms/Risk register.md (version 1.0)".
      .map((p) => `${p.severity} ${p.path.replace(/ \(version [0-9.]+\)$/, '')}`),
  );
  return {
    items: listing.items.map((p) => ({
      id: p.id,
      docId: p.docId,
      title: p.title,
      category: p.category,
      location: p.location,
      keywords: p.keywords,
      author: p.author,
      revisionCount: p.revisionCount,
      inForce: p.revisionInForce?.versionName ?? null,
      inForceDate: p.revisionInForce?.versionDate ?? null,
    })),
    problems: [...problems].sort(),
  };
}
