/** The closed vocabularies of a report and a CAR, as the procedure ISMSP02 and clause 10.2 name them. */

export const REPORT_TYPES = [
  'security_incident', // information-security incident or emergency
  'near_miss', // near miss or weakness
  'isms_breach',
  'policy_nonconformance', // nonconformance to an ISMS policy or procedure
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

export const RELATES_TO = ['procedure', 'equipment', 'personnel'] as const;
export type RelatesTo = (typeof RELATES_TO)[number];

/** How the failure was recognised (the procedure's indicators). */
export const SOURCES = [
  'member_report',
  'trend_analysis',
  'risk_assessment',
  'inspection',
  'internal_audit',
  'external_audit',
  'management_review',
  'other',
] as const;
export type Source = (typeof SOURCES)[number];

export const CLASSIFICATIONS = ['major_nc', 'minor_nc', 'ofi'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CAUSE_CATEGORIES = [
  'people',
  'process',
  'technology',
  'supplier',
  'environment',
  'governance',
  'other',
] as const;
export type CauseCategory = (typeof CAUSE_CATEGORIES)[number];

export const ACTION_KINDS = [
  'correction',
  'corrective',
  'preventive',
  'procedure_change',
  'training',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_STATUSES = ['open', 'done', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
