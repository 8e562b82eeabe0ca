/**
 * The behaviour every Directory adapter must have, on the same people: the sample directory's
 * members and guests (names in Latin, Han, Cyrillic and Arabic scripts) and its two groups.
 * An adapter's test file calls `describeDirectoryContract('Name', makeDirectory)`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PeopleQuerySchema,
  type Directory,
  type DirectoryPerson,
} from '../../src/application/ports/directory.js';
import { SAMPLE_GROUPS, SAMPLE_PEOPLE } from '../../src/infrastructure/auth/sample-people.js';

export type MakeDirectory = () => Promise<{ directory: Directory; close: () => Promise<void> }>;

const q = (text: string, limit?: number) => PeopleQuerySchema.parse({ q: text, limit });
const names = (people: readonly DirectoryPerson[]) => people.map((p) => p.name);
const person = (name: string) => {
  const p = SAMPLE_PEOPLE.find((x) => x.name.startsWith(name));
  if (!p) throw new Error(`no sample person ${name}`);
  return p;
};

export function describeDirectoryContract(name: string, make: MakeDirectory): void {
  describe(`Directory contract: ${name}`, () => {
    let directory: Directory;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ directory, close } = await make());
    });
    afterAll(async () => {
      await close();
    });

    it('finds a person by the start of a first name, a last name or the address', async () => {
      expect(names(await directory.searchPeople(q('pri')))).toEqual(['Priya Shah']);
      expect(names(await directory.searchPeople(q('SHA')))).toEqual(['Priya Shah']);
      expect(names(await directory.searchPeople(q('maria.g')))).toEqual(['Maria Garcia']);
      expect(names(await directory.searchPeople(q('garcia')))).toEqual(['Maria Garcia']);
      const byAddress = await directory.searchPeople(q('jordan'));
      expect(byAddress.map((p) => p.email)).toEqual(['jordan.lee@contoso.example']);
    });

    it('does not match the middle of a word', async () => {
      expect(await directory.searchPeople(q('riya'))).toEqual([]);
    });

    it('needs every word of a longer query to start a word of the name', async () => {
      expect(names(await directory.searchPeople(q('sam tay')))).toEqual(['Sam Taylor']);
      expect(await directory.searchPeople(q('sam shah'))).toEqual([]);
    });

    it('finds names written in other scripts and with diacritics', async () => {
      expect(names(await directory.searchPeople(q('张')))).toEqual([person('Zhang Wei').name]);
      expect(names(await directory.searchPeople(q('Олена')))).toEqual([
        person('Olena Kovalenko').name,
      ]);
      expect(names(await directory.searchPeople(q('ليلى')))).toEqual([person('Layla Haddad').name]);
      expect(names(await directory.searchPeople(q('søren')))).toEqual(['Søren Østergaard']);
      expect(names(await directory.searchPeople(q('nguyễn')))).toEqual(['Nguyễn Thị Lan']);
    });

    it('finds guests of the tenant and says they are guests', async () => {
      const [lars] = await directory.searchPeople(q('lars'));
      expect(lars).toEqual({
        id: person('Lars Berg').id,
        name: 'Lars Berg (Fabrikam)',
        email: 'lars.berg@fabrikam.example',
        guest: true,
      });
      const [priya] = await directory.searchPeople(q('priya'));
      expect(priya?.guest).toBe(false);
    });

    it('treats quotes, backslashes and OData operators as plain text', async () => {
      for (const hostile of [
        '" OR "displayName:',
        "x') or (id eq 'y",
        'a\\"b',
        '*',
        'pri" AND "mail:',
      ]) {
        const found = await directory.searchPeople(q(hostile));
        expect(found.every((p) => SAMPLE_PEOPLE.some((s) => s.id === p.id))).toBe(true);
      }
      expect(await directory.searchPeople(q('" OR "displayName:'))).toEqual([]);
    });

    it('returns at most the limit, sorted by name', async () => {
      const found = await directory.searchPeople(q('contoso', 3));
      expect(found).toHaveLength(3);
      expect(names(found)).toEqual([...names(found)].sort((a, b) => a.localeCompare(b)));
    });

    it('reads people by id and leaves out unknown and forged ids', async () => {
      const wanted = [person('Sam Taylor').id, person('Kenji Sato').id];
      const found = await directory.peopleByIds([
        ...wanted,
        '00000000-0000-4000-8000-000000000000',
        "x') or (id ne 'y",
        '',
      ]);
      expect(found.map((p) => p.id).sort()).toEqual([...wanted].sort());
      expect(found.find((p) => p.id === person('Kenji Sato').id)?.guest).toBe(true);
    });

    it('reads more than fifteen people by id', async () => {
      const ids = SAMPLE_PEOPLE.map((p) => p.id);
      expect(ids.length).toBeGreaterThan(15);
      expect((await directory.peopleByIds(ids)).map((p) => p.id).sort()).toEqual([...ids].sort());
    });

    it('finds a group by the start of its name and expands it into its people', async () => {
      const groups = await directory.searchGroups(q('serv'));
      expect(groups).toEqual([{ id: SAMPLE_GROUPS[0]?.id, name: 'Service Desk' }]);
      const members = await directory.groupMembers(groups[0]?.id ?? '');
      expect(members?.map((m) => m.id).sort()).toEqual(
        [...(SAMPLE_GROUPS[0]?.memberIds ?? [])].sort(),
      );
      expect(members?.some((m) => m.guest)).toBe(true);
    });

    it('answers null for a group that does not exist or a forged group id', async () => {
      expect(await directory.groupMembers('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await directory.groupMembers('../users')).toBeNull();
    });
  });
}
