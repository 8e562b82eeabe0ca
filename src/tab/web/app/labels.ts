export {
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SOURCE_LABELS,
} from '../../../domain/car/car-labels.js';

export const formatDateTime = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
