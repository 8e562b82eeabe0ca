import type { CarState } from '../../domain/car/lifecycle.js';

export {
  ACTION_KIND_LABELS,
  CAUSE_CATEGORY_LABELS,
  CLASSIFICATION_LABELS,
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SEVERITY_LABELS,
  SOURCE_LABELS,
} from '../../domain/car/car-labels.js';

export const STATE_LABELS: Record<CarState, string> = {
  reported: 'Reported, waiting for triage',
  recorded: 'Recorded as a CAR',
  rejected: 'Rejected: no CAR needed',
  merged: 'Merged into another CAR',
  investigating: 'Investigating the root cause',
  action_planned: 'Actions planned',
  implementing: 'Implementing the actions',
  verifying: 'Verifying effectiveness',
  closed: 'Closed',
};

export const choicesOf = <K extends string>(labels: Record<K, string>) =>
  (Object.entries(labels) as [K, string][]).map(([value, title]) => ({ value, title }));
