import express from 'express';
import type { Response, Router } from 'express';
import { z } from 'zod';
import { ERROR_CATALOGUE } from '../../domain/errors.js';
import type { LocalIssuer } from './local-issuer.js';
import { SAMPLE_PEOPLE } from './sample-people.js';
import type { SamplePerson } from './sample-people.js';

export interface DevRouterDeps {
  issuer: LocalIssuer;
  /** The API's client id: the `aud` of the tokens handed out. */
  audience: string;
  people?: readonly SamplePerson[];
}

const TokenRequestSchema = z.object({ personId: z.string().min(1).max(100) });

interface FieldError {
  path: string;
  message: string;
}

/**
 * Local mode only: lists the sample people and signs in as any of them, handing out
 * tokens from the local issuer. Never mount it when trusting Entra ID.
 */
export function createDevRouter(deps: DevRouterDeps): Router {
  const people = deps.people ?? SAMPLE_PEOPLE;
  const router = express.Router();
  router.use(express.json({ limit: '4kb' }));

  router.get('/people', (_req, res) => {
    res.json({
      people: people.map((p) => ({
        id: p.id,
        name: p.name,
        email: p.email,
        jobTitle: p.jobTitle,
        roles: p.appRoles,
        description: p.description,
      })),
    });
  });

  router.post('/token', async (req, res) => {
    const request = TokenRequestSchema.safeParse(req.body);
    if (!request.success) {
      sendValidationProblem(
        res,
        request.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
      return;
    }
    const person = people.find((p) => p.id === request.data.personId);
    if (!person) {
      sendValidationProblem(res, [{ path: 'personId', message: 'No sample person has this id' }]);
      return;
    }
    const { accessToken, expiresIn } = await deps.issuer.issueAccessToken(person, {
      audience: deps.audience,
    });
    // RFC 6749 section 5.1: token responses must not be cached.
    res.set('Cache-Control', 'no-store');
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
  });

  return router;
}

function sendValidationProblem(res: Response, errors: readonly FieldError[]): void {
  const code = 'REQUEST.VALIDATION';
  res
    .status(400)
    .type('application/problem+json')
    .json({
      type: `urn:rectify:problem:${code}`,
      title: ERROR_CATALOGUE[code].title,
      status: 400,
      code,
      errors,
    });
}
