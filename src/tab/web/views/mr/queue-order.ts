import type { Car } from '../../api/types.js';

/** New reports first (oldest first: they wait longest), then by what is due soonest. */
export const queueOrder = (a: Car, b: Car): number => {
  const aNew = a.state === 'reported' ? 0 : 1;
  const bNew = b.state === 'reported' ? 0 : 1;
  if (aNew !== bNew) return aNew - bNew;
  if (aNew === 0) return a.reportedAt.localeCompare(b.reportedAt);
  const ad = a.nextDueDate ?? '9999-12-31';
  const bd = b.nextDueDate ?? '9999-12-31';
  return ad === bd ? a.reportedAt.localeCompare(b.reportedAt) : ad.localeCompare(bd);
};
