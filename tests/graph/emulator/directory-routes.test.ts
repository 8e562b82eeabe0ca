import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { directoryOf } from './directory-routes.js';
import { GraphEmulator } from './graph-emulator.js';

/** The emulated directory keeps Graph's rules: each of these fails when its rule is dropped. */
describe('the emulated directory', () => {
  const emulator = new GraphEmulator();
  const eventual = { ConsistencyLevel: 'eventual' };
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${emulator.url}${path}`, { headers });
  let alexId = '';
  beforeAll(async () => {
    await emulator.listen();
    const dir = directoryOf(emulator);
    alexId = dir.addUser({ displayName: 'Alex Morgan' }).id;
    dir.addGuest('Lars Berg', 'lars@fabrikam.example');
  });
  afterAll(() => emulator.close());

  it('refuses $search without ConsistencyLevel: eventual', async () => {
    const search = encodeURIComponent('"displayName:ale"');
    expect((await get(`/users?$search=${search}`)).status).toBe(400);
    expect((await get(`/users?$search=${search}`, eventual)).status).toBe(200);
  });

  it('refuses an unquoted or mixed $search and an unknown property', async () => {
    for (const bad of [
      'displayName:ale',
      '"displayName:a" AND "mail:b" OR "mail:c"',
      '"jobTitle:x"',
    ])
      expect((await get(`/users?$search=${encodeURIComponent(bad)}`, eventual)).status).toBe(400);
  });

  it('matches the start of words only', async () => {
    const body = async (s: string) =>
      (
        (await (await get(`/users?$search=${encodeURIComponent(s)}`, eventual)).json()) as {
          value: unknown[];
        }
      ).value;
    expect(await body('"displayName:mor"')).toHaveLength(1);
    expect(await body('"displayName:org"')).toHaveLength(0);
  });

  it('refuses $top above 999, $select beyond the basic profile and GET /users/{id}', async () => {
    expect((await get('/users?$top=1000')).status).toBe(400);
    expect((await get('/users?$select=id,userType')).status).toBe(403);
    expect((await get('/users?$select=id,nope')).status).toBe(400);
    expect((await get(`/users/${alexId}`)).status).toBe(403);
    directoryOf(emulator).granted.add('User.Read.All');
    expect((await get(`/users/${alexId}`)).status).toBe(200);
    directoryOf(emulator).granted.delete('User.Read.All');
  });

  it('takes at most 15 ids in an in filter and no other filter', async () => {
    const ids = (n: number) => Array.from({ length: n }, () => `'${alexId}'`).join(',');
    expect((await get(`/users?$filter=${encodeURIComponent(`id in (${ids(15)})`)}`)).status).toBe(
      200,
    );
    expect((await get(`/users?$filter=${encodeURIComponent(`id in (${ids(16)})`)}`)).status).toBe(
      400,
    );
    expect(
      (await get(`/users?$filter=${encodeURIComponent("startswith(displayName,'a')")}`)).status,
    ).toBe(400);
  });

  it('answers 404 for the members of an unknown group and 403 without GroupMember.Read.All', async () => {
    expect((await get('/groups/00000000-0000-4000-8000-000000000000/members')).status).toBe(404);
    directoryOf(emulator).granted.delete('GroupMember.Read.All');
    expect((await get('/groups')).status).toBe(403);
    directoryOf(emulator).granted.add('GroupMember.Read.All');
  });

  it('gives a guest a #EXT# user principal name', async () => {
    const res = await get(`/users?$search=${encodeURIComponent('"displayName:lars"')}`, eventual);
    const body = (await res.json()) as { value: { userPrincipalName: string }[] };
    expect(body.value[0]?.userPrincipalName).toContain('#EXT#');
  });
});
