/** A person as Rectify records them: Entra object id plus the display name at the time. */
export interface PersonRef {
  readonly id: string;
  readonly name: string;
}

/** Roles granted by the identity provider (app roles or mapped groups), never by request data. */
export const ROLES = ['mr', 'committee'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in caller, built from a validated access token. Every member is a reporter. */
export interface Principal extends PersonRef {
  readonly tenantId: string;
  readonly roles: ReadonlySet<Role>;
}

export const isManagementRepresentative = (p: Principal): boolean => p.roles.has('mr');
export const isCommitteeMember = (p: Principal): boolean => p.roles.has('committee');
export const toPersonRef = (p: PersonRef): PersonRef => ({ id: p.id, name: p.name });
