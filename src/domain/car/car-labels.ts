import type {
  ActionKind,
  CauseCategory,
  Classification,
  RelatesTo,
  ReportType,
  Severity,
  Source,
} from './car-vocabulary.js';

/** The words people read for the vocabulary's codes, as the procedure names them. */

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

export const CAUSE_CATEGORY_LABELS: Record<CauseCategory, string> = {
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
