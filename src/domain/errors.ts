/**
 * The error catalogue. Codes are stable: clients, cards and scripts may depend on them.
 * `kind` says what sort of failure it is; the HTTP layer alone maps kinds to status codes.
 */
export const ERROR_CATALOGUE = {
  'CAR.NOT_FOUND': { kind: 'not_found', title: 'No such report or CAR' },
  'CAR.INVALID_TRANSITION': {
    kind: 'invalid_state',
    title: 'That operation is not allowed in the current state',
  },
  'CAR.CONFLICT': { kind: 'conflict', title: 'The CAR was changed by someone else' },
  'CAR.PRECONDITION_REQUIRED': {
    kind: 'precondition_required',
    title: 'Send the ETag of the version you changed in If-Match',
  },
  'CAR.LOCKED': { kind: 'invalid_state', title: 'A closed CAR is locked; reopen it first' },
  'CAR.ROOT_CAUSE_MISSING': {
    kind: 'invalid_state',
    title: 'The root cause, cause category and similar-nonconformity check are needed first',
  },
  'CAR.NO_ACTIONS': { kind: 'invalid_state', title: 'The CAR has no open or done action' },
  'CAR.OPEN_ACTIONS': {
    kind: 'invalid_state',
    title: 'Effectiveness cannot be verified while an action is open',
  },
  'CAR.NOT_VERIFIED_EFFECTIVE': {
    kind: 'invalid_state',
    title: 'The CAR can close only after its actions were verified effective',
  },
  'CAR.VERIFIER_IS_OWNER': {
    kind: 'invalid_state',
    title:
      'The effectiveness verifier must not own any of the actions; a committee member who owns none may verify',
  },
  'CAR.MERGE_TARGET_INVALID': {
    kind: 'invalid_state',
    title: 'A report can only be merged into another recorded, open CAR',
  },
  'CAR.NOT_A_CONSULTEE': {
    kind: 'forbidden',
    title: 'Only the people consulted on the investigation may answer it',
  },
  'CAR.INTEGRITY_FAILED': {
    kind: 'internal',
    title:
      'This record failed its integrity check: it was changed outside Rectify and is not served until it is restored',
  },
  'CAR.NUMBER_INVALID': { kind: 'validation', title: 'A CAR number reads CAR-YYYY-NNNN' },
  'ACTION.NOT_FOUND': { kind: 'not_found', title: 'No such action on this CAR' },
  'ACTION.NOT_OPEN': { kind: 'invalid_state', title: 'The action is no longer open' },
  'ACTION.DUE_DATE_PAST': { kind: 'validation', title: 'A due date cannot be in the past' },
  'ACTION.PROCEDURE_REVISION_MISSING': {
    kind: 'invalid_state',
    title: "A procedure change is done only once the procedure's new revision is recorded",
  },
  'CAR.NO_NEW_ACTION': {
    kind: 'invalid_state',
    title:
      'After a verification found the actions not effective, verification needs a new or reopened action',
  },
  'CAR.MERGE_REASON_MISSING': {
    kind: 'validation',
    title: 'Merging a report needs a reason',
  },
  'PROCEDURE_LINK.NOT_FOUND': { kind: 'not_found', title: 'No such procedure link on this CAR' },
  'PROCEDURE_LINK.ALREADY_REVISED': {
    kind: 'invalid_state',
    title: 'The new revision of this procedure link is already recorded',
  },
  'PROCEDURE.NOT_FOUND': { kind: 'not_found', title: 'No such procedure in the library' },
  'PROCEDURE.REVISION_NOT_FOUND': {
    kind: 'not_found',
    title: 'No such revision of the procedure in the library',
  },
  'PROCEDURE.VERSION_INVALID': {
    kind: 'validation',
    title: 'A procedure revision reads as a version such as 1.1 or 1.1.0',
  },
  'PROCEDURE.REVISION_NOT_HIGHER': {
    kind: 'invalid_state',
    title: 'The new revision must be higher than the revision in force',
  },
  'PROCEDURE.CHANGELOG_MUST_CITE_CAR': {
    kind: 'validation',
    title: "The new revision's change log must cite the CAR number",
  },
  'PROCEDURE.LIBRARY_UNAVAILABLE': {
    kind: 'internal',
    title: 'The procedure library could not be read',
  },
  'CALENDAR.INVALID_DATE': { kind: 'validation', title: 'Dates read YYYY-MM-DD' },
  'MEETING.NOT_FOUND': { kind: 'not_found', title: 'No committee meeting is planned on that date' },
  'MEETING.DONE': {
    kind: 'invalid_state',
    title: 'The meeting is done; its decisions are recorded',
  },
  'MEETING.CONFLICT': { kind: 'conflict', title: 'The meeting was changed by someone else' },
  'REQUEST.VALIDATION': { kind: 'validation', title: 'The request is not valid' },
  'REQUEST.MALFORMED': { kind: 'validation', title: 'The request body is not valid JSON' },
  'REQUEST.TOO_LARGE': { kind: 'too_large', title: 'The request body is too large' },
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': {
    kind: 'unsupported_media_type',
    title: 'Send application/json',
  },
  'ROUTE.NOT_FOUND': { kind: 'not_found', title: 'No such resource' },
  'REQUEST.PATH_INVALID': {
    kind: 'validation',
    title: 'The address is not valid (malformed percent-encoding or a control character)',
  },
  'REQUEST.ACTIVITY_INVALID': { kind: 'validation', title: 'The bot activity is not valid' },
  'IDEMPOTENCY.KEY_REUSED': {
    kind: 'unprocessable',
    title: 'This Idempotency-Key was already used with a different request',
  },
  'IDEMPOTENCY.KEY_INVALID': {
    kind: 'validation',
    title: 'An Idempotency-Key is 1 to 255 visible ASCII characters',
  },
  'AUTH.UNAUTHENTICATED': { kind: 'unauthenticated', title: 'A valid access token is required' },
  'AUTH.FORBIDDEN': { kind: 'forbidden', title: 'You may not do that' },
  'STATE.INVALID': { kind: 'validation', title: 'The shared state record is not valid' },
  'TASK.NOT_FOUND': { kind: 'not_found', title: 'No such task on the board' },
  'TASK.CONFLICT': { kind: 'conflict', title: 'The task was changed by someone else' },
  'TASK.PRECONDITION_REQUIRED': {
    kind: 'precondition_required',
    title: 'Send the ETag of the task you changed in If-Match',
  },
  'TASK_BOARD.FAILED': { kind: 'internal', title: 'The task board did not accept the request' },
  'NOTIFICATION.NOT_FOUND': { kind: 'not_found', title: 'No such notification of yours' },
  'SUBSCRIPTION.NOT_FOUND': { kind: 'not_found', title: 'No such subscription of yours' },
  'SUBSCRIPTION.CALLBACK_INVALID': {
    kind: 'validation',
    title: 'The notification URL must be an absolute https URL',
  },
  'CONFIG.INVALID': { kind: 'internal', title: 'The configuration is not valid' },
  'INTERNAL.UNEXPECTED': { kind: 'internal', title: 'Something went wrong on our side' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type ErrorKind = (typeof ERROR_CATALOGUE)[ErrorCode]['kind'];

/** An expected failure with a stable code. Anything else that is thrown is a bug. */
export class RectifyError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, details: Record<string, unknown> = {}, message?: string) {
    super(message ?? ERROR_CATALOGUE[code].title);
    this.name = 'RectifyError';
    this.code = code;
    this.details = details;
  }

  get kind(): ErrorKind {
    return ERROR_CATALOGUE[this.code].kind;
  }
}

export const isRectifyError = (e: unknown): e is RectifyError => e instanceof RectifyError;
