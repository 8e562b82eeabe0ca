import type { CarCommandName } from '../application/car-commands.js';

/** Where each lifecycle operation lives in the REST API. Path parameters join the body. */
export interface OperationRoute {
  readonly method: 'post' | 'patch';
  readonly path: string;
  readonly pathParams: readonly ('actionId' | 'linkId')[];
  readonly summary: string;
}

const post = (path: string, summary: string): OperationRoute => ({
  method: 'post',
  path,
  pathParams: [...path.matchAll(/:(\w+)/g)].map((m) => m[1] as 'actionId' | 'linkId'),
  summary,
});
const patch = (path: string, summary: string): OperationRoute => ({
  ...post(path, summary),
  method: 'patch',
});

export const OPERATION_ROUTES: Record<CarCommandName, OperationRoute> = {
  record: post('/record', 'Record as a CAR and classify'),
  reject: post('/reject', 'Reject: no CAR needed'),
  merge: post('/merge', 'Merge into an existing CAR'),
  reclassify: post('/reclassify', 'Change classification or severity'),
  recordContainment: post('/containment', 'Record containment and correction'),
  startInvestigation: post('/start-investigation', 'Start the investigation'),
  updateInvestigation: patch(
    '/investigation',
    'Update root cause, 5-Whys, consultees, similar check',
  ),
  addConsulteeInput: post('/consultee-inputs', 'Answer the investigation as a consultee'),
  addAction: post('/actions', 'Add an action'),
  updateAction: patch('/actions/:actionId', 'Change an open action'),
  completeAction: post('/actions/:actionId/complete', 'Mark an action done'),
  cancelAction: post('/actions/:actionId/cancel', 'Cancel an open action'),
  planActions: post('/plan', 'Confirm the action plan'),
  startImplementation: post('/start-implementation', 'Start implementing'),
  linkProcedure: post('/procedure-links', 'Link a procedure revision'),
  recordProcedureRevision: post('/procedure-links/:linkId/revision', 'Record the new revision'),
  startVerification: post('/start-verification', 'Start effectiveness verification'),
  verifyEffectiveness: post('/verification', 'Record the effectiveness verification'),
  close: post('/close', 'Close the CAR'),
  reopen: post('/reopen', 'Reopen a closed CAR'),
  addCommitteeReview: post('/committee-reviews', 'Record a committee review'),
};

/** Express path (`:id`) to OpenAPI path (`{id}`). */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:(\w+)/g, '{$1}');
