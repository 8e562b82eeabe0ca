import type { RelatesTo, ReportType, Source } from '../../../domain/car/car-vocabulary.js';

/** The words people read for the report's codes, as the procedure names them. */

export const REPORT_TYPE_LABELS: Record<ReportType, string> = {
  security_incident: 'Information-security incident or emergency',
  near_miss: 'Near miss or weakness',
  isms_breach: 'ISMS breach',
  policy_nonconformance: 'Nonconformance to an ISMS policy or procedure',
};

export const RELATES_TO_LABELS: Record<RelatesTo, string> = {
  procedure: 'Procedure',
  equipment: 'Equipment',
  personnel: 'Personnel',
};

export const SOURCE_LABELS: Record<Source, string> = {
  member_report: 'Member report',
  trend_analysis: 'Trend analysis of past incidents',
  risk_assessment: 'Risk-assessment update',
  inspection: 'Inspection report',
  internal_audit: 'Internal audit',
  external_audit: 'External audit',
  management_review: 'Management review',
  other: 'Other',
};

export const formatDateTime = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
