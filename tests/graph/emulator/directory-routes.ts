import { randomUUID } from 'node:crypto';
import { SAMPLE_GROUPS, SAMPLE_PEOPLE } from '../../../src/infrastructure/auth/sample-people.js';

/**
 * Microsoft Entra ID users and groups in the Graph emulator, as far as Rectify's directory
 * needs them, each rule after Microsoft's documents:
 *
 * - `GET /users` and `GET /groups` (https://learn.microsoft.com/graph/api/user-list,
 *   https://learn.microsoft.com/graph/api/group-list) with `$select`, `$top` (1 to 999) and
 *   `@odata.nextLink` paging (100 per page by default, https://learn.microsoft.com/graph/paging).
 * - `$search` only with the `ConsistencyLevel: eventual` header, else 400
 *   (https://learn.microsoft.com/graph/aad-advanced-queries); its value is quoted
 *   "property:text" clauses joined by AND or OR (https://learn.microsoft.com/graph/search-query-parameter),
 *   matched on the start of words (names and addresses are split into words at spaces,
 *   symbols and case changes). Stricter than Graph: AND and OR are not mixed, and an unquoted
 *   or unknown property is refused.
 * - `$filter` only as `id eq '…'` or `id in ('…', …)` with at most 15 values (the directory's
 *   limit on `in`); anything else is 400 here (stricter than Graph, which supports more).
 * - Application permissions (https://learn.microsoft.com/graph/permissions-reference):
 *   `User.ReadBasic.All` reads the basic profile only (id, displayName, givenName, surname,
 *   mail, userPrincipalName); `$select` of anything else, or `GET /users/{id}`, needs
 *   `User.Read.All` and is refused 403 without it (stricter: Graph may return the rest empty).
 *   `/groups` needs `GroupMember.Read.All` (or `Group.Read.All`).
 * - `GET /groups/{id}/members` and the cast `/members/microsoft.graph.user`
 *   (https://learn.microsoft.com/graph/api/group-list-members): directory objects with their
 *   `@odata.type`; 404 `Request_ResourceNotFound` for an unknown group.
 *
 * Registered by the emulator next to its other routes, so its faults, latency, authorization
 * and request log apply here too.
 */

export interface DirectoryRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DirectoryResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface EmulatedUser {
  readonly id: string;
  readonly displayName: string;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly mail: string | null;
  readonly userPrincipalName: string;
  readonly jobTitle: string | null;
  readonly userType: 'Member' | 'Guest';
}

export interface EmulatedGroup {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  /** Users and nested groups, by id. */
  readonly memberIds: string[];
}

/** The user properties of the Graph v1.0 metadata (CSDL entity type `user` and `directoryObject`). */
const USER_PROPERTIES = new Set(
  (
    'id,deletedDateTime,aboutMe,accountEnabled,ageGroup,assignedLicenses,assignedPlans,' +
    'authorizationInfo,birthday,businessPhones,city,companyName,consentProvidedForMinor,country,' +
    'createdDateTime,creationType,customSecurityAttributes,department,deviceEnrollmentLimit,' +
    'displayName,employeeHireDate,employeeId,employeeLeaveDateTime,employeeOrgData,employeeType,' +
    'externalUserState,externalUserStateChangeDateTime,faxNumber,givenName,hireDate,identities,' +
    'imAddresses,interests,isManagementRestricted,isResourceAccount,jobTitle,' +
    'lastPasswordChangeDateTime,legalAgeGroupClassification,licenseAssignmentStates,mail,' +
    'mailboxSettings,mailNickname,mobilePhone,mySite,officeLocation,onPremisesDistinguishedName,' +
    'onPremisesDomainName,onPremisesExtensionAttributes,onPremisesImmutableId,' +
    'onPremisesLastSyncDateTime,onPremisesProvisioningErrors,onPremisesSamAccountName,' +
    'onPremisesSecurityIdentifier,onPremisesSyncEnabled,onPremisesUserPrincipalName,otherMails,' +
    'passwordPolicies,passwordProfile,pastProjects,postalCode,preferredDataLocation,' +
    'preferredLanguage,preferredName,print,provisionedPlans,proxyAddresses,responsibilities,' +
    'schools,securityIdentifier,serviceProvisioningErrors,showInAddressList,signInActivity,' +
    'signInSessionsValidFromDateTime,skills,state,streetAddress,surname,usageLocation,' +
    'userPrincipalName,userType'
  ).split(','),
);
const GROUP_PROPERTIES = new Set(
  'id,displayName,description,mail,mailNickname,groupTypes,securityEnabled,mailEnabled,visibility,createdDateTime'.split(
    ',',
  ),
);
const BASIC_USER_PROPERTIES = new Set([
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
]);
/** Returned when no `$select` is given (user resource, "default properties"). */
const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const SEARCHABLE_USER = new Set([
  'displayName',
  'mail',
  'userPrincipalName',
  'givenName',
  'surname',
  'mailNickname',
]);
const SEARCHABLE_GROUP = new Set(['displayName', 'description', 'mail', 'mailNickname']);
const DEFAULT_PAGE = 100;
const MAX_TOP = 999;
const MAX_IN = 15;

export type DirectoryPermission =
  'User.ReadBasic.All' | 'User.Read.All' | 'GroupMember.Read.All' | 'Group.Read.All';

export class EmulatedDirectory {
  readonly users: EmulatedUser[] = [];
  readonly groups: EmulatedGroup[] = [];
  /** The application permissions the app was granted; the least Rectify asks for by default. */
  readonly granted = new Set<DirectoryPermission>(['User.ReadBasic.All', 'GroupMember.Read.All']);
  /**
   * The most a page holds whatever `$top` asks: Graph may answer with fewer items than asked
   * and a nextLink (server-side paging, https://learn.microsoft.com/graph/paging).
   */
  maxPageSize = MAX_TOP;

  addUser(user: Partial<EmulatedUser> & { displayName: string }): EmulatedUser {
    const nick = user.displayName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.|\.$/g, '');
    const u: EmulatedUser = {
      id: user.id ?? randomUUID(),
      displayName: user.displayName,
      givenName: user.givenName ?? null,
      surname: user.surname ?? null,
      mail: user.mail === undefined ? `${nick || 'user'}@contoso.example` : user.mail,
      userPrincipalName: user.userPrincipalName ?? `${nick || 'user'}@contoso.onmicrosoft.com`,
      jobTitle: user.jobTitle ?? null,
      userType: user.userType ?? 'Member',
    };
    this.users.push(u);
    return u;
  }

  /** A B2B guest as invitation makes one: `#EXT#` in the user principal name, userType Guest. */
  addGuest(displayName: string, mail: string, id?: string): EmulatedUser {
    return this.addUser({
      ...(id ? { id } : {}),
      displayName,
      mail,
      userPrincipalName: `${mail.replace('@', '_')}#EXT#@contoso.onmicrosoft.com`,
      userType: 'Guest',
    });
  }

  addGroup(displayName: string, memberIds: readonly string[] = [], id?: string): EmulatedGroup {
    const g: EmulatedGroup = {
      id: id ?? randomUUID(),
      displayName,
      description: null,
      memberIds: [...memberIds],
    };
    this.groups.push(g);
    return g;
  }
}

const directories = new WeakMap<object, EmulatedDirectory>();

/** The users and groups of one emulator. */
export function directoryOf(emulator: object): EmulatedDirectory {
  let d = directories.get(emulator);
  if (!d) {
    d = new EmulatedDirectory();
    directories.set(emulator, d);
  }
  return d;
}

const USERS = /^\/users(?:\/([^/]+))?$/;
const GROUPS = /^\/groups(?:\/([^/]+)(\/members(?:\/microsoft\.graph\.(user|group))?)?)?$/;

export const isDirectoryRequest = (request: DirectoryRequest): boolean =>
  USERS.test(request.path) || GROUPS.test(request.path);

const error = (status: number, code: string, message: string): DirectoryResponse => ({
  status,
  headers: {},
  body: {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
    },
  },
});

class DirectoryError extends Error {
  constructor(readonly response: DirectoryResponse) {
    super('directory error');
  }
}

const fail = (status: number, code: string, message: string): never => {
  throw new DirectoryError(error(status, code, message));
};

/** Words of a value: split at anything not a letter or digit, and where lower case meets upper. */
function wordsOf(value: string): string[] {
  return value
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

interface SearchClause {
  readonly property: string;
  readonly words: readonly string[];
}

function parseSearch(
  value: string,
  searchable: ReadonlySet<string>,
): { readonly clauses: SearchClause[]; readonly op: 'AND' | 'OR' } {
  const clauses: SearchClause[] = [];
  const ops = new Set<string>();
  const re = /\s*"([^"\\]*)"\s*(?:(AND|OR)\s*|$)/y;
  let at = 0;
  while (at < value.length) {
    re.lastIndex = at;
    const m = re.exec(value);
    if (!m)
      return fail(400, 'Request_UnsupportedQuery', `Syntax error in $search at ${at}: ${value}`);
    const [, clause = '', op] = m;
    const colon = clause.indexOf(':');
    if (colon <= 0)
      return fail(
        400,
        'Request_UnsupportedQuery',
        `$search clause must read "property:text": ${clause}`,
      );
    const property = clause.slice(0, colon);
    if (!searchable.has(property))
      return fail(
        400,
        'Request_UnsupportedQuery',
        `Property '${property}' does not support $search`,
      );
    clauses.push({ property, words: wordsOf(clause.slice(colon + 1)) });
    if (op) ops.add(op);
    at = re.lastIndex;
    if (!op && at < value.length) fail(400, 'Request_UnsupportedQuery', 'Syntax error in $search');
  }
  if (clauses.length === 0) fail(400, 'Request_UnsupportedQuery', '$search is empty');
  if (ops.size > 1) fail(400, 'Request_UnsupportedQuery', 'AND and OR cannot be mixed here');
  return { clauses, op: ops.has('AND') ? 'AND' : 'OR' };
}

function searchMatches(
  parsed: { readonly clauses: readonly SearchClause[]; readonly op: 'AND' | 'OR' },
  record: Readonly<Record<string, unknown>>,
): boolean {
  const one = (c: SearchClause): boolean => {
    const v = record[c.property];
    if (typeof v !== 'string' || c.words.length === 0) return false;
    const tokens = wordsOf(v);
    return c.words.every((w) => tokens.some((t) => t.startsWith(w)));
  };
  return parsed.op === 'AND' ? parsed.clauses.every(one) : parsed.clauses.some(one);
}

function parseIdFilter(filter: string): ReadonlySet<string> {
  const eq = /^\s*id\s+eq\s+'([^']*)'\s*$/.exec(filter);
  if (eq) return new Set([(eq[1] ?? '').toLowerCase()]);
  const inList = /^\s*id\s+in\s+\(\s*('[^']*'(?:\s*,\s*'[^']*')*)\s*\)\s*$/.exec(filter);
  if (!inList)
    return fail(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause: ${filter}`,
    );
  const ids = [...(inList[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => (m[1] ?? '').toLowerCase());
  if (ids.length > MAX_IN)
    fail(
      400,
      'Request_UnsupportedQuery',
      `Too many values in the 'in' operator (at most ${MAX_IN})`,
    );
  return new Set(ids);
}

function topOf(query: URLSearchParams): number {
  const raw = query.get('$top');
  if (raw === null) return DEFAULT_PAGE;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
    fail(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_TOP} inclusive.`,
    );
  return top;
}

function selectOf(query: URLSearchParams, known: ReadonlySet<string>): string[] | null {
  const raw = query.get('$select');
  if (raw === null) return null;
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names)
    if (!known.has(n))
      fail(
        400,
        'Request_BadRequest',
        `Could not find a property named '${n}' on type 'microsoft.graph.${known === USER_PROPERTIES ? 'user' : 'group'}'.`,
      );
  return names;
}

export function serveDirectory(
  emulator: object & { readonly url: string },
  request: DirectoryRequest,
): DirectoryResponse {
  try {
    if (request.method !== 'GET')
      return error(
        405,
        'Request_BadRequest',
        `${request.method} is not supported on ${request.path}`,
      );
    const dir = directoryOf(emulator);
    const users = USERS.exec(request.path);
    if (users) return serveUsers(emulator.url, dir, request, users[1]);
    const groups = GROUPS.exec(request.path);
    if (groups) return serveGroups(emulator.url, dir, request, groups[1], groups[2], groups[3]);
    return error(400, 'Request_BadRequest', 'Resource not found for the segment');
  } catch (e) {
    if (e instanceof DirectoryError) return e.response;
    throw e;
  }
}

const canReadFullProfile = (dir: EmulatedDirectory): boolean => dir.granted.has('User.Read.All');
const canReadUsers = (dir: EmulatedDirectory): boolean =>
  dir.granted.has('User.ReadBasic.All') || canReadFullProfile(dir);
const denied = (): never =>
  fail(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

function userJson(
  dir: EmulatedDirectory,
  u: EmulatedUser,
  select: readonly string[] | null,
): Record<string, unknown> {
  const full = canReadFullProfile(dir);
  if (select && !full && select.some((p) => !BASIC_USER_PROPERTIES.has(p))) denied();
  const wanted =
    select ?? DEFAULT_USER_PROPERTIES.filter((p) => full || BASIC_USER_PROPERTIES.has(p));
  const record = u as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const p of wanted) out[p] = record[p] ?? null;
  return out;
}

function page(
  dir: EmulatedDirectory,
  url: string,
  path: string,
  query: URLSearchParams,
  all: readonly Record<string, unknown>[],
  context: string,
): DirectoryResponse {
  const top = Math.min(topOf(query), dir.maxPageSize);
  const token = query.get('$skiptoken');
  const skip = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(skip) || skip < 0) fail(400, 'Request_BadRequest', 'Invalid $skiptoken');
  const body: Record<string, unknown> = {
    '@odata.context': `${url}/$metadata#${context}`,
    value: all.slice(skip, skip + top),
  };
  if (query.get('$count') === 'true') body['@odata.count'] = all.length;
  if (skip + top < all.length) {
    const next = new URLSearchParams(query);
    next.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    body['@odata.nextLink'] = `${url}${path}?${next.toString()}`;
  }
  return { status: 200, headers: {}, body };
}

function needsEventual(request: DirectoryRequest): void {
  if (request.query.has('$search') && request.headers.consistencylevel !== 'eventual')
    fail(
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
}

function serveUsers(
  url: string,
  dir: EmulatedDirectory,
  request: DirectoryRequest,
  id: string | undefined,
): DirectoryResponse {
  if (!canReadUsers(dir)) denied();
  const select = selectOf(request.query, USER_PROPERTIES);
  if (id !== undefined) {
    // Reading one user by id takes User.Read.All for an application.
    if (!canReadFullProfile(dir)) denied();
    const u = dir.users.find((x) => x.id === decodeURIComponent(id).toLowerCase());
    if (!u)
      return error(
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    return { status: 200, headers: {}, body: userJson(dir, u, select) };
  }
  needsEventual(request);
  const search = request.query.get('$search');
  const parsed = search === null ? null : parseSearch(search, SEARCHABLE_USER);
  const filter = request.query.get('$filter');
  const ids = filter === null ? null : parseIdFilter(filter);
  const found = dir.users.filter(
    (u) =>
      (ids === null || ids.has(u.id.toLowerCase())) &&
      (parsed === null || searchMatches(parsed, u as unknown as Record<string, unknown>)),
  );
  return page(
    dir,
    url,
    '/users',
    request.query,
    found.map((u) => userJson(dir, u, select)),
    'users',
  );
}

function serveGroups(
  url: string,
  dir: EmulatedDirectory,
  request: DirectoryRequest,
  id: string | undefined,
  members: string | undefined,
  cast: string | undefined,
): DirectoryResponse {
  if (!dir.granted.has('GroupMember.Read.All') && !dir.granted.has('Group.Read.All')) denied();
  if (id === undefined) {
    needsEventual(request);
    const select = selectOf(request.query, GROUP_PROPERTIES);
    const search = request.query.get('$search');
    const parsed = search === null ? null : parseSearch(search, SEARCHABLE_GROUP);
    const found = dir.groups.filter(
      (g) => parsed === null || searchMatches(parsed, g as unknown as Record<string, unknown>),
    );
    return page(
      dir,
      url,
      '/groups',
      request.query,
      found.map((g) => groupJson(g, select)),
      'groups',
    );
  }
  const group = dir.groups.find((g) => g.id === decodeURIComponent(id).toLowerCase());
  if (!group)
    return error(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  if (!members)
    return {
      status: 200,
      headers: {},
      body: groupJson(group, selectOf(request.query, GROUP_PROPERTIES)),
    };
  needsEventual(request);
  const select =
    cast === 'group'
      ? selectOf(request.query, GROUP_PROPERTIES)
      : selectOf(request.query, USER_PROPERTIES);
  const objects: Record<string, unknown>[] = [];
  for (const memberId of group.memberIds) {
    const u = dir.users.find((x) => x.id === memberId);
    if (u && cast !== 'group') {
      if (!canReadUsers(dir)) denied();
      objects.push(
        cast
          ? userJson(dir, u, select)
          : { '@odata.type': '#microsoft.graph.user', ...userJson(dir, u, select) },
      );
      continue;
    }
    const g = dir.groups.find((x) => x.id === memberId);
    if (g && cast !== 'user')
      objects.push(
        cast
          ? groupJson(g, select)
          : { '@odata.type': '#microsoft.graph.group', ...groupJson(g, null) },
      );
  }
  return page(dir, url, request.path, request.query, objects, 'directoryObjects');
}

function groupJson(g: EmulatedGroup, select: readonly string[] | null): Record<string, unknown> {
  const record = g as unknown as Record<string, unknown>;
  const wanted = select ?? ['id', 'displayName', 'description'];
  const out: Record<string, unknown> = {};
  for (const p of wanted) out[p] = record[p] ?? null;
  return out;
}

/**
 * Enters the sample people and groups as the tenant's Entra users and groups (guests as B2B
 * guests), with a group nested in the first group: expanding a group yields only people.
 */
export function seedSampleDirectory(emulator: object): EmulatedDirectory {
  const dir = directoryOf(emulator);
  for (const p of SAMPLE_PEOPLE)
    if (p.guest) dir.addGuest(p.name, p.email, p.id);
    else dir.addUser({ id: p.id, displayName: p.name, mail: p.email, jobTitle: p.jobTitle });
  for (const g of SAMPLE_GROUPS) dir.addGroup(g.name, g.memberIds, g.id);
  const [first, second] = dir.groups;
  if (first && second) first.memberIds.push(second.id);
  return dir;
}
