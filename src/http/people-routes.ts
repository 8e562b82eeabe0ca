import { Router } from 'express';
import { z } from 'zod';
import { PeopleSearch } from '../application/people-search.js';
import { RectifyError } from '../domain/errors.js';
import { principalOf } from './authenticate.js';

export interface PeopleRouterDeps {
  readonly people: PeopleSearch;
}

export const PersonSchema = z
  .object({
    id: z.string().meta({ description: 'Entra object id' }),
    name: z.string(),
    email: z.string().nullable(),
    guest: z.boolean().meta({ description: 'A B2B guest of the tenant' }),
  })
  .meta({ id: 'DirectoryPerson', description: 'A person in the organisation directory' });

export const PeopleListSchema = z
  .object({ items: z.array(PersonSchema).meta({ description: 'Sorted by name' }) })
  .meta({ id: 'DirectoryPersonList' });

export const GroupListSchema = z
  .object({ items: z.array(z.object({ id: z.string(), name: z.string() })) })
  .meta({ id: 'DirectoryGroupList' });

export const GroupPathSchema = z.object({
  id: z.uuid().meta({ description: 'The group object id' }),
});

/**
 * The organisation directory, for the MR's people picker: `GET /people?q=`, `GET /groups?q=`,
 * `GET /groups/{id}/members`. Nobody else may list the organisation.
 */
export function peopleRouter(deps: PeopleRouterDeps): Router {
  const router = Router();

  router.get('/people', async (req, res) => {
    const items = await deps.people.people(principalOf(res), PeopleSearch.parse(req.query));
    res.json({ items: [...items] } satisfies z.infer<typeof PeopleListSchema>);
  });

  router.get('/groups', async (req, res) => {
    const items = await deps.people.groups(principalOf(res), PeopleSearch.parse(req.query));
    res.json({ items: [...items] } satisfies z.infer<typeof GroupListSchema>);
  });

  router.get('/groups/:id/members', async (req, res) => {
    const path = GroupPathSchema.safeParse(req.params);
    if (!path.success)
      throw new RectifyError('REQUEST.VALIDATION', {
        in: 'path',
        errors: [{ field: 'id', message: 'a group object id' }],
      });
    const items = await deps.people.members(principalOf(res), path.data.id);
    res.json({ items: [...items] } satisfies z.infer<typeof PeopleListSchema>);
  });

  return router;
}
