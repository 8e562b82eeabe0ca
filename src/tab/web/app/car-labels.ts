import type { CarState } from '../../../domain/car/lifecycle.js';

export {
  ACTION_KIND_LABELS,
  CAUSE_CATEGORY_LABELS as CAUSE_LABELS,
  CLASSIFICATION_LABELS,
  SEVERITY_LABELS,
} from '../../../domain/car/car-labels.js';

/** The words people read for a CAR's states (short; the bot's cards say more). */

export const STATE_LABELS: Record<CarState, string> = {
  reported: 'Reported',
  recorded: 'Recorded',
  rejected: 'Rejected',
  merged: 'Merged',
  investigating: 'Investigating',
  action_planned: 'Action planned',
  implementing: 'Implementing',
  verifying: 'Verifying effectiveness',
  closed: 'Closed',
};

/** What happens next and who holds it, as the reporter and the MR read it. */
export function nextStep(state: CarState): { step: string; holder: string } {
  switch (state) {
    case 'reported':
      return { step: 'The MR decides whether it needs a CAR', holder: 'Management Representative' };
    case 'recorded':
      return { step: 'The investigation starts', holder: 'Management Representative' };
    case 'investigating':
      return {
        step: 'Root cause and actions are worked out',
        holder: 'Management Representative',
      };
    case 'action_planned':
      return { step: 'The actions are started', holder: 'Management Representative' };
    case 'implementing':
      return { step: 'The actions are carried out', holder: 'Action owners' };
    case 'verifying':
      return { step: 'Effectiveness is verified', holder: 'Management Representative' };
    case 'closed':
      return { step: 'Nothing: the CAR is closed', holder: 'No one' };
    case 'rejected':
      return { step: 'Nothing: no CAR was needed', holder: 'No one' };
    case 'merged':
      return {
        step: 'Followed in the CAR it was merged into',
        holder: 'Management Representative',
      };
  }
}
