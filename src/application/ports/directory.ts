import { z } from 'zod';
import type { PersonRef } from '../../domain/identity.js';

/**
 * The organisation's directory: who can be an action owner, a consultee, a trainee or a
 * verifier. Microsoft Entra ID through Graph in production, the sample directory locally.
 * Search results are people (members and B2B guests alike); a group is only ever expanded into
 * its people, never assigned.
 */

export interface DirectoryPerson extends PersonRef {
  /** The mail address, or the user principal name when there is no mailbox; null if neither. */
  readonly email: string | null;
  /** A B2B guest of the tenant (Entra `userType` Guest): may be an owner or a consultee. */
  readonly guest: boolean;
}

export interface DirectoryGroup {
  readonly id: string;
  readonly name: string;
}

export interface Directory {
  /** People whose name or address has a word starting with every word of the query. */
  searchPeople(query: PeopleQuery): Promise<readonly DirectoryPerson[]>;
  /** The people with these ids, in no particular order; unknown ids are left out. */
  peopleByIds(ids: readonly string[]): Promise<readonly DirectoryPerson[]>;
  searchGroups(query: PeopleQuery): Promise<readonly DirectoryGroup[]>;
  /** The people in a group (direct members that are users), every page; null if no such group. */
  groupMembers(groupId: string): Promise<readonly DirectoryPerson[] | null>;
}

/** At most this many results per search: a picker shows a handful, a bot typeahead 15. */
export const MAX_SEARCH_RESULTS = 25;
/** A group expanded into trainees is bounded too, so that one click cannot add thousands. */
export const MAX_GROUP_MEMBERS = 500;

const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What a person typed into a picker: trimmed, 1 to 100 characters, no control characters or
 * lone surrogates. Characters that would change the meaning of a directory query (quotes,
 * backslashes, OData operators) are not refused: each adapter treats the text as words.
 */
export const PeopleQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, 'type at least one character')
    .max(100)
    .refine((s) => !CONTROL.test(s), 'no control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'no lone surrogates')
    .meta({ description: 'Words the name or address starts with', example: 'pri' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SEARCH_RESULTS)
    .default(10)
    .meta({ description: 'How many people to return at most' }),
});
export type PeopleQuery = z.infer<typeof PeopleQuerySchema>;

/**
 * The words a query is made of, for every adapter alike: letters and digits of any script,
 * split at everything else, lower-cased. An empty list matches nobody.
 */
export const queryWords = (q: string): string[] =>
  q
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');

/**
 * The matching rule, for every adapter alike (Graph's `$search` tokenises names and addresses
 * the same way, https://learn.microsoft.com/graph/search-query-parameter): one word matches
 * a word of the name or of the address by its start; several words must each start a word of
 * the name ("pri sh" finds Priya Shah).
 */
export function matchesQuery(
  words: readonly string[],
  name: string,
  email: string | null,
): boolean {
  if (words.length === 0) return false;
  const nameWords = queryWords(name);
  const starts = (tokens: readonly string[], w: string) => tokens.some((t) => t.startsWith(w));
  if (words.length === 1) {
    const w = words[0] ?? '';
    return starts(nameWords, w) || starts(email ? queryWords(email) : [], w);
  }
  return words.every((w) => starts(nameWords, w));
}

/** People sorted as a picker shows them: by name, then id for a stable order. */
export const byName = (a: DirectoryPerson, b: DirectoryPerson): number =>
  a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
