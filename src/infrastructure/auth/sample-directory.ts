import {
  MAX_GROUP_MEMBERS,
  byName,
  matchesQuery,
  queryWords,
  type Directory,
  type DirectoryGroup,
  type DirectoryPerson,
  type PeopleQuery,
} from '../../application/ports/directory.js';
import { SAMPLE_GROUPS, SAMPLE_PEOPLE, type SamplePerson } from './sample-people.js';

interface SampleGroup {
  readonly id: string;
  readonly name: string;
  readonly memberIds: readonly string[];
}

/**
 * Local mode's directory: the sample people (members and guests, in several scripts) and two
 * groups, searched by the same word-prefix rule as the Graph adapter's `$search`.
 */
export class SampleDirectory implements Directory {
  private readonly people: readonly DirectoryPerson[];
  private readonly byId: ReadonlyMap<string, DirectoryPerson>;

  constructor(
    people: readonly SamplePerson[] = SAMPLE_PEOPLE,
    private readonly groups: readonly SampleGroup[] = SAMPLE_GROUPS,
  ) {
    this.people = people.map((p): DirectoryPerson => ({
      id: p.id,
      name: p.name,
      email: p.email,
      guest: p.guest === true,
    }));
    this.byId = new Map(this.people.map((p) => [p.id, p]));
  }

  searchPeople(query: PeopleQuery): Promise<readonly DirectoryPerson[]> {
    const words = queryWords(query.q);
    return Promise.resolve(
      this.people
        .filter((p) => matchesQuery(words, p.name, p.email))
        .sort(byName)
        .slice(0, query.limit),
    );
  }

  peopleByIds(ids: readonly string[]): Promise<readonly DirectoryPerson[]> {
    return Promise.resolve(
      [...new Set(ids)].flatMap((id) => {
        const p = this.byId.get(id);
        return p ? [p] : [];
      }),
    );
  }

  searchGroups(query: PeopleQuery): Promise<readonly DirectoryGroup[]> {
    const words = queryWords(query.q);
    return Promise.resolve(
      this.groups
        .filter((g) => matchesQuery(words, g.name, null))
        .map((g) => ({ id: g.id, name: g.name }))
        .sort((a, b) => a.name.localeCompare(b.name))
        .slice(0, query.limit),
    );
  }

  groupMembers(groupId: string): Promise<readonly DirectoryPerson[] | null> {
    const group = this.groups.find((g) => g.id === groupId);
    if (!group) return Promise.resolve(null);
    return Promise.resolve(
      group.memberIds
        .flatMap((id) => {
          const p = this.byId.get(id);
          return p ? [p] : [];
        })
        .sort(byName)
        .slice(0, MAX_GROUP_MEMBERS),
    );
  }
}
