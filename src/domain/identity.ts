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

/**
 * Rectify itself acting for the task board (Planner or the local board) when a task was ticked
 * done there. Its id is not an Entra object id, so no access token can carry it; it may only
 * complete actions. The name says where it came from and who completed the task.
 */
export const TASK_BOARD_PRINCIPAL_ID = 'rectify:task-board';

export const taskBoardPrincipal = (input: {
  readonly tenantId: string;
  readonly boardName: string;
  readonly completedBy: string;
}): Principal => ({
  id: TASK_BOARD_PRINCIPAL_ID,
  name: `${input.boardName}, completed by ${input.completedBy}`,
  tenantId: input.tenantId,
  roles: new Set<Role>(),
});

export const isTaskBoardPrincipal = (p: Principal): boolean =>
  p.id === TASK_BOARD_PRINCIPAL_ID && p.roles.size === 0;
