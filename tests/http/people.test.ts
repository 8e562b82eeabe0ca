import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PeopleSearch } from '../../src/application/people-search.js';
import { RectifyError } from '../../src/domain/errors.js';
import { SAMPLE_GROUPS } from '../../src/infrastructure/auth/sample-people.js';
import { startHarness, type Harness } from '../support/rectify-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const q = (text: string) => `/api/people?q=${encodeURIComponent(text)}`;

describe('the directory routes', () => {
  it('let the MR find members and guests by the first letters of a name', async () => {
    const res = await (await h.as('mr')).get(q('lar'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          id: '7a9c1e3f-5b7d-4f9a-b1c3-d5e7f9a1b3c5',
          name: 'Lars Berg (Fabrikam)',
          email: 'lars.berg@fabrikam.example',
          guest: true,
        },
      ],
    });
  });

  it('let nobody else list the organisation', async () => {
    for (const who of ['reporter', 'owner', 'committee'] as const) {
      const res = await (await h.as(who)).get(q('lar'));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    }
  });

  it('refuse an empty, overlong or malformed query with a clear error', async () => {
    const mr = await h.as('mr');
    for (const bad of ['', '   ', 'x'.repeat(101), 'a\u0000b'])
      expect((await mr.get(q(bad))).body).toMatchObject({ code: 'REQUEST.VALIDATION' });
    expect((await mr.get(`${q('sam')}&limit=26`)).status).toBe(400);
    // Not valid UTF-8 in the URL: never a server error.
    expect((await mr.get('/api/people?q=a%ED%A0%80b')).status).toBeLessThan(500);
    // A lone surrogate can reach the search from a card's typeahead, not only from a URL.
    expect(() => PeopleSearch.parse({ q: 'a\ud800b' })).toThrow(RectifyError);
  });

  it('expand a group into its people, and say when there is no such group', async () => {
    const mr = await h.as('mr');
    const groups = await mr.get('/api/groups?q=eng');
    expect(groups.body).toEqual({ items: [{ id: SAMPLE_GROUPS[1]?.id, name: 'Engineering' }] });
    const members = await mr.get(`/api/groups/${SAMPLE_GROUPS[1]?.id ?? ''}/members`);
    expect((members.body as { items: unknown[] }).items).toHaveLength(4);
    const none = await mr.get('/api/groups/00000000-0000-4000-8000-000000000000/members');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ code: 'DIRECTORY.GROUP_NOT_FOUND' });
    expect((await mr.get('/api/groups/..%2Fusers/members')).status).toBe(400);
  });
});
