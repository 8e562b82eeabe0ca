import type { Car } from '../domain/car/car.js';
import type { CarCommand } from './car-commands.js';
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
 */
export const seesEverything = (p: Principal): boolean =>
  isManagementRepresentative(p) || isCommitteeMember(p);

export function canView(p: Principal, car: Car): boolean {
  return (
    seesEverything(p) ||
    car.isReportedBy(p.id) ||
    car.isConsultee(p.id) ||
    (!car.confidential && car.ownsAction(p.id))
  );
}

export function canExecute(p: Principal, car: Car, command: CarCommand): boolean {
  if (isManagementRepresentative(p)) return true;
  switch (command.op) {
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
      return car.actions.some((a) => a.id === command.actionId && a.owner.id === p.id);
    default:
      return false;
  }
}
