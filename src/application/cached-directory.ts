import type { Clock } from './ports/clock.js';
import {
  queryWords,
  type Directory,
  type DirectoryGroup,
  type DirectoryPerson,
  type PeopleQuery,
} from './ports/directory.js';

interface Cached<T> {
  readonly until: number;
  readonly value: Promise<T>;
}

/**
 * A directory answered from memory for a short while (default 60 s): a picker asks on every
 * keystroke, a card's typeahead on every character, and Graph counts each request. Failed
 * answers are not kept. Entries are bounded; the oldest go first.
 */
export class CachedDirectory implements Directory {
  private readonly entries = new Map<string, Cached<unknown>>();

  constructor(
    private readonly inner: Directory,
    private readonly clock: Clock,
    private readonly options: { readonly ttlMs?: number; readonly maxEntries?: number } = {},
  ) {}

  searchPeople(query: PeopleQuery): Promise<readonly DirectoryPerson[]> {
    return this.cached(`p:${query.limit}:${queryWords(query.q).join(' ')}`, () =>
      this.inner.searchPeople(query),
    );
  }

  async peopleByIds(ids: readonly string[]): Promise<readonly DirectoryPerson[]> {
    const unique = [...new Set(ids)].sort();
    if (unique.length === 0) return [];
    return this.cached(`i:${unique.join(',')}`, () => this.inner.peopleByIds(unique));
  }

  searchGroups(query: PeopleQuery): Promise<readonly DirectoryGroup[]> {
    return this.cached(`g:${query.limit}:${queryWords(query.q).join(' ')}`, () =>
      this.inner.searchGroups(query),
    );
  }

  groupMembers(groupId: string): Promise<readonly DirectoryPerson[] | null> {
    return this.cached(`m:${groupId}`, () => this.inner.groupMembers(groupId));
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { until: now + (this.options.ttlMs ?? 60_000), value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    const max = this.options.maxEntries ?? 1000;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
