import type { Car } from '../domain/car/car.js';
import type { CarCommand, CarCommandName } from './car-commands.js';
import {
  isCommitteeMember,
  isManagementRepresentative,
  isTaskBoardPrincipal,
  type Principal,
} from '../domain/identity.js';

/**
 * Who may see and do what. Reporters see their own reports; confidential reports are for the
 * MR and the committee (and their reporter); action owners see the CARs they act on; the MR
 * acts on all; the committee reads all, records reviews and is the designated verifier of
 * effectiveness (for the CARs where the MR owns an action). The people the MR consults on the
 * investigation read the CAR, confidential or not (the MR chose them), and answer it.
 * Who is involved in a CAR is the domain's rule (`Car.involves`), which both stores also run.
 */
/**
 * Tenants: each CAR belongs to the tenant of its reporter and is seen and changed by that
 * tenant's members only, whatever roles they hold there (a tenant's administrator assigns its
 * own roles). Records stored before tenants were recorded belong to the home tenant, the first
 * allowed one (to any caller where no home tenant is configured: tools and single-tenant tests). This is checked before any other rule: another tenant's CAR does not exist.
 */
export const tenantScopeOf = (p: Principal, homeTenantId: string | undefined): readonly string[] =>
  homeTenantId === undefined || p.tenantId === homeTenantId ? [p.tenantId, ''] : [p.tenantId];

export const belongsToTenantOf = (
  p: Principal,
  car: Car,
  homeTenantId: string | undefined,
): boolean => tenantScopeOf(p, homeTenantId).includes(car.tenantId);

export const seesEverything = (p: Principal): boolean =>
  isManagementRepresentative(p) || isCommitteeMember(p);

export function canView(p: Principal, car: Car): boolean {
  return seesEverything(p) || car.involves(p.id);
}

/** What a command is aimed at inside the CAR, where it aims at one action. */
export interface CommandTarget {
  readonly actionId?: string | undefined;
}

/** Whether this person may run this kind of command on this CAR (the lifecycle aside). */
export function mayRun(
  p: Principal,
  car: Car,
  name: CarCommandName,
  target: CommandTarget = {},
): boolean {
  if (isManagementRepresentative(p)) return true;
  switch (name) {
    case 'addCommitteeReview':
      return isCommitteeMember(p);
    case 'verifyEffectiveness':
      // The designated verifier (the committee) may verify when the MR owns an action; the
      // domain still refuses anyone who owns an action of the CAR (CAR.VERIFIER_IS_OWNER).
      return isCommitteeMember(p);
    case 'addConsulteeInput':
      return car.isConsultee(p.id);
    case 'completeAction':
      // The task board principal reports a task ticked done on the board by its assignee.
      if (isTaskBoardPrincipal(p)) return true;
      return car.actions.some((a) => a.id === target.actionId && a.owner.id === p.id);
    default:
      return false;
  }
}

export function canExecute(p: Principal, car: Car, command: CarCommand): boolean {
  return mayRun(p, car, command.op, 'actionId' in command ? { actionId: command.actionId } : {});
}
