import type { ActionKind, Classification } from '../car/car-vocabulary.js';

/**
 * Service levels in working days. Defaults come from the internal-audit procedure:
 * corrective and preventive actions 14 working days for Major and Minor NC, 30 for an OFI,
 * effectiveness review 30 working days after the last action is done.
 */
export interface ServiceLevels {
  readonly actionDays: Readonly<Record<Classification, Readonly<Record<ActionKind, number>>>>;
  readonly effectivenessReviewDays: number;
}

const allKinds = (days: number): Record<ActionKind, number> => ({
  correction: days,
  corrective: days,
  preventive: days,
  procedure_change: days,
  training: days,
});

export const DEFAULT_SERVICE_LEVELS: ServiceLevels = {
  actionDays: { major_nc: allKinds(14), minor_nc: allKinds(14), ofi: allKinds(30) },
  effectivenessReviewDays: 30,
};

export const serviceLevelsWith = (days: {
  majorNc: number;
  minorNc: number;
  ofi: number;
  effectivenessReview: number;
}): ServiceLevels => ({
  actionDays: {
    major_nc: allKinds(days.majorNc),
    minor_nc: allKinds(days.minorNc),
    ofi: allKinds(days.ofi),
  },
  effectivenessReviewDays: days.effectivenessReview,
});
