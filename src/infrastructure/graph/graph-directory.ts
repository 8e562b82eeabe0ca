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
import { RectifyError } from '../../domain/errors.js';
import { toGraphRequestError, type GraphConnection } from './graph-client.js';

/**
 * The organisation's directory through Microsoft Graph, with application permissions
 * `User.ReadBasic.All` (people) and `GroupMember.Read.All` (groups and their members), and
 * nothing more:
 *
 * - `GET /users?$search="displayName:w" OR "mail:w"` with `ConsistencyLevel: eventual`, which
 *   `$search` on directory objects needs (https://learn.microsoft.com/graph/aad-advanced-queries);
 * - `$select` of the basic profile only (id, displayName, mail, userPrincipalName): the
 *   properties User.ReadBasic.All reads (https://learn.microsoft.com/graph/permissions-reference).
 *   `userType` is outside it, so a B2B guest is told by the `#EXT#` in its user principal name
 *   (https://learn.microsoft.com/entra/external-id/user-properties);
 * - people by id through `$filter=id in (...)`, at most 15 ids per request (the directory's
 *   limit on `in` expressions), since reading one user by id needs User.Read.All;
 * - `GET /groups/{id}/members/microsoft.graph.user`, following `@odata.nextLink` page by page
 *   (https://learn.microsoft.com/graph/api/group-list-members).
 *
 * Every request is a read, so the connection's retry handler waits out 429 and 503 (their
 * Retry-After) and 504 like for the other Graph adapters.
 */

const USER_SELECT = 'id,displayName,mail,userPrincipalName';
const GROUP_SELECT = 'id,displayName';
const MAX_IN = 15;
const MEMBERS_PAGE = 999;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENTUAL = { ConsistencyLevel: 'eventual' };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A user as Graph returns it, or null for anything that is not one (a deleted object ...). */
export function personOf(json: unknown): DirectoryPerson | null {
  if (!isRecord(json)) return null;
  const id = text(json.id);
  if (!id) return null;
  const upn = text(json.userPrincipalName);
  const guest = upn?.includes('#EXT#') ?? false;
  return {
    id,
    name: text(json.displayName) ?? text(json.mail) ?? upn ?? id,
    email: text(json.mail) ?? (guest ? null : upn),
    guest,
  };
}

/** A `$search` value for directory objects: quoted "property:word" clauses. */
function searchOf(words: readonly string[], properties: readonly string[]): string {
  // The words hold letters and digits only (queryWords), so nothing needs escaping.
  if (words.length === 1) return properties.map((p) => `"${p}:${words[0] ?? ''}"`).join(' OR ');
  return words.map((w) => `"displayName:${w}"`).join(' AND ');
}

export class GraphDirectory implements Directory {
  constructor(private readonly graph: GraphConnection) {}

  async searchPeople(query: PeopleQuery): Promise<readonly DirectoryPerson[]> {
    const words = queryWords(query.q);
    if (words.length === 0) return [];
    const json = await this.get(
      'searching the directory for people',
      `/users?$search=${encodeURIComponent(searchOf(words, ['displayName', 'mail']))}` +
        `&$select=${USER_SELECT}&$top=${query.limit}`,
      EVENTUAL,
    );
    return valuesOf(json)
      .map(personOf)
      .filter((p): p is DirectoryPerson => p !== null && matchesQuery(words, p.name, p.email))
      .sort(byName)
      .slice(0, query.limit);
  }

  async peopleByIds(ids: readonly string[]): Promise<readonly DirectoryPerson[]> {
    // An id that is not an object id cannot be anyone: it never reaches the filter.
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => GUID.test(id));
    const found: DirectoryPerson[] = [];
    for (let i = 0; i < wanted.length; i += MAX_IN) {
      const chunk = wanted.slice(i, i + MAX_IN);
      const filter = `id in (${chunk.map((id) => `'${id}'`).join(',')})`;
      const json = await this.get(
        'reading people from the directory',
        `/users?$filter=${encodeURIComponent(filter)}&$select=${USER_SELECT}&$top=${MAX_IN}`,
      );
      for (const v of valuesOf(json)) {
        const p = personOf(v);
        if (p) found.push(p);
      }
    }
    return found;
  }

  async searchGroups(query: PeopleQuery): Promise<readonly DirectoryGroup[]> {
    const words = queryWords(query.q);
    if (words.length === 0) return [];
    const json = await this.get(
      'searching the directory for groups',
      `/groups?$search=${encodeURIComponent(searchOf(words, ['displayName']))}` +
        `&$select=${GROUP_SELECT}&$top=${query.limit}`,
      EVENTUAL,
    );
    return valuesOf(json)
      .flatMap((g): DirectoryGroup[] => {
        if (!isRecord(g)) return [];
        const id = text(g.id);
        const name = text(g.displayName);
        return id && name && matchesQuery(words, name, null) ? [{ id, name }] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, query.limit);
  }

  async groupMembers(groupId: string): Promise<readonly DirectoryPerson[] | null> {
    if (!GUID.test(groupId)) return null;
    const members: DirectoryPerson[] = [];
    let next: string | null =
      `/groups/${encodeURIComponent(groupId)}/members/microsoft.graph.user` +
      `?$select=${USER_SELECT}&$top=${MEMBERS_PAGE}`;
    while (next !== null && members.length < MAX_GROUP_MEMBERS) {
      let json: unknown;
      try {
        json = await this.get('reading the members of a group', next);
      } catch (e) {
        if (e instanceof RectifyError && e.details.status === 404) return null;
        throw e;
      }
      for (const v of valuesOf(json)) {
        const p = personOf(v);
        if (p) members.push(p);
      }
      next = this.nextLinkOf(json);
    }
    return members.sort(byName).slice(0, MAX_GROUP_MEMBERS);
  }

  /** The next page as a path under our Graph base; never a link that points anywhere else. */
  private nextLinkOf(json: unknown): string | null {
    const link = isRecord(json) ? text(json['@odata.nextLink']) : null;
    if (!link) return null;
    const prefix = `${this.graph.baseUrl}/`;
    if (!link.startsWith(prefix))
      throw new RectifyError(
        'DIRECTORY.UNAVAILABLE',
        {},
        `Graph sent a nextLink outside ${prefix}`,
      );
    return `/${link.slice(prefix.length)}`;
  }

  private async get(
    what: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    try {
      return (await this.graph.client.api(path).headers(headers).get()) as unknown;
    } catch (e) {
      const err = toGraphRequestError(e, what);
      if (!err) throw e;
      throw new RectifyError(
        'DIRECTORY.UNAVAILABLE',
        { status: err.status, code: err.code },
        err.message,
      );
    }
  }
}

const valuesOf = (json: unknown): unknown[] =>
  isRecord(json) && Array.isArray(json.value) ? (json.value as unknown[]) : [];
