import type {
  ActionKind,
  CauseCategory,
  Classification,
  Severity,
} from '../../../domain/car/car-vocabulary.js';
import type { CarState } from '../../../domain/car/lifecycle.js';

/** The words people read for a CAR's codes (kept apart from the report view's labels). */

export const CLASSIFICATION_LABELS: Record<Classification, string> = {
  major_nc: 'Major NC',
  minor_nc: 'Minor NC',
  ofi: 'Opportunity for improvement',
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

export const CAUSE_LABELS: Record<CauseCategory, string> = {
  people: 'People',
  process: 'Process',
  technology: 'Technology',
  supplier: 'Supplier',
  environment: 'Environment',
  governance: 'Governance',
  other: 'Other',
};

export const ACTION_KIND_LABELS: Record<ActionKind, string> = {
  correction: 'Correction',
  corrective: 'Corrective action',
  preventive: 'Preventive action',
  procedure_change: 'Procedure change',
  training: 'Training',
};

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
