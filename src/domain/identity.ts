/** A person as Rectify records them: Entra object id plus the display name at the time. */
export interface PersonRef {
  readonly id: string;
  readonly name: string;
}

/** Roles granted by the identity provider (app roles or mapped groups), never by request data. */
export const ROLES = ['mr', 'committee'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Marks a principal that Rectify made for itself. A symbol cannot travel in a token, a card or
 * an activity, so only code in this process can set it.
 */
const SYSTEM_ACTOR: unique symbol = Symbol('rectify.systemActor');

/** The internal actors that act through the use cases: the task board reporting a ticked task. */
export type SystemActor = 'task-board';

/** The signed-in caller, built from a validated access token. Every member is a reporter. */
export interface Principal extends PersonRef {
  readonly tenantId: string;
  readonly roles: ReadonlySet<Role>;
  /** Only for principals made inside the process by `taskBoardPrincipal`. */
  readonly [SYSTEM_ACTOR]?: SystemActor;
}

export const isManagementRepresentative = (p: Principal): boolean => p.roles.has('mr');
export const isCommitteeMember = (p: Principal): boolean => p.roles.has('committee');
export const toPersonRef = (p: PersonRef): PersonRef => ({ id: p.id, name: p.name });

/** Entra object ids (`oid`, `aadObjectId`) are GUIDs; anything else is refused where it enters. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isEntraObjectId = (id: string): boolean => GUID.test(id);

/**
 * Rectify itself acting for the task board (Planner or the local board) when a task was ticked
 * done there, in the tenant of the CAR. Its id is recorded in the audit trail; what makes it the
 * task board is the in-process mark, never the id: a token or activity carrying this id as its
 * object id is refused (not a GUID) and would hold no mark anyway. It may only complete actions.
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
  [SYSTEM_ACTOR]: 'task-board',
});

export const isTaskBoardPrincipal = (p: Principal): boolean =>
  p[SYSTEM_ACTOR] === 'task-board' && p.roles.size === 0;
