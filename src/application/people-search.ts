import { RectifyError } from '../domain/errors.js';
import type { Principal } from '../domain/identity.js';
import { directoryServes, mayPickPeople } from './access-policy.js';
import {
  PeopleQuerySchema,
  type Directory,
  type DirectoryGroup,
  type DirectoryPerson,
  type PeopleQuery,
} from './ports/directory.js';

/**
 * Choosing people for a CAR, for the tab's picker and the bot's typeahead alike: who may
 * search, and what a search may ask. Raw input is parsed here, once.
 */
export class PeopleSearch {
  /** `tenantId`: the tenant whose directory this is; none: Rectify serves one tenant only. */
  constructor(
    private readonly directory: Directory,
    private readonly tenantId?: string,
  ) {}

  /** The query as typed, parsed; a REQUEST.VALIDATION error for what cannot be a query. */
  static parse(input: unknown): PeopleQuery {
    const parsed = PeopleQuerySchema.safeParse(input);
    if (!parsed.success)
      throw new RectifyError('REQUEST.VALIDATION', {
        in: 'query',
        errors: parsed.error.issues.map((i) => ({
          field: i.path.join('.'),
          message: i.message,
        })),
      });
    return parsed.data;
  }

  async people(p: Principal, query: PeopleQuery): Promise<readonly DirectoryPerson[]> {
    this.allow(p);
    return this.directory.searchPeople(query);
  }

  async groups(p: Principal, query: PeopleQuery): Promise<readonly DirectoryGroup[]> {
    this.allow(p);
    return this.directory.searchGroups(query);
  }

  async members(p: Principal, groupId: string): Promise<readonly DirectoryPerson[]> {
    this.allow(p);
    const members = await this.directory.groupMembers(groupId);
    if (!members) throw new RectifyError('DIRECTORY.GROUP_NOT_FOUND');
    return members;
  }

  /**
   * The people picked on a card or a form, by id, with their directory names. An id the
   * directory does not know keeps the name given with it, or the id itself. Someone of
   * another tenant finds nobody here.
   */
  async resolve(
    p: Principal,
    ids: readonly string[],
  ): Promise<ReadonlyMap<string, DirectoryPerson>> {
    if (!directoryServes(p, this.tenantId)) return new Map();
    const found = await this.directory.peopleByIds(ids);
    return new Map(found.map((p) => [p.id, p]));
  }

  private allow(p: Principal): void {
    if (!mayPickPeople(p) || !directoryServes(p, this.tenantId))
      throw new RectifyError('AUTH.FORBIDDEN');
  }
}
