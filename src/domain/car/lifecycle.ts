/**
 * The CAR lifecycle as one table: for every operation, the states it is allowed in and the
 * state it leads to (`null` = the state does not change). Nothing else decides whether an
 * operation may run; the aggregate's methods consult `assertAllowed` first.
 */
export const CAR_STATES = [
  'reported',
  'recorded',
  'rejected',
  'merged',
  'investigating',
  'action_planned',
  'implementing',
  'verifying',
  'closed',
] as const;
export type CarState = (typeof CAR_STATES)[number];

const WORKING: readonly CarState[] = [
  'recorded',
  'investigating',
  'action_planned',
  'implementing',
];
const ACTIONABLE: readonly CarState[] = ['investigating', 'action_planned', 'implementing'];

export const LIFECYCLE = {
  record: { from: ['reported'], to: 'recorded' },
  reject: { from: ['reported'], to: 'rejected' },
  merge: { from: ['reported'], to: 'merged' },
  reclassify: { from: WORKING, to: null },
  recordContainment: { from: WORKING, to: null },
  startInvestigation: { from: ['recorded'], to: 'investigating' },
  updateInvestigation: { from: ['investigating'], to: null },
  addConsulteeInput: { from: ['investigating'], to: null },
  addAction: { from: ACTIONABLE, to: null },
  updateAction: { from: ACTIONABLE, to: null },
  cancelAction: { from: ACTIONABLE, to: null },
  completeAction: { from: ['action_planned', 'implementing'], to: null },
  linkProcedure: { from: ACTIONABLE, to: null },
  recordProcedureRevision: { from: ['action_planned', 'implementing'], to: null },
  planActions: { from: ['investigating'], to: 'action_planned' },
  startImplementation: { from: ['action_planned'], to: 'implementing' },
  startVerification: { from: ['implementing'], to: 'verifying' },
  confirmEffective: { from: ['verifying'], to: null },
  findIneffective: { from: ['verifying'], to: 'investigating' },
  close: { from: ['verifying'], to: 'closed' },
  reopen: { from: ['closed'], to: 'investigating' },
  addCommitteeReview: { from: CAR_STATES, to: null },
} as const satisfies Record<string, { from: readonly CarState[]; to: CarState | null }>;

export type CarOperation = keyof typeof LIFECYCLE;
export const CAR_OPERATIONS = Object.keys(LIFECYCLE) as CarOperation[];

export const isAllowed = (operation: CarOperation, state: CarState): boolean =>
  (LIFECYCLE[operation].from as readonly CarState[]).includes(state);

export const targetState = (operation: CarOperation, state: CarState): CarState =>
  LIFECYCLE[operation].to ?? state;

/** States a CAR may still be worked in; the others are final or waiting for reopening. */
export const OPEN_STATES: readonly CarState[] = [
  'reported',
  'recorded',
  'investigating',
  'action_planned',
  'implementing',
  'verifying',
];
