import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import { validationError } from '../../http/problem.js';
import { RectifyError } from '../../domain/errors.js';
import type { LocalIssuer } from './local-issuer.js';
import { SAMPLE_PEOPLE } from './sample-people.js';
import type { SamplePerson } from './sample-people.js';
import { wellFormedText } from '../../application/ports/text-schema.js';

export interface DevRouterDeps {
  issuer: LocalIssuer;
  /** The API's client id: the `aud` of the tokens handed out. */
  audience: string;
  people?: readonly SamplePerson[];
}

const TokenRequestSchema = z.object({ personId: wellFormedText().min(1).max(100) });

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
    if (!request.success) throw validationError(request.error, 'body');
    const person = people.find((p) => p.id === request.data.personId);
    if (!person)
      throw new RectifyError('REQUEST.VALIDATION', {
        in: 'body',
        errors: [{ field: 'personId', message: 'No sample person has this id' }],
      });
    const { accessToken, expiresIn } = await deps.issuer.issueAccessToken(person, {
      audience: deps.audience,
    });
    // RFC 6749 section 5.1: token responses must not be cached.
    res.set('Cache-Control', 'no-store');
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
  });

  return router;
}
